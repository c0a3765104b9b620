import { forceIds } from '@vawg/contracts';
import { createCredential } from '@vawg/ingest';
import { connect } from '../connect.ts';
import { CliError } from '../cli-error.ts';

export async function tokensCreateCommand(options: { force?: string; operator?: boolean }): Promise<void> {
  if (!options.operator && !options.force) throw new CliError('say whose credential it is: --force <force id> (or --operator)');
  if (options.force && !forceIds.includes(options.force)) {
    throw new CliError(`unknown force "${options.force}": use an id from contracts/reference/forces.csv, e.g. kent, metropolitan`);
  }
  const connection = await connect();
  try {
    const token = await createCredential(connection.pool, options.force ? { role: 'force', force: options.force } : { role: 'operator', force: null });
    console.error(`Credential for ${options.force ?? 'an operator'}. It is shown once and stored only as a hash:`);
    console.log(token);
  } finally {
    await connection.close();
  }
}
