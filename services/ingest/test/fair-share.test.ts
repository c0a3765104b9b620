import { describe, expect, it } from 'vitest';
import { drain, EventBuckets, FairScheduler, Slots } from '../src/fair-share.ts';

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

  it('shares the CPU between forces in turns, a slice each, whatever one force has queued', async () => {
    // A clock that moves one tick a step: each slice is 3 steps.
    let tick = 0;
    const cpu = new FairScheduler(3, () => tick++);
    const log: string[] = [];
    function* work(name: string, steps: number): Generator<void, string> {
      for (let i = 0; i < steps; i += 1) {
        log.push(name);
        yield;
      }
      return `${name} done`;
    }
    const done: string[] = [];
    const track = (p: Promise<string>) => p.then((v) => done.push(v));
    await Promise.all([
      track(cpu.run('kent', work('k1', 30))), track(cpu.run('kent', work('k2', 30))), track(cpu.run('kent', work('k3', 30))),
      track(cpu.run('essex', work('e1', 5))),
    ]);
    // Essex's small batch is finished long before kent's three, though it was queued after them.
    expect(done).toEqual(['e1 done', 'k1 done', 'k2 done', 'k3 done']);
    expect(log.indexOf('e1')).toBeLessThan(log.indexOf('k1') + 10);
    expect(log.filter((n) => n === 'e1')).toHaveLength(5);
    expect(cpu.busy).toBe(0);
  });

  it('serves first the force that has used the least lately: a small batch runs through while a busy force waits', async () => {
    let tick = 0;
    const cpu = new FairScheduler(3, () => tick++, 1_000_000);
    const log: string[] = [];
    function* work(name: string, steps: number): Generator<void, void> {
      for (let i = 0; i < steps; i += 1) {
        log.push(name);
        yield;
      }
    }
    const busy = cpu.run('kent', work('k', 30_000));
    // Kent has had the CPU a while before essex's batch comes.
    await new Promise((resolve) => setTimeout(resolve, 5));
    const before = log.length;
    expect(before).toBeGreaterThan(0);
    await cpu.run('essex', work('e', 12));
    expect(log.length).toBeLessThan(30_000 + 12);
    // Essex's twelve steps, over several slices, ran without a slice of kent's between them.
    const essex = log.slice(before).filter((n) => n === 'e');
    expect(essex).toHaveLength(12);
    const first = log.indexOf('e');
    expect(log.slice(first, first + 12)).toEqual(essex);
    await busy;
  });

  it('rejects the work that throws, and goes on with the rest', async () => {
    const cpu = new FairScheduler();
    function* failing(): Generator<void, number> {
      yield;
      throw new Error('bad line');
    }
    function* fine(): Generator<void, number> {
      yield;
      return 7;
    }
    const [a, b] = await Promise.allSettled([cpu.run('kent', failing()), cpu.run('kent', fine())]);
    expect(a).toMatchObject({ status: 'rejected', reason: new Error('bad line') });
    expect(b).toEqual({ status: 'fulfilled', value: 7 });
    expect(drain(fine())).toBe(7);
  });
});
