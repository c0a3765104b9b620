// (g) One force sending the heaviest batches it may, and another sending normally (issue 10's
// done-when): ingest as its own process on the broker, PostgreSQL and S3; kent's load from a
// process of its own too (hostile-sender.ts), so no client's work delays the measurements.
// Essex sends 100-event batches one after another (its acknowledgement time measured), and
// /healthz is probed open-loop every 20 ms (a probe's time counts from when it was due, so a
// stall is counted for every probe it delays). Quiet and hostile blocks alternate, after a
// warm-up that is not counted; percentiles by nearest rank, with n beside each.
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import { performance } from 'node:perf_hooks';
import { createPool } from '@vawg/db';
import { createCredential } from '@vawg/ingest';
import { seeded, syntheticCrimes } from '@vawg/synthetic';
import { createTestDatabase, kafkaBrokers, s3Endpoint, uniqueName } from '@vawg/testing';
import { startService } from './services.ts';

export interface Latencies { p50: number; p99: number; max: number; n: number }
export interface HostileLoadBench {
  quiet: { health: Latencies; essex: Latencies };
  hostile: { health: Latencies; essex: Latencies; kentAnswered: number; kentAccepted: number };
}

/** The p-th percentile by nearest rank: the smallest value with at least p% of the values at or below it. */
export function percentile(values: readonly number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.max(0, Math.ceil((p / 100) * sorted.length) - 1)] ?? NaN;
}
const summary = (values: number[]): Latencies => ({ p50: percentile(values, 50), p99: percentile(values, 99), max: Math.max(...values), n: values.length });

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

const BLOCKS = 4;
const WARM_UP = 10;

export async function benchHostileLoad(essexBatchesPerCondition: number): Promise<HostileLoadBench> {
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
      if (await fetch(`${base}/healthz`).then((r) => r.ok, () => false)) break;
      if (i > 600) throw new Error('ingest did not start within 60 s');
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    const kent = await createCredential(pool, { role: 'force', force: 'kent' });
    const essex = await createCredential(pool, { role: 'force', force: 'essex' });
    const crimes = syntheticCrimes(seeded(5), { force: 'essex', count: 100, from: '2025-04-01', to: '2025-04-30' });
    const essexBatch = async () => {
      const body = crimes.map((c) => JSON.stringify({ ...c, eventId: randomUUID() })).join('\n');
      const start = performance.now();
      const answer = await fetch(`${base}/v1/events`, { method: 'POST', headers: { authorization: `Bearer ${essex}`, 'content-type': 'application/x-ndjson' }, body });
      await answer.arrayBuffer();
      if (answer.status !== 202) throw new Error(`essex's batch answered ${answer.status}`);
      return performance.now() - start;
    };
    // Open-loop probes of /healthz: one due every 20 ms whether or not the last has answered.
    const probe = () => {
      const samples: number[] = [];
      const pending: Promise<void>[] = [];
      const started = performance.now();
      let due = 0;
      const timer = setInterval(() => {
        for (; started + due * 20 <= performance.now(); due += 1) {
          const at = started + due * 20;
          pending.push(fetch(`${base}/healthz`).then((r) => r.arrayBuffer()).then(() => { samples.push(performance.now() - at); }, () => { samples.push(performance.now() - at); }));
        }
      }, 5);
      return async () => {
        clearInterval(timer);
        await Promise.all(pending);
        return samples;
      };
    };
    const block = async (n: number) => {
      const stop = probe();
      const acks: number[] = [];
      for (let i = 0; i < n; i += 1) acks.push(await essexBatch());
      return { acks, health: await stop() };
    };

    for (let i = 0; i < WARM_UP; i += 1) await essexBatch();
    const quiet = { acks: [] as number[], health: [] as number[] };
    const hostile = { acks: [] as number[], health: [] as number[], kentAnswered: 0, kentAccepted: 0 };
    const perBlock = Math.ceil(essexBatchesPerCondition / (BLOCKS / 2));
    for (let b = 0; b < BLOCKS; b += 1) {
      if (b % 2 === 0) {
        const r = await block(perBlock);
        quiet.acks.push(...r.acks);
        quiet.health.push(...r.health);
        continue;
      }
      const sender = spawn(process.execPath, ['--import', 'tsx', fileURLToPath(new URL('./hostile-sender.ts', import.meta.url)), base, kent], { stdio: ['ignore', 'pipe', 'inherit'] });
      let out = '';
      sender.stdout.on('data', (chunk: Buffer) => { out += chunk.toString(); });
      // Kent's four batches in hand before essex's first.
      await new Promise((resolve) => setTimeout(resolve, 1_500));
      const r = await block(perBlock);
      const exited = new Promise((resolve) => sender.once('exit', resolve));
      sender.kill('SIGTERM');
      await exited;
      const counts = JSON.parse(out.trim() || '{"answered":0,"accepted":0}') as { answered: number; accepted: number };
      hostile.acks.push(...r.acks);
      hostile.health.push(...r.health);
      hostile.kentAnswered += counts.answered;
      hostile.kentAccepted += counts.accepted;
    }
    return {
      quiet: { health: summary(quiet.health), essex: summary(quiet.acks) },
      hostile: { health: summary(hostile.health), essex: summary(hostile.acks), kentAnswered: hostile.kentAnswered, kentAccepted: hostile.kentAccepted },
    };
  } finally {
    await ingest.stop();
    await pool.end();
    await db.drop();
  }
}
