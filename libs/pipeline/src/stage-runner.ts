// The one place where a stage's failures are handled (PostHog's result-handling pipeline): every
// batch a stage consumes goes through here.
// - A transient failure (classify.ts) is retried with backoff for as long as it takes; meanwhile
//   the stage is not ready, `vawg_stage_retrying` is above 0 and an alert watches it.
// - A deterministic failure is tried a few times, then the batch is split in halves until the
//   message that fails is alone; it is dead-lettered and the rest of the partition is processed.
//   A handler that knows which message is bad says so (PoisonMessage) and skips the search.
// - A failure is only taken for deterministic when the stage's dependencies answer: an error we
//   do not recognise while the database is down is waited out, not dead-lettered.
import { RewindTo, type Batch, type BatchHandler, type ConsumedMessage } from '@vawg/bus';
import type { Stage } from '@vawg/contracts';
import type { Logger } from '@vawg/log';
import { counter, gauge, type Registry } from '@vawg/metrics';
import { classifyFailure, isTimeout, type FailureKind } from './classify.ts';
import type { WatchedStage } from './lag-monitor.ts';

/** Thrown by a handler that has found the one message it cannot process, ever. */
export class PoisonMessage extends Error {
  override readonly name = 'PoisonMessage';
  constructor(readonly offset: number, message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

/** The stage is stopping: the batch in hand is given up and will be delivered again. */
export class StageStopped extends Error {
  override readonly name = 'StageStopped';
}

export interface Failure {
  error: unknown;
  attempts: number;
  firstFailedAt: Date;
}

export interface StageRunnerOptions {
  stage: Stage;
  handle: BatchHandler;
  deadLetter: (message: ConsumedMessage, failure: Failure) => Promise<void>;
  /** Do the stage's dependencies answer? Asked before a failure is called deterministic. */
  healthy: () => Promise<boolean>;
  log: Logger;
  registry: Registry;
  /** Attempts at a deterministic failure before a message is dead-lettered (default 3). */
  attempts?: number;
  /** Backoff of transient retries: doubling from the first to the most (default 250 ms to 30 s). */
  backoffMs?: { first: number; most: number };
}

/** A stage consuming its topic, as its service holds it: ready (not waiting out a failure), watched for lag, stoppable. */
export interface RunningStage {
  ready: () => boolean;
  watch: WatchedStage;
  stop: () => Promise<void>;
}

export interface StageRunner {
  handler: BatchHandler;
  /** False while any partition waits out a transient failure. */
  ready: () => boolean;
  /** Gives up any retry in progress, so the bus can stop; the batch is delivered again later. */
  stop: () => void;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
/** Timeouts of one batch, with the database answering meanwhile, that make it a deterministic failure. */
const SLOW_TIMEOUTS = 5;

export function createStageRunner(o: StageRunnerOptions): StageRunner {
  const attempts = o.attempts ?? 3;
  const backoff = o.backoffMs ?? { first: 250, most: 30_000 };
  const failures = counter(o.registry, 'vawg_stage_failures_total', 'Failed attempts at a batch, by stage and kind (transient, deterministic)', ['stage', 'kind']);
  const retryingGauge = gauge(o.registry, 'vawg_stage_retrying', 'Partitions of a stage waiting out a transient failure: the stage is not ready while above 0', ['stage']);
  const retrying = new Set<string>();
  let stopped = false;
  retryingGauge.set({ stage: o.stage }, 0);

  const setRetrying = (id: string, on: boolean) => {
    if (on) retrying.add(id);
    else retrying.delete(id);
    retryingGauge.set({ stage: o.stage }, retrying.size);
  };

  const kindOf = async (error: unknown): Promise<FailureKind> => {
    const kind = classifyFailure(error);
    if (kind === 'transient') return kind;
    const healthy = await o.healthy().catch(() => false);
    return healthy ? 'deterministic' : 'transient';
  };

  /** Waits, telling the broker we are alive; gives up when stopping or when the group moved on. */
  const wait = async (batch: Batch, ms: number) => {
    for (let left = ms; left > 0; left -= 1000) {
      if (stopped) throw new StageStopped(`${o.stage}: stopping`);
      await sleep(Math.min(left, 1000));
      await batch.heartbeat();
    }
  };

  /** Retries `work` while it fails transiently; returns its deterministic failure, if any. */
  async function untilSettled(batch: Batch, work: () => Promise<void>): Promise<unknown> {
    const id = `${batch.topic}:${batch.partition}`;
    let delay = backoff.first;
    let timeoutsWhileHealthy = 0;
    for (let attempt = 1; ; attempt++) {
      if (stopped) throw new StageStopped(`${o.stage}: stopping`);
      try {
        await work();
        setRetrying(id, false);
        return undefined;
      } catch (error) {
        // Not a failure: the bus delivers again from where the handler's positions say.
        if (error instanceof StageStopped || error instanceof RewindTo) throw error;
        let kind = error instanceof PoisonMessage ? 'deterministic' : await kindOf(error);
        if (kind === 'transient' && isTimeout(error) && (await o.healthy().catch(() => false))) {
          timeoutsWhileHealthy += 1;
          if (timeoutsWhileHealthy >= SLOW_TIMEOUTS) kind = 'deterministic';
        }
        failures.inc({ stage: o.stage, kind });
        if (kind === 'deterministic') {
          setRetrying(id, false);
          return error;
        }
        setRetrying(id, true);
        // Loud at first, then at each doubling: a long outage does not flood the log.
        if ((attempt & (attempt - 1)) === 0) o.log.warn({ err: error, stage: o.stage, partition: id, attempt, retryInMs: delay }, 'transient failure; retrying');
        await wait(batch, delay);
        delay = Math.min(delay * 2, backoff.most);
      }
    }
  }

  async function deadLetter(batch: Batch, message: ConsumedMessage, failure: Failure): Promise<void> {
    o.log.error({ err: failure.error, stage: o.stage, topic: message.topic, partition: message.partition, offset: message.offset, attempts: failure.attempts }, 'dead-lettering a message');
    const error = await untilSettled(batch, () => o.deadLetter(message, failure));
    // A dead letter that cannot be written is not dropped: the partition waits, and says so.
    if (error !== undefined) {
      setRetrying(`${batch.topic}:${batch.partition}`, true);
      o.log.error({ err: error, stage: o.stage }, 'the dead letter could not be written; retrying');
      await wait(batch, backoff.most);
      return deadLetter(batch, message, failure);
    }
  }

  /** Processes these messages of the batch, dead-lettering those that can never be processed. */
  async function settle(batch: Batch, messages: ConsumedMessage[], tries: number): Promise<void> {
    if (messages.length === 0) return;
    let firstFailedAt: Date | undefined;
    for (let attempt = 1; ; attempt++) {
      const error = await untilSettled(batch, () => o.handle({ ...batch, messages }));
      if (error === undefined) return;
      firstFailedAt ??= new Date();
      if (error instanceof PoisonMessage) {
        const at = messages.findIndex((m) => m.offset === error.offset);
        if (at >= 0) {
          await settle(batch, messages.slice(0, at), tries);
          await deadLetter(batch, messages[at]!, { error: error.cause ?? error, attempts: attempt, firstFailedAt });
          return settle(batch, messages.slice(at + 1), tries);
        }
      }
      if (attempt < (messages.length === 1 ? attempts : tries)) {
        // At once: a failure that passes with time is transient, and is waited out above.
        o.log.warn({ err: error, stage: o.stage, messages: messages.length, attempt }, 'deterministic failure; trying again');
        await batch.heartbeat();
        continue;
      }
      if (messages.length === 1) return deadLetter(batch, messages[0]!, { error, attempts: attempt, firstFailedAt });
      // Which message fails? Halve until it is alone; the halves that succeed are done.
      const half = Math.ceil(messages.length / 2);
      await settle(batch, messages.slice(0, half), 1);
      return settle(batch, messages.slice(half), 1);
    }
  }

  return {
    handler: (batch) => settle(batch, batch.messages, attempts),
    ready: () => retrying.size === 0,
    stop() {
      stopped = true;
    },
  };
}
