import { publishPeriod, PublishError } from '@vawg/publish';
import { connect } from '../connect.ts';
import { CliError } from '../cli-error.ts';
import pkg from '../../package.json' with { type: 'json' };

export async function publishCommand(options: { period: string }): Promise<void> {
  const connection = await connect();
  try {
    const result = await publishPeriod({ pool: connection.pool, store: connection.store, serviceVersion: `publish@${pkg.version}` }, options.period);
    const where = `s3://${connection.store.bucket}/${result.prefix}`;
    if (result.unchanged) console.log(`${result.period}: nothing changed since revision ${result.revision} (${where}); nothing written`);
    else console.log(`${result.period}: published revision ${result.revision} at ${where}`);
  } catch (error) {
    if (error instanceof PublishError) throw new CliError(error.message);
    throw error;
  } finally {
    await connection.close();
  }
}
