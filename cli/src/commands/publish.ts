import { announcer, publishPeriod, PublishError } from '@vawg/publish';
import { isHalfYear } from '@vawg/kpi';
import { connect } from '../connect.ts';
import { CliError } from '../cli-error.ts';
import pkg from '../../package.json' with { type: 'json' };

export async function publishCommand(options: { period: string; cutoff?: string; allowIncomplete?: boolean; wait?: number }): Promise<void> {
  const cutoff = options.cutoff === undefined ? undefined : new Date(options.cutoff);
  if (cutoff && Number.isNaN(cutoff.getTime())) throw new CliError(`--cutoff ${options.cutoff} is not an instant: give e.g. 2026-05-01T07:00:00+01:00`);
  if (!isHalfYear(options.period)) throw new CliError(`--period ${options.period} is not a half-year: give e.g. 2025-H1 (April to September) or 2025-H2 (October to March)`);
  const connection = await connect({ long: true });
  try {
    // The revision is announced (report.published) on the system's bus, as the service would.
    const announce = announcer(await connection.bus(), connection.topics);
    if (options.wait === undefined || options.wait > 0) process.stderr.write('waiting until everything accepted by the cut-off is counted…\n');
    const result = await publishPeriod({
      pool: connection.pool, store: connection.store, serviceVersion: `publish@${pkg.version}`, announce,
      ...(options.wait === undefined ? {} : { completenessWaitMs: options.wait * 1000 }),
      // Requests received just before a cut-off of now may still be writing their receipts; not
      // longer than the operator said to wait.
      settleMs: Math.min(15_000, (options.wait ?? 300) * 1000),
    }, options.period, { ...(cutoff ? { cutoff } : {}), trigger: 'operator', allowIncomplete: options.allowIncomplete ?? false });
    const where = `s3://${connection.store.bucket}/${result.prefix}`;
    if (result.unchanged) console.log(`${result.period}: nothing changed since revision ${result.revision} (${where}); nothing written`);
    else console.log(`${result.period}: published revision ${result.revision} at ${where}`);
    const c = result.completeness;
    console.log(`  ${c.accepted} events accepted by the cut-off (all periods): ${c.counted} counted, ${c.duplicates} repeats, ${c.refusedLater} refused later, ${c.held} held, ${c.withdrawn} withdrawn, ${c.deadLettered} dead-lettered, ${c.notYetProcessed} not yet processed${c.withoutReceipt > 0 ? `; and ${c.withoutReceipt} more that reached the system though answered 503` : ''}`);
    if (c.notYetProcessed > 0) console.log(`  INCOMPLETE, and the report says so: ${c.notYetProcessed} accepted events were not yet counted; publish again once the stages have caught up (their lag: /readyz)`);
    if (c.deadLettered > 0) console.log(`  INCOMPLETE, and the report says so: ${c.deadLettered} events were dead-lettered; see \`vawg dead-letters\`, then redrive or discard them and publish again`);
  } catch (error) {
    if (error instanceof PublishError) throw new CliError(error.message);
    throw error;
  } finally {
    await connection.close();
  }
}
