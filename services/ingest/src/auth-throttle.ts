// Repeated bad credentials are slowed down (operations.md): each recent failure from one client
// adds delay before the 401, doubling up to a ceiling. Memory is bounded by forgetting old entries.

const WINDOW_MS = 60_000;
const FREE_FAILURES = 3;
const BASE_DELAY_MS = 250;
const MAX_DELAY_MS = 5_000;
const MAX_CLIENTS = 10_000;

export class AuthThrottle {
  private readonly failures = new Map<string, { count: number; since: number }>();

  /** Records a failure and returns how long to wait before answering it. */
  fail(client: string, now = Date.now()): number {
    const entry = this.failures.get(client);
    const current = entry && now - entry.since < WINDOW_MS ? entry : { count: 0, since: now };
    current.count += 1;
    this.failures.delete(client);
    this.failures.set(client, current);
    if (this.failures.size > MAX_CLIENTS) {
      const oldest = this.failures.keys().next().value;
      if (oldest !== undefined) this.failures.delete(oldest);
    }
    const over = current.count - FREE_FAILURES;
    return over <= 0 ? 0 : Math.min(MAX_DELAY_MS, BASE_DELAY_MS * 2 ** (over - 1));
  }
}
