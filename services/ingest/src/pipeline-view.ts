// What GET /v1/pipeline tells an operator: how far behind each stage is and how fast it goes. Lag
// comes from the lag monitor (libs/pipeline/src/lag-monitor.ts), pointed at every stage whatever
// process runs it: validate's and aggregate's positions are stored in PostgreSQL (their tables),
// the refusal store's are the bus's. Throughput is the difference of two samples of the same
// positions (ingest's: of the raw topic's end) over the time between them: exact (every message
// a stage processed moves its position by one, duplicates and dead letters too) and cheap (the
// lag monitor reads them anyway). Sampling runs only while someone watches: from the first
// request until none came for 10 minutes.
import type { Bus } from '@vawg/bus';
import type { Pool } from '@vawg/db';
import type { Topics } from '@vawg/contracts';
import type { Logger } from '@vawg/log';
import { createRegistry } from '@vawg/metrics';
import { oldestUnprocessed, startLagMonitor, type StageLag, type WatchedStage } from '@vawg/pipeline';
import { refusalsGroup } from './refusal-store.ts';

export interface StageHealth {
  /** `ingest` (what it appended to the raw topic), then the consuming stages. */
  stage: string;
  /** Null for ingest, which has no input topic. */
  lag: {
    /** Messages of its input not yet processed. */
    messages: number;
    /** Seconds since ingest received the oldest event it has not processed; null where unknown (the refusal store). */
    seconds: number | null;
  } | null;
  throughput: {
    /** Messages processed (for ingest: accepted) per second over the window; null until two samples. */
    eventsPerSecond: number | null;
    /** The span measured: up to 5 minutes, less just after sampling began. */
    windowSeconds: number;
  };
}

export interface PipelineHealth {
  /** When the stages were sampled. */
  asAt: string;
  stages: StageHealth[];
}

export interface Sample {
  at: number;
  /** Per stage: its total position (for ingest, the raw topic's total end). */
  totals: Record<string, number>;
}

/** Rates per second between the oldest sample within `windowMs` of the newest and the newest; a stage moved back (a reset) counts 0. */
export function ratesOf(samples: readonly Sample[], windowMs: number): { windowSeconds: number; perSecond: Record<string, number | null> } {
  const last = samples.at(-1);
  const first = last && samples.find((s) => last.at - s.at <= windowMs);
  const span = first && last ? (last.at - first.at) / 1000 : 0;
  const perSecond: Record<string, number | null> = {};
  for (const stage of Object.keys(last?.totals ?? {})) {
    const from = first?.totals[stage];
    perSecond[stage] = span > 0 && from !== undefined ? Math.max(0, last!.totals[stage]! - from) / span : null;
  }
  return { windowSeconds: Math.round(span), perSecond };
}

/** A stage's stored positions in one topic, by partition; none (0 everywhere) while its tables do not exist yet. */
function storedPositions(pool: Pool, table: 'validate.consumer_offsets' | 'aggregate.consumer_offsets', topic: string): () => Promise<number[]> {
  return async () => {
    try {
      const { rows } = await pool.query<{ partition: number; next_offset: number }>(`SELECT partition, next_offset FROM ${table} WHERE topic = $1`, [topic]);
      const byPartition: number[] = [];
      for (const r of rows) byPartition[r.partition] = Number(r.next_offset);
      return Array.from(byPartition, (n) => n ?? 0);
    } catch (error) {
      if ((error as { code?: string }).code === '42P01') return [];
      throw error;
    }
  };
}

const oldest = (pool: Pool, stage: 'validate' | 'aggregate') => async () => {
  try {
    return await oldestUnprocessed(pool, stage);
  } catch (error) {
    if ((error as { code?: string }).code === '42P01') return null;
    throw error;
  }
};

export interface PipelineView {
  /** The latest sample (taken now if there is none or it is older than the interval), with the rates. */
  health(): Promise<PipelineHealth>;
  stop(): void;
}

export interface PipelineViewOptions {
  bus: Bus;
  pool: Pool;
  topics: Topics;
  log?: Logger;
  intervalMs?: number;
  windowMs?: number;
  idleMs?: number;
}

export function startPipelineView(o: PipelineViewOptions): PipelineView {
  const intervalMs = o.intervalMs ?? 5_000;
  const windowMs = o.windowMs ?? 5 * 60_000;
  const idleMs = o.idleMs ?? 10 * 60_000;
  const { pool, topics } = o;
  const stages: WatchedStage[] = [
    { stage: 'validate', topic: topics.raw, positions: storedPositions(pool, 'validate.consumer_offsets', topics.raw), oldest: oldest(pool, 'validate') },
    { stage: 'aggregate', topic: topics.valid, positions: storedPositions(pool, 'aggregate.consumer_offsets', topics.valid), oldest: oldest(pool, 'aggregate') },
    { stage: 'refusals', topic: topics.refused, positions: () => o.bus.committedOffsets(refusalsGroup(topics), topics.refused) },
  ];
  // A registry of its own: the process's lag metrics are its own stages', from watchStages.
  const monitor = startLagMonitor({ bus: o.bus, registry: createRegistry(), stages, log: o.log, intervalMs: 2_147_483_647 });
  monitor.stop();

  const samples: Sample[] = [];
  let lastLag: Record<string, StageLag> | null = null;
  let lastRequest = 0;
  let timer: NodeJS.Timeout | null = null;
  let sampling: Promise<void> | null = null;

  const sample = () => {
    sampling ??= (async () => {
      const lag = await monitor.sample();
      const at = Date.now();
      const totals: Record<string, number> = { ingest: lag.validate!.partitions.reduce((n, p) => n + p.end, 0) };
      for (const s of stages) totals[s.stage] = lag[s.stage]!.partitions.reduce((n, p) => n + p.position, 0);
      samples.push({ at, totals });
      while (samples.length > 1 && at - samples[0]!.at > windowMs + intervalMs) samples.shift();
      lastLag = lag;
    })().finally(() => { sampling = null; });
    return sampling;
  };
  const tick = () => {
    if (Date.now() - lastRequest > idleMs) {
      if (timer) clearInterval(timer);
      timer = null;
      samples.length = 0;
      return;
    }
    sample().catch((error: unknown) => o.log?.warn({ err: error }, 'pipeline view: could not sample the stages; next in a moment'));
  };

  return {
    async health() {
      lastRequest = Date.now();
      if (!timer) {
        timer = setInterval(tick, intervalMs);
        timer.unref();
      }
      const newest = samples.at(-1);
      if (!newest || !lastLag || Date.now() - newest.at >= intervalMs) await sample();
      const lag = lastLag!;
      const { windowSeconds, perSecond } = ratesOf(samples, windowMs);
      const throughput = (stage: string) => ({ eventsPerSecond: perSecond[stage] ?? null, windowSeconds });
      return {
        asAt: new Date(samples.at(-1)!.at).toISOString(),
        stages: [
          { stage: 'ingest', lag: null, throughput: throughput('ingest') },
          ...stages.map((s) => ({ stage: s.stage, lag: { messages: lag[s.stage]!.messages, seconds: lag[s.stage]!.seconds }, throughput: throughput(s.stage) })),
        ],
      };
    },
    stop() {
      if (timer) clearInterval(timer);
      timer = null;
    },
  };
}
