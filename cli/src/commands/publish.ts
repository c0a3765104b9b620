import { createKafkaBus } from '@vawg/bus';
import { topicsFor } from '@vawg/contracts';
import { announcer, publishPeriod, PublishError } from '@vawg/publish';
import { cliConfig, connect } from '../connect.ts';
import { CliError } from '../cli-error.ts';
import pkg from '../../package.json' with { type: 'json' };

export async function publishCommand(options: { period: string; cutoff?: string }): Promise<void> {
  const cutoff = options.cutoff === undefined ? undefined : new Date(options.cutoff);
  if (cutoff && Number.isNaN(cutoff.getTime())) throw new CliError(`--cutoff ${options.cutoff} is not an instant: give e.g. 2026-05-01T07:00:00+01:00`);
  const config = cliConfig();
  const connection = await connect();
  // With a broker named, the revision is announced (report.published) as the service would.
  const bus = config.KAFKA_BROKERS ? createKafkaBus({ brokers: config.KAFKA_BROKERS, clientId: 'vawg-cli' }) : undefined;
  try {
    const announce = bus ? announcer(bus, topicsFor(config.VAWG_TOPIC_PREFIX)) : undefined;
    const result = await publishPeriod({ pool: connection.pool, store: connection.store, serviceVersion: `publish@${pkg.version}`, ...(announce ? { announce } : {}) },
      options.period, { ...(cutoff ? { cutoff } : {}), trigger: 'operator' });
    const where = `s3://${connection.store.bucket}/${result.prefix}`;
    if (result.unchanged) console.log(`${result.period}: nothing changed since revision ${result.revision} (${where}); nothing written`);
    else console.log(`${result.period}: published revision ${result.revision} at ${where}`);
  } catch (error) {
    if (error instanceof PublishError) throw new CliError(error.message);
    throw error;
  } finally {
    await bus?.close();
    await connection.close();
  }
}
