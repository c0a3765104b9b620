import { describe, expect, it } from 'vitest';
import { EventBuckets, Slots } from '../src/fair-share.ts';

describe("each force's fair share", () => {
  it('bounds work in progress per force and in all, and frees a slot once', () => {
    const slots = new Slots({ perForce: 2, total: 3 });
    const a1 = slots.take('kent')!;
    slots.take('kent');
    expect(slots.take('kent')).toBeNull();
    expect(slots.take('essex')).not.toBeNull();
    expect(slots.take('surrey')).toBeNull();
    a1();
    a1();
    expect(slots.take('surrey')).not.toBeNull();
    expect(slots.take('kent')).toBeNull();
  });

  it('lets each force send its rate, with a burst, and tells a force over it when to come back', () => {
    let now = 0;
    const buckets = new EventBuckets({ rate: 1000, burst: 5000 }, () => now);
    expect(buckets.take('kent', 5000)).toEqual({ ok: true });
    expect(buckets.take('kent', 2000)).toEqual({ ok: false, retryAfterSeconds: 2 });
    // Another force is untouched by kent's spending.
    expect(buckets.take('essex', 5000)).toEqual({ ok: true });
    now += 2000;
    expect(buckets.take('kent', 2000)).toEqual({ ok: true });
    expect(buckets.take('kent', 1)).toEqual({ ok: false, retryAfterSeconds: 1 });
    // A batch larger than the burst is taken once the bucket is full.
    now += 10_000;
    expect(buckets.take('kent', 9000)).toEqual({ ok: true });
  });
});
