import { describe, expect, it } from 'vitest';
import { AuthThrottle } from '../src/auth-throttle.ts';

describe('slowing down repeated bad credentials', () => {
  it('lets a few failures through, then doubles the delay up to a ceiling, per client', () => {
    const throttle = new AuthThrottle();
    const delays = Array.from({ length: 10 }, () => throttle.fail('10.0.0.1', 1000));
    expect(delays).toEqual([0, 0, 0, 250, 500, 1000, 2000, 4000, 5000, 5000]);
    expect(throttle.fail('10.0.0.2', 1000)).toBe(0);
  });

  it('forgets failures after a minute (a good credential in between does not clear them)', () => {
    const throttle = new AuthThrottle();
    for (let i = 0; i < 5; i++) throttle.fail('d', 0);
    expect(throttle.fail('d', 61_000)).toBe(0);
  });
});
