// The faults, each injected once per trial while its load is being sent. `inject` resolves at the
// moment the fault is over (the process restarted, the server back, the endpoint answering), from
// which the trial measures the time to recover.
import { leaderOf } from '@vawg/infra';
import type { Random } from '@vawg/synthetic';
import { BUSY_SCHEDULE, type ChaosStack } from './stack.ts';
import type { ServiceName } from './services.ts';

export interface Fault {
  name: string;
  /** The cluster it needs: one broker, or three (replication 3, min.insync.replicas 2). */
  brokers: 1 | 3;
  /** Needs publications to happen during the trial. */
  publishes?: boolean;
  inject(stack: ChaosStack, random: Random): Promise<void>;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function killService(name: ServiceName, publishes = false): Fault {
  return {
    name: `SIGKILL ${name}`,
    brokers: 1,
    publishes,
    async inject(stack, random) {
      // publish is killed at a random point of its 10-second calendar: often mid-publication.
      if (publishes) await sleep(random.int(10_000));
      await stack.services[name].kill('SIGKILL');
      await sleep(500 + random.int(1500));
      stack.services[name].start();
      await stack.services[name].up();
    },
  };
}

async function publicationRunning(stack: ChaosStack, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const { rows } = await stack.pool.query<{ n: number }>(`SELECT count(*)::int AS n FROM publish.runs WHERE status = 'running'`);
    if (rows[0]!.n > 0) return;
    await sleep(100);
  }
}

export const faults: Fault[] = [
  killService('publish', true),
  {
    name: 'S3 unreachable during a publication',
    brokers: 1,
    publishes: true,
    async inject(stack, random) {
      await publicationRunning(stack, 30_000);
      stack.s3.setMode('blackhole');
      await sleep(4_000 + random.int(4_000));
      stack.s3.setMode('pass');
    },
  },
  killService('ingest'),
  killService('validate'),
  killService('aggregate'),
  {
    name: 'PostgreSQL restarted',
    brokers: 1,
    async inject(stack, random) {
      await stack.postgres.crash();
      await sleep(1_000 + random.int(2_000));
      await stack.postgres.start();
    },
  },
  {
    name: 'broker stopped and restarted',
    brokers: 1,
    async inject(stack, random) {
      const node = stack.kafka.nodes[0]!;
      await node.kill('SIGTERM');
      await sleep(2_000 + random.int(3_000));
      await node.start();
    },
  },
  {
    name: 'S3 unreachable during a POST',
    brokers: 1,
    async inject(stack, random) {
      stack.s3.setMode(random.next() < 0.5 ? 'blackhole' : 'refuse');
      await sleep(4_000 + random.int(4_000));
      stack.s3.setMode('pass');
    },
  },
  {
    name: 'partition leader killed (3 brokers)',
    brokers: 3,
    async inject(stack, random) {
      const leader = await leaderOf(stack.kafka.brokers, `${stack.topicPrefix}.raw.v1`, random.int(6));
      const node = stack.kafka.nodes.find((n) => n.nodeId === leader)!;
      await node.kill('SIGKILL');
      await sleep(3_000 + random.int(3_000));
      await node.start();
    },
  },
];

/** Restarts publish with a busy calendar for a trial that needs publications, or the real one after. */
export async function setPublishing(stack: ChaosStack, busy: boolean): Promise<void> {
  await stack.services.publish.kill('SIGTERM');
  stack.services.publish.start(busy ? { PUBLISH_SCHEDULE: BUSY_SCHEDULE } : {});
  await stack.services.publish.up();
}
