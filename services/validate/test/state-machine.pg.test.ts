// validate's rules of state on real PostgreSQL, against a model (state-model.ts): any order, any
// repeats, any retractions of applications, decisions, breaches, outcomes and suspects, in any
// batching. Each batch runs as the service runs it: read and lock the state, decide, write the
// changes, commit. A state the schema does not allow fails the write, and so the property.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { createPool, migrate, withTransaction, type Pool } from '@vawg/db';
import type { ForceEvent, ValidMessage } from '@vawg/contracts';
import { createTestDatabase, type TestDatabase } from '@vawg/testing';
import { applyState, eventStates } from '../src/state-step.ts';
import { createStateReader, writeChanges } from '../src/state-store.ts';
import { validateMigrations } from '../src/validate-service.ts';
import { arbitraryHistory, model } from './state-model.ts';

const message = (event: ForceEvent, line: number): ValidMessage =>
  ({ v: 1, submissionId: '0b8f2a8e-3c1d-4e5f-8a9b-1c2d3e4f5a6b', line, force: event.force, receivedAt: '2025-06-01T09:00:00.000Z', event });

describe('validate state machine on PostgreSQL', () => {
  let db: TestDatabase;
  let pool: Pool;

  beforeAll(async () => {
    db = await createTestDatabase();
    pool = createPool(db.url);
    await migrate(pool, validateMigrations);
  });
  afterAll(async () => {
    await pool?.end();
    await db?.drop();
  });

  it('allows in the schema exactly the states the code can write', async () => {
    const { rows } = await pool.query<{ definition: string }>(
      `SELECT pg_get_constraintdef(oid) AS definition FROM pg_constraint WHERE conrelid = 'validate.events'::regclass AND contype = 'c'`);
    const allowed = [...(rows[0]?.definition ?? '').matchAll(/'([a-z-]+)'::text/g)].map((m) => m[1]);
    expect(rows).toHaveLength(1);
    expect(allowed.sort()).toEqual([...eventStates].sort());
  });

  it('a breach before its grant, then the breach retracted, then the grant: nothing stalls, the breach never counts', async () => {
    const breach: ForceEvent = { eventId: '00000000-0000-4000-8000-000000000101', type: 'order.breached', schemaVersion: 1, force: 'kent', occurredAt: '2025-05-02', producedAt: '2025-05-02T10:00:00Z', payload: { orderRef: 'O-9' } };
    const retraction: ForceEvent = { eventId: '00000000-0000-4000-8000-000000000102', type: 'event.retracted', schemaVersion: 1, force: 'kent', occurredAt: '2025-05-03', producedAt: '2025-05-03T10:00:00Z', payload: { eventId: breach.eventId, reason: 'sent in error' } };
    const grant: ForceEvent = { eventId: '00000000-0000-4000-8000-000000000103', type: 'order.decided', schemaVersion: 1, force: 'kent', occurredAt: '2025-05-01', producedAt: '2025-05-04T10:00:00Z', payload: { orderRef: 'O-9', decision: 'granted' } };
    const emitted = await run([[breach], [retraction], [grant]]);
    expect(emitted.map((m) => m.event.eventId)).toEqual([retraction.eventId, grant.eventId]);
    expect(await states()).toEqual(new Map([[breach.eventId, 'withdrawn'], [retraction.eventId, 'passed'], [grant.eventId, 'passed']]));
  });

  it('ends as the model says, whatever the order, repeats and batching (property)', async () => {
    await fc.assert(fc.asyncProperty(arbitraryHistory, async ({ arrivals, batches }) => {
      await pool.query('TRUNCATE validate.events, validate.held, validate.granted_orders');
      const outcomes: { event: ForceEvent; outcome: string; code?: string }[] = [];
      const lateRefusals: { eventId: string; code: string }[] = [];
      const emitted: ForceEvent[] = [];
      const fates = new Map<string, number>();
      for (const batch of batches) {
        await withTransaction(pool, async (client) => {
          const result = await applyState(batch.map(message), createStateReader(client));
          await writeChanges(client, result.changes);
          result.outcomes.forEach((o, i) => outcomes.push({ event: batch[i]!, outcome: o.type, ...(o.type === 'refuse' ? { code: o.code } : {}) }));
          lateRefusals.push(...result.lateRefusals.map((r) => ({ eventId: r.message.event.eventId, code: r.code })));
          emitted.push(...result.emitted.map((m) => m.event));
          for (const f of result.fates) {
            if (f.from) fates.set(f.from, (fates.get(f.from) ?? 0) - 1);
            fates.set(f.to, (fates.get(f.to) ?? 0) + 1);
          }
        });
      }
      const expected = model(arrivals);

      // Each event reaches aggregate at most once, and a breach only after a grant of its order.
      const ids = emitted.map((e) => e.eventId);
      expect(new Set(ids).size).toBe(ids.length);
      emitted.forEach((e, at) => {
        if (e.type !== 'order.breached') return;
        expect(emitted.slice(0, at).some((g) => g.type === 'order.decided' && g.payload.decision === 'granted' && g.payload.orderRef === e.payload.orderRef)).toBe(true);
      });
      // The effect downstream: passed, and not retracted by a retraction that passed.
      const retractions = emitted.filter((e) => e.type === 'event.retracted');
      const retracted = new Set(retractions.map((e) => (e.type === 'event.retracted' ? e.payload.eventId : '')));
      expect(new Set(emitted.filter((e) => e.type !== 'event.retracted' && !retracted.has(e.eventId)).map((e) => e.eventId))).toEqual(expected.standing);
      expect(new Set(retractions.map((e) => e.eventId))).toEqual(expected.retractions);
      const held = new Set((await pool.query<{ id: string }>('SELECT event_id::text AS id FROM validate.held')).rows.map((r) => r.id));

      // Refusals: every conflict, and each retraction of a retraction (at once or when its target came).
      expect(outcomes.filter((o) => o.code === 'event.conflict')).toHaveLength(expected.conflicts);
      const retRet = [...outcomes.filter((o) => o.code === 'event.retraction-of-retraction').map((o) => o.event.eventId), ...lateRefusals.map((r) => r.eventId)];
      // Either fate for a retraction of a refused retraction (a copy refused while its target was
      // held, another held once the target was refused and forgotten): never counted, never lost.
      for (const id of expected.heldOrRefused) expect(held.has(id) || retRet.includes(id)).toBe(true);
      expect(new Set(retRet.filter((id) => !expected.heldOrRefused.has(id)))).toEqual(expected.retractionsOfRetractions);
      expect(new Set([...held].filter((id) => !expected.heldOrRefused.has(id)))).toEqual(expected.held);

      // What is remembered: passed iff it went on, held iff still waiting, withdrawn iff retracted while held.
      const remembered = await states();
      for (const [id, state] of remembered) {
        if (state === 'passed') expect(ids).toContain(id);
        if (state === 'held') expect(held.has(id)).toBe(true);
        if (state === 'withdrawn') expect(retracted.has(id) && !ids.includes(id)).toBe(true);
      }
      for (const id of expected.retractionsOfRetractions) expect(remembered.has(id)).toBe(false);

      // The fates the submissions' progress counts: one per arrival, and they end as the state does.
      expect([...fates.values()].reduce((a, b) => a + b, 0)).toBe(arrivals.length);
      expect(fates.get('passed') ?? 0).toBe(emitted.length);
      expect(fates.get('held') ?? 0).toBe(held.size);
      expect(fates.get('withdrawn') ?? 0).toBe([...remembered.values()].filter((state) => state === 'withdrawn').length);
      expect(fates.get('refused') ?? 0).toBe(outcomes.filter((o) => o.outcome === 'refuse').length + lateRefusals.length);
      expect(fates.get('duplicate') ?? 0).toBe(outcomes.filter((o) => o.outcome === 'drop').length);
    }), { numRuns: 150 });
  }, 300_000);

  async function run(batches: ForceEvent[][]): Promise<ValidMessage[]> {
    await pool.query('TRUNCATE validate.events, validate.held, validate.granted_orders');
    const emitted: ValidMessage[] = [];
    for (const batch of batches) {
      await withTransaction(pool, async (client) => {
        const result = await applyState(batch.map(message), createStateReader(client));
        await writeChanges(client, result.changes);
        emitted.push(...result.emitted);
      });
    }
    return emitted;
  }

  async function states(): Promise<Map<string, string>> {
    const { rows } = await pool.query<{ id: string; state: string }>('SELECT event_id::text AS id, state FROM validate.events');
    return new Map(rows.map((r) => [r.id, r.state]));
  }
});
