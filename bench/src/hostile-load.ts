// (g) One force sending the heaviest batches it may, and another sending normally (issue 10's
// done-when): ingest as its own process on the broker, PostgreSQL and S3. Essex sends 100-event
// batches one after another and /healthz is asked every 20 ms, first alone (quiet), then while
// kent keeps four batches in flight: a JSON array with one 1 MiB one-word field, and batches of
// 150 lines of 60 KiB. The figures: /healthz p99, and essex's acknowledgement p50 and p99, in each
// phase; their ratio is the cost of kent's load to everyone else.
import { randomUUID } from 'node:crypto';
import { createServer } from 'node:net';
import { performance } from 'node:perf_hooks';
import { createPool } from '@vawg/db';
import { createCredential } from '@vawg/ingest';
import { seeded, syntheticCrimes } from '@vawg/synthetic';
import { createTestDatabase, kafkaBrokers, s3Endpoint, uniqueName } from '@vawg/testing';
import { startService } from './services.ts';

export interface Latencies { p50: number; p99: number; n: number }
export interface HostileLoadBench { quiet: { health: Latencies; essex: Latencies }; hostile: { health: Latencies; essex: Latencies; kentBatches: number } }

const percentile = (values: number[], p: number) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;
};
const summary = (values: number[]): Latencies => ({ p50: percentile(values, 50), p99: percentile(values, 99), n: values.length });

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

export async function benchHostileLoad(essexBatches: number): Promise<HostileLoadBench> {
  const db = await createTestDatabase();
  const pool = createPool(db.url, { max: 2 });
  const port = await freePort();
  const s3 = s3Endpoint();
  const ingest = startService('ingest', {
    DATABASE_URL: db.url, KAFKA_BROKERS: kafkaBrokers().join(','), VAWG_TOPIC_PREFIX: uniqueName('hostile'), PORT: String(port), HOST: '127.0.0.1',
    S3_ENDPOINT: s3.endpoint, S3_ACCESS_KEY_ID: s3.accessKeyId, S3_SECRET_ACCESS_KEY: s3.secretAccessKey, S3_REGION: s3.region,
    S3_FORCE_PATH_STYLE: 'true', S3_BUCKET: uniqueName('hostile').toLowerCase(),
  });
  const base = `http://127.0.0.1:${port}`;
  try {
    for (let i = 0; ; i += 1) {
      const up = await fetch(`${base}/healthz`).then((r) => r.ok, () => false);
      if (up) break;
      if (i > 600) throw new Error('ingest did not start within 60 s');
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    const kent = await createCredential(pool, { role: 'force', force: 'kent' });
    const essex = await createCredential(pool, { role: 'force', force: 'essex' });
    const crimes = syntheticCrimes(seeded(5), { force: 'essex', count: 100, from: '2025-04-01', to: '2025-04-30' });
    const post = (token: string, body: string, type = 'application/x-ndjson') =>
      fetch(`${base}/v1/events`, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': type }, body });

    /** essexBatches of essex's, one after another, with /healthz probed throughout, while `load` runs. */
    const phase = async (load: { done: Promise<number>; stop: () => void }) => {
      let running = true;
      const health: number[] = [];
      const prober = (async () => {
        while (running) {
          const start = performance.now();
          await fetch(`${base}/healthz`).then((r) => r.arrayBuffer());
          health.push(performance.now() - start);
          await new Promise((resolve) => setTimeout(resolve, 20));
        }
      })();
      const essexAcks: number[] = [];
      try {
        for (let i = 0; i < essexBatches; i += 1) {
          const body = crimes.map((c) => JSON.stringify({ ...c, eventId: randomUUID() })).join('\n');
          const start = performance.now();
          const answer = await post(essex, body);
          await answer.arrayBuffer();
          if (answer.status !== 202) throw new Error(`essex's batch answered ${answer.status}`);
          essexAcks.push(performance.now() - start);
        }
      } finally {
        running = false;
        load.stop();
      }
      await prober;
      return { health: summary(health), essex: summary(essexAcks), kentBatches: await load.done };
    };

    const quiet = await phase({ done: Promise.resolve(0), stop: () => undefined });
    const kentCrime = crimes[0]!;
    const line = (crimeRef: string) => ({ ...kentCrime, force: 'kent', eventId: randomUUID(), payload: { ...kentCrime.payload, crimeRef } });
    const heavy = Array.from({ length: 150 }, () => JSON.stringify(line('w'.repeat(60 * 1024)))).join('\n');
    const oneField = JSON.stringify([line('w'.repeat(1 << 20))]);
    let stopped = false;
    let sent = 0;
    // Four in flight at once, kent's whole share; each sent again as soon as it is answered.
    const sender = async (k: number) => {
      while (!stopped) {
        const answer = await (k === 0 ? post(kent, oneField, 'application/json') : post(kent, heavy));
        await answer.arrayBuffer();
        if (answer.status !== 202) throw new Error(`kent's batch answered ${answer.status}`);
        sent += 1;
      }
    };
    const senders = Promise.all([0, 1, 2, 3].map(sender)).then(() => sent);
    // Let kent's load begin before essex's first batch.
    await new Promise((resolve) => setTimeout(resolve, 500));
    const hostile = await phase({ done: senders, stop: () => { stopped = true; } });
    return { quiet: { health: quiet.health, essex: quiet.essex }, hostile };
  } finally {
    await ingest.stop();
    await pool.end();
    await db.drop();
  }
}
