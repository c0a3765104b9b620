// `vawg replay`: recomputes every aggregate from the stored facts (the reference recompute, in
// SQL) and checks the live, incrementally kept aggregates against it, cell for cell.
import { compareWithReference } from '@vawg/aggregate';
import { connect } from '../connect.ts';
import { CliError } from '../cli-error.ts';

export async function replayCommand(options: { from?: string }): Promise<void> {
  if (options.from && !/^\d{4}-(0[1-9]|1[0-2])$/.test(options.from)) throw new CliError(`--from takes a month as YYYY-MM, not "${options.from}"`);
  const connection = await connect({ long: true });
  try {
    process.stderr.write('recomputing every aggregate from the stored events…\n');
    const result = await compareWithReference(connection.pool, options.from);
    const scope = options.from ? ` from ${options.from}` : '';
    if (result.differing === 0) {
      console.log(`${result.checked} cells${scope} checked: the live aggregates equal the recompute`);
      return;
    }
    console.log(`${result.differing} of ${result.checked} cells${scope} differ from the recompute; the first:`);
    for (const d of result.differences) console.log(`  ${d.key}: live ${d.live}, recomputed ${d.reference}`);
    throw new CliError('the live aggregates differ from the recompute: rebuild them (stop aggregate, reset its positions to 0 and clear its cells) and report the differences above');
  } finally {
    await connection.close();
  }
}
