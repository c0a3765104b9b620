// How far behind each stage is, sampled every few seconds: for each partition of its input, the
// log end against the stage's position, in messages; and in seconds, how long ago the oldest event
// it has not processed was received by ingest (from the submissions' progress: exact, and the same
// after a restart). Exposed as metrics for the alert rules (infra/prometheus/alerts.yml), and as
// the detail of /readyz.
import type { Bus } from '@vawg/bus';
import type { Pool } from '@vawg/db';
import { gauge, type Registry } from '@vawg/metrics';
import type { Logger } from '@vawg/log';

export interface WatchedStage {
  stage: string;
  topic: string;
  /** The stage's next offset per partition of its topic (its own stored positions, or the bus's). */
  positions: () => Promise<number[]>;
  /** When the oldest event it has not processed was received; stages outside the progress ledger have none. */
  oldest?: () => Promise<Date | null>;
}

export interface StageLag {
  /** Messages in the input not yet processed. */
  messages: number;
  /** Seconds since ingest received the oldest event the stage has not processed; 0 when none; null when unknown. */
  seconds: number | null;
  partitions: { partition: number; end: number; position: number }[];
}

export interface LagMonitor {
  /** The last sample of every stage; sampled now if there is none yet. */
  lag(): Promise<Record<string, StageLag>>;
  /** Samples every stage now. */
  sample(): Promise<Record<string, StageLag>>;
  stop(): void;
}

export interface LagMonitorOptions {
  bus: Bus;
  registry: Registry;
  stages: WatchedStage[];
  log?: Logger;
  /** Dead letters waiting for a redrive are sampled from here too. */
  pool?: Pool;
  intervalMs?: number;
  now?: () => number;
}

const LEDGER_INTERVAL_MS = 30_000;

export function startLagMonitor(o: LagMonitorOptions): LagMonitor {
  const now = o.now ?? Date.now;
  const messages = gauge(o.registry, 'vawg_consumer_lag_messages', 'Messages of a stage\'s input not yet processed, by partition', ['stage', 'topic', 'partition']);
  const seconds = gauge(o.registry, 'vawg_consumer_lag_seconds', 'Seconds since ingest received the oldest event a stage has not processed (0 when none)', ['stage']);
  const position = gauge(o.registry, 'vawg_consumer_position', 'The next offset a stage will process, by partition', ['stage', 'topic', 'partition']);
  const end = gauge(o.registry, 'vawg_log_end_offset', 'The next offset a topic partition will be given', ['topic', 'partition']);
  const waiting = gauge(o.registry, 'vawg_dead_letters_waiting', 'Dead letters not yet redriven and processed, by stage and force', ['stage', 'force']);
  let last: Record<string, StageLag> | null = null;

  // The age of the oldest unprocessed event is read from the ledger at most every 30 s (a scan of
  // pipeline.progress); in between it is aged by the clock, and a stage with nothing waiting is 0.
  const oldestRead = new Map<string, { at: number; oldest: Date | null }>();
  async function oldestOf(s: WatchedStage, at: number): Promise<Date | null | undefined> {
    if (!s.oldest) return undefined;
    const cached = oldestRead.get(s.stage);
    if (cached && at - cached.at < LEDGER_INTERVAL_MS) return cached.oldest;
    const oldest = await s.oldest();
    oldestRead.set(s.stage, { at, oldest });
    return oldest;
  }

  async function sampleStage(s: WatchedStage, at: number): Promise<StageLag> {
    const [ends, positions, read] = await Promise.all([o.bus.endOffsets(s.topic), s.positions(), oldestOf(s, at)]);
    const partitions = ends.map((e, partition) => ({ partition, end: e, position: Math.min(positions[partition] ?? 0, e) }));
    for (const p of partitions) {
      const labels = { stage: s.stage, topic: s.topic, partition: String(p.partition) };
      messages.set(labels, p.end - p.position);
      position.set(labels, p.position);
      end.set({ topic: s.topic, partition: String(p.partition) }, p.end);
    }
    const waiting = partitions.reduce((n, p) => n + p.end - p.position, 0);
    const behind = read === undefined ? null : read === null || waiting === 0 ? 0 : Math.max(0, Math.round((at - read.getTime()) / 1000));
    if (behind !== null) seconds.set({ stage: s.stage }, behind);
    return { messages: waiting, seconds: behind, partitions };
  }

  async function sample(): Promise<Record<string, StageLag>> {
    const at = now();
    const entries = await Promise.all(o.stages.map(async (s) => [s.stage, await sampleStage(s, at)] as const));
    if (o.pool) {
      const { rows } = await o.pool.query<{ stage: string; force: string | null; n: number }>(
        'SELECT stage, force, count(*)::int AS n FROM pipeline.dead_letters WHERE resolved_at IS NULL GROUP BY stage, force');
      waiting.reset();
      for (const r of rows) waiting.set({ stage: r.stage, force: r.force ?? 'unknown' }, r.n);
    }
    last = Object.fromEntries(entries);
    return last;
  }

  // Never two samples at once: a slow one is not piled upon.
  let sampling: Promise<unknown> | null = null;
  const timer = setInterval(() => {
    sampling ??= sample()
      .catch((error: unknown) => o.log?.warn({ err: error }, 'lag: could not sample the stages; next in a moment'))
      .finally(() => { sampling = null; });
  }, o.intervalMs ?? 5_000);
  timer.unref();

  return {
    lag: () => (last ? Promise.resolve(last) : sample()),
    sample,
    stop: () => clearInterval(timer),
  };
}
