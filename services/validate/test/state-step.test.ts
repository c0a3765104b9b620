import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import type { ForceEvent, ValidMessage } from '@vawg/contracts';
import { applyState } from '../src/state-step.ts';
import { MemoryState } from './memory-state.ts';

let n = 0;
const id = () => `00000000-0000-4000-8000-${String(++n).padStart(12, '0')}`;
const envelope = { schemaVersion: 1 as const, force: 'kent', occurredAt: '2025-05-01', producedAt: '2025-05-01T10:00:00Z' };
const msg = (event: ForceEvent): ValidMessage => ({ v: 1, submissionId: '0b8f2a8e-3c1d-4e5f-8a9b-1c2d3e4f5a6b', line: 1, force: event.force, receivedAt: '2025-05-02T09:00:00.000Z', event });
const granted = (orderRef: string, eventId = id()): ForceEvent => ({ ...envelope, eventId, type: 'order.decided', payload: { orderRef, decision: 'granted' } });
const breach = (orderRef: string, eventId = id()): ForceEvent => ({ ...envelope, eventId, type: 'order.breached', payload: { orderRef } });
const retraction = (target: string, eventId = id()): ForceEvent => ({ ...envelope, eventId, type: 'event.retracted', payload: { eventId: target, reason: 'sent in error' } });
const applied = (orderRef: string, eventId = id(), orderType = 'dvpo'): ForceEvent => ({ ...envelope, eventId, type: 'order.applied', payload: { orderRef, orderType } });

async function run(state: MemoryState, events: ForceEvent[]) {
  const result = await applyState(events.map(msg), state);
  state.apply(result.changes);
  return { outcomes: result.outcomes.map((o) => o.type), emitted: result.emitted.map((m) => m.event.eventId) };
}

describe('the rules of state', () => {
  it('drops an exact repeat quietly and refuses the same eventId with other content', async () => {
    const state = new MemoryState();
    const a = applied('O-1');
    expect(await run(state, [a, a])).toEqual({ outcomes: ['pass', 'drop'], emitted: [a.eventId] });
    const again = await applyState([msg(applied('O-1', a.eventId, 'dapo')), msg(a)], state);
    expect(again.outcomes).toMatchObject([{ type: 'refuse', code: 'event.conflict' }, { type: 'drop' }]);
    expect(again.emitted).toEqual([]);
  });

  it('holds a breach until its order is granted, then passes it after the grant, in a later batch or the same', async () => {
    const state = new MemoryState();
    const b = breach('O-2');
    expect(await run(state, [b])).toEqual({ outcomes: ['hold'], emitted: [] });
    const g = granted('O-2');
    expect(await run(state, [g])).toEqual({ outcomes: ['pass'], emitted: [g.eventId, b.eventId] });
    expect(state.held.size).toBe(0);
    const later = breach('O-2');
    expect(await run(state, [later])).toEqual({ outcomes: ['pass'], emitted: [later.eventId] });

    const b3 = breach('O-3');
    const g3 = granted('O-3');
    expect(await run(new MemoryState(), [b3, g3])).toEqual({ outcomes: ['hold', 'pass'], emitted: [g3.eventId, b3.eventId] });
  });

  it('holds a retraction of an unknown event until the event arrives, then passes it after', async () => {
    const state = new MemoryState();
    const target = applied('O-4');
    const r = retraction(target.eventId);
    expect(await run(state, [r])).toEqual({ outcomes: ['hold'], emitted: [] });
    expect(await run(state, [target])).toEqual({ outcomes: ['pass'], emitted: [target.eventId, r.eventId] });
  });

  it('withdraws a held breach that is retracted, whichever comes first', async () => {
    const state = new MemoryState();
    const b = breach('O-5');
    const r = retraction(b.eventId);
    expect(await run(state, [b, r])).toEqual({ outcomes: ['hold', 'pass'], emitted: [r.eventId] });
    expect(await run(state, [granted('O-5')])).toMatchObject({ emitted: [expect.any(String)] });

    const other = new MemoryState();
    const b2 = breach('O-6');
    const r2 = retraction(b2.eventId);
    expect(await run(other, [r2])).toEqual({ outcomes: ['hold'], emitted: [] });
    expect(await run(other, [b2])).toEqual({ outcomes: ['hold'], emitted: [r2.eventId] });
    expect(other.held.size).toBe(0);
  });

  it('refuses a retraction of a retraction', async () => {
    const state = new MemoryState();
    const target = applied('O-8');
    const r = retraction(target.eventId);
    await run(state, [target, r]);
    const undo = await applyState([msg(retraction(r.eventId))], state);
    expect(undo.outcomes).toMatchObject([{ type: 'refuse', code: 'event.retraction-of-retraction' }]);
    expect(undo.emitted).toEqual([]);
  });

  it('releases chains: a grant releases a breach, which releases the retraction waiting for it', async () => {
    const state = new MemoryState();
    const b = breach('O-7');
    const r = retraction(b.eventId);
    const g = granted('O-7');
    await run(state, [b]);
    // The retraction now finds its target held, so it withdraws it instead of waiting.
    expect(await run(state, [r, g])).toEqual({ outcomes: ['pass', 'pass'], emitted: [r.eventId, g.eventId] });
  });

  it('has the same effect, emits each event once and after what it waited for, whatever the arrival order and batching (property)', async () => {
    const base: ForceEvent[] = [
      granted('A'), granted('B'), applied('A'), applied('C'),
      breach('A'), breach('A'), breach('B'), breach('C'),
    ];
    const withRetractions = [...base, retraction(base[2]!.eventId), retraction(base[6]!.eventId), retraction(id())];
    const universe = withRetractions;
    const arrivals = fc.array(fc.constantFrom(...universe), { maxLength: 6 })
      .chain((repeats) => fc.shuffledSubarray([...universe, ...repeats], { minLength: universe.length + repeats.length }))
      .chain((arrival) => fc.array(fc.integer({ min: 1, max: 4 }), { minLength: arrival.length, maxLength: arrival.length }).map((sizes) => ({ arrival, sizes })));
    let reference: string[] | null = null;
    await fc.assert(fc.asyncProperty(arrivals, async ({ arrival, sizes }) => {
      const state = new MemoryState();
      const emitted: string[] = [];
      for (let i = 0, b = 0; i < arrival.length; i += sizes[b++]!) emitted.push(...(await run(state, arrival.slice(i, i + sizes[b]!))).emitted);
      expect(new Set(emitted).size).toBe(emitted.length);
      const byId = new Map(universe.map((e) => [e.eventId, e]));
      emitted.forEach((eventId, at) => {
        const e = byId.get(eventId)!;
        if (e.type === 'order.breached') expect(emitted.slice(0, at).some((x) => { const g = byId.get(x)!; return g.type === 'order.decided' && g.payload.orderRef === e.payload.orderRef; })).toBe(true);
      });
      // The effect downstream: what was emitted and not retracted by an emitted retraction.
      const retracted = new Set(emitted.map((x) => byId.get(x)!).flatMap((e) => (e.type === 'event.retracted' ? [e.payload.eventId] : [])));
      const effect = emitted.filter((x) => byId.get(x)!.type !== 'event.retracted' && !retracted.has(x)).sort();
      reference ??= effect;
      expect(effect).toEqual(reference);
    }), { numRuns: 300 });
  });
});
