// Each force's fair share of ingest (issue 10): requests in progress at once, and events a second,
// so that one force at its limit never slows another. Both answer 429 with Retry-After.

/** Counts work in progress, per force and in all, so memory and CPU stay bounded whoever sends what. */
export class Slots {
  private readonly byForce = new Map<string, number>();
  private total = 0;
  constructor(private readonly limits: { perForce: number; total: number }) {}

  /** A release function, or null when the force (or everyone) has as much going as allowed. */
  take(force: string): (() => void) | null {
    const mine = this.byForce.get(force) ?? 0;
    if (mine >= this.limits.perForce || this.total >= this.limits.total) return null;
    this.byForce.set(force, mine + 1);
    this.total += 1;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.total -= 1;
      const left = (this.byForce.get(force) ?? 1) - 1;
      if (left === 0) this.byForce.delete(force);
      else this.byForce.set(force, left);
    };
  }
}

/**
 * A token bucket per force: `rate` events a second, up to `burst` at once. `take` spends n tokens,
 * or says how many seconds until there will be enough (a batch is taken whole or not at all).
 */
export class EventBuckets {
  private readonly buckets = new Map<string, { tokens: number; at: number }>();
  constructor(private readonly limits: { rate: number; burst: number }, private readonly now: () => number = Date.now) {}

  take(force: string, n: number): { ok: true } | { ok: false; retryAfterSeconds: number } {
    const at = this.now();
    const bucket = this.buckets.get(force) ?? { tokens: this.limits.burst, at };
    bucket.tokens = Math.min(this.limits.burst, bucket.tokens + ((at - bucket.at) / 1000) * this.limits.rate);
    bucket.at = at;
    this.buckets.set(force, bucket);
    const wanted = Math.min(n, this.limits.burst);
    if (bucket.tokens >= wanted) {
      bucket.tokens -= wanted;
      return { ok: true };
    }
    return { ok: false, retryAfterSeconds: Math.max(1, Math.ceil((wanted - bucket.tokens) / this.limits.rate)) };
  }
}

export interface FairShareLimits {
  /** POST /v1/events in progress at once: per force (default 4) and in all (default 64). */
  requests: { perForce: number; total: number };
  /** Events accepted for checking, per force: a second (default 20,000) and at once (default 50,000). */
  events: { rate: number; burst: number };
}

export const defaultFairShare: FairShareLimits = { requests: { perForce: 4, total: 64 }, events: { rate: 20_000, burst: 50_000 } };

/**
 * The CPU, shared between forces. Checking a batch is a generator that yields after each line;
 * the scheduler runs one force's work for a slice (a few milliseconds), then chooses again, and
 * lets the event loop answer other requests (`/healthz`, other forces' bodies) between slices.
 * The force chosen is the one that has used the least CPU lately (its use decays by half every
 * second): a force sending little is served at once, ahead of one that has been busy, and two
 * busy forces take turns. A force's own batches run one after another within its share, so four
 * 10 MiB batches from one force take their share of the CPU, not all of it.
 */
export class FairScheduler {
  /** Forces with work waiting, each with its queue. */
  private readonly queues = new Map<string, Task[]>();
  /** CPU each force has used lately, in ms, as of `at`. */
  private readonly used = new Map<string, { ms: number; at: number }>();
  private scheduled = false;

  constructor(private readonly sliceMs = 4, private readonly clock: () => number = () => performance.now(), private readonly halfLifeMs = 1_000) {}

  /** Runs `work` to its end in this force's turns; resolves with what it returns. */
  run<T>(force: string, work: Generator<unknown, T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const queue = this.queues.get(force);
      const task: Task = { work, resolve: resolve as (value: unknown) => void, reject };
      if (queue) queue.push(task);
      else this.queues.set(force, [task]);
      this.schedule();
    });
  }

  /** Forces with work waiting or running. */
  get busy(): number {
    return this.queues.size;
  }

  private schedule(): void {
    if (this.scheduled || this.queues.size === 0) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      this.slice();
      this.schedule();
    });
  }

  /** A force's recent use, decayed to now. */
  private usage(force: string, now: number): number {
    const u = this.used.get(force);
    return u ? u.ms * 0.5 ** ((now - u.at) / this.halfLifeMs) : 0;
  }

  /** The force with work that has used the least lately (the first queued among equals). */
  private next(now: number): string | undefined {
    let best: string | undefined;
    let least = Infinity;
    for (const force of this.queues.keys()) {
      const u = this.usage(force, now);
      if (u < least) {
        least = u;
        best = force;
      }
    }
    return best;
  }

  private slice(): void {
    const started = this.clock();
    const force = this.next(started);
    if (force === undefined) return;
    const queue = this.queues.get(force)!;
    const until = started + this.sliceMs;
    while (queue.length > 0) {
      const task = queue[0]!;
      let finished = false;
      try {
        for (;;) {
          const step = task.work.next();
          if (step.done) {
            finished = true;
            task.resolve(step.value);
            break;
          }
          if (this.clock() >= until) break;
        }
      } catch (error) {
        finished = true;
        task.reject(error);
      }
      if (!finished) break;
      queue.shift();
      if (this.clock() >= until) break;
    }
    const ended = this.clock();
    this.used.set(force, { ms: this.usage(force, ended) + (ended - started), at: ended });
    if (queue.length === 0) this.queues.delete(force);
    // Forget forces idle long enough to have used nothing to speak of.
    if (this.used.size > 64) for (const [f, u] of this.used) if (!this.queues.has(f) && ended - u.at > 10 * this.halfLifeMs) this.used.delete(f);
  }
}

interface Task {
  work: Generator<unknown, unknown>;
  resolve: (value: unknown) => void;
  reject: (error: unknown) => void;
}

/** Runs a generator to its end at once (where no sharing is wanted: tests, the CLI). */
export function drain<T>(work: Generator<unknown, T>): T {
  for (;;) {
    const step = work.next();
    if (step.done) return step.value;
  }
}
