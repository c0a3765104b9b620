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
