// The stage runner's rules as pure behaviour over a handler that commits a batch all or nothing,
// as validate and aggregate do: any poison messages, any transient failures, any batch size.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import type { Batch, ConsumedMessage } from '@vawg/bus';
import { silentLogger } from '@vawg/log';
import { createRegistry } from '@vawg/metrics';
import { createStageRunner, PoisonMessage, type Failure } from '../src/index.ts';

const message = (offset: number): ConsumedMessage => ({ topic: 't', partition: 0, offset, key: 'kent', value: Buffer.from(`m${offset}`), headers: {}, timestamp: 0 });
const batchOf = (offsets: number[]): Batch => ({ topic: 't', partition: 0, messages: offsets.map(message), heartbeat: () => Promise.resolve() });
const transient = () => Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' });
const constraint = () => Object.assign(new Error('new row violates check constraint'), { code: '23514' });

interface World {
  committed: number[];
  deadLettered: { offset: number; failure: Failure }[];
  handled: number;
}

function harness(options: { poison: Set<number>; transientCalls?: Set<number>; namesPoison?: boolean; healthy?: () => boolean }) {
  const world: World = { committed: [], deadLettered: [], handled: 0 };
  const registry = createRegistry();
  const runner = createStageRunner({
    stage: 'aggregate',
    registry,
    log: silentLogger(),
    backoffMs: { first: 1, most: 4 },
    healthy: () => Promise.resolve(options.healthy?.() ?? true),
    handle: (batch) => {
      world.handled += 1;
      if (options.transientCalls?.has(world.handled)) return Promise.reject(transient());
      const bad = batch.messages.find((m) => options.poison.has(m.offset));
      if (bad) return Promise.reject(options.namesPoison ? new PoisonMessage(bad.offset, 'undecodable') : constraint());
      world.committed.push(...batch.messages.map((m) => m.offset));
      return Promise.resolve();
    },
    deadLetter: (m, failure) => {
      world.deadLettered.push({ offset: m.offset, failure });
      return Promise.resolve();
    },
  });
  return { world, runner, registry };
}

describe('the stage runner', () => {
  it('processes every good message once, in order, and dead-letters exactly the poisoned ones (property)', async () => {
    await fc.assert(fc.asyncProperty(
      fc.integer({ min: 1, max: 60 }), fc.array(fc.nat(59), { maxLength: 5 }), fc.array(fc.integer({ min: 1, max: 40 }), { maxLength: 6 }), fc.boolean(),
      async (size, poisoned, transientCalls, namesPoison) => {
        const offsets = Array.from({ length: size }, (_, i) => 100 + i);
        const poison = new Set(poisoned.filter((p) => p < size).map((p) => 100 + p));
        const { world, runner } = harness({ poison, transientCalls: new Set(transientCalls), namesPoison });
        await runner.handler(batchOf(offsets));
        expect(world.committed).toEqual(offsets.filter((o) => !poison.has(o)));
        expect(world.deadLettered.map((d) => d.offset)).toEqual([...poison].sort((a, b) => a - b));
        for (const d of world.deadLettered) expect(d.failure.attempts).toBeGreaterThanOrEqual(namesPoison ? 1 : 3);
        expect(runner.ready()).toBe(true);
      }), { numRuns: 200 });
  });

  it('waits out a transient failure for as long as it lasts, not ready meanwhile, and dead-letters nothing', async () => {
    const calls = new Set(Array.from({ length: 30 }, (_, i) => i + 1));
    const { world, runner, registry } = harness({ poison: new Set(), transientCalls: calls });
    let sawNotReady = false;
    const watching = setInterval(() => { if (!runner.ready()) sawNotReady = true; }, 1);
    await runner.handler(batchOf([1, 2, 3]));
    clearInterval(watching);
    expect(world.committed).toEqual([1, 2, 3]);
    expect(world.deadLettered).toEqual([]);
    expect(sawNotReady).toBe(true);
    expect(runner.ready()).toBe(true);
    const failures = await registry.getSingleMetric('vawg_stage_failures_total')!.get();
    expect(failures.values.find((v) => v.labels.kind === 'transient')?.value).toBe(30);
  });

  it('takes an unknown failure for transient while the dependencies do not answer', async () => {
    let healthy = false;
    let handled = 0;
    const { world, runner } = harness({ poison: new Set([2]), healthy: () => healthy });
    const check = setInterval(() => { handled += 1; if (handled > 20) healthy = true; }, 1);
    await runner.handler(batchOf([1, 2, 3]));
    clearInterval(check);
    expect(world.committed).toEqual([1, 3]);
    expect(world.deadLettered.map((d) => d.offset)).toEqual([2]);
    expect(healthy).toBe(true);
  });

  it('takes a statement that times out again and again while the database answers for deterministic', async () => {
    const world: World = { committed: [], deadLettered: [], handled: 0 };
    const runner = createStageRunner({
      stage: 'aggregate', registry: createRegistry(), log: silentLogger(), backoffMs: { first: 1, most: 4 }, healthy: () => Promise.resolve(true),
      handle: (batch) => {
        world.handled += 1;
        if (batch.messages.some((m) => m.offset === 2)) return Promise.reject(Object.assign(new Error('canceling statement due to statement timeout'), { code: '57014' }));
        world.committed.push(...batch.messages.map((m) => m.offset));
        return Promise.resolve();
      },
      deadLetter: (m, failure) => { world.deadLettered.push({ offset: m.offset, failure }); return Promise.resolve(); },
    });
    await runner.handler(batchOf([1, 2, 3]));
    expect(world.committed).toEqual([1, 3]);
    expect(world.deadLettered.map((d) => d.offset)).toEqual([2]);
  });

  it('gives the batch up when stopped in the middle of a retry', async () => {
    const { runner } = harness({ poison: new Set(), transientCalls: new Set(Array.from({ length: 1000 }, (_, i) => i + 1)) });
    const running = runner.handler(batchOf([1]));
    setTimeout(() => runner.stop(), 20);
    await expect(running).rejects.toThrow(/stopping/);
  });
});
