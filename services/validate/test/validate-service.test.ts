// validate on the real broker and PostgreSQL: state rules end to end, and expiry of holds.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomUUID } from 'node:crypto';
import { createKafkaBus, type Bus, type Subscription } from '@vawg/bus';
import { createPool, type Pool } from '@vawg/db';
import { topicsFor, type FailureRecord, type ForceEvent, type RawMessage, type ValidMessage } from '@vawg/contracts';
import { silentLogger } from '@vawg/log';
import { createRegistry } from '@vawg/metrics';
import { createTestDatabase, eventually, kafkaBrokers, uniqueName, type TestDatabase } from '@vawg/testing';
import { expireHolds, startValidate } from '../src/index.ts';

const DAY = 86_400_000;

describe('validate with its state', () => {
  let db: TestDatabase;
  let pool: Pool;
  let bus: Bus;
  let validate: Subscription;
  const subscriptions: Subscription[] = [];
  const topics = topicsFor(uniqueName('validate'));
  const valid: ValidMessage[] = [];
  const refused: FailureRecord[] = [];
  const deps = () => ({ pool, bus, topics, serviceVersion: 'validate@test' });

  const event = (type: string, payload: object, occurredAt = '2025-05-01'): ForceEvent =>
    ({ eventId: randomUUID(), type, schemaVersion: 1, force: 'kent', occurredAt, producedAt: `${occurredAt}T10:00:00Z`, payload }) as ForceEvent;
  const send = (events: unknown[], receivedAt = new Date()) => bus.publish(topics.raw, events.map((e, i): { key: string; value: string } => {
    const raw: RawMessage = { v: 1, submissionId: randomUUID(), line: i + 1, force: 'kent', receivedAt: receivedAt.toISOString(), event: e };
    return { key: 'kent', value: JSON.stringify(raw) };
  }));

  beforeAll(async () => {
    db = await createTestDatabase();
    pool = createPool(db.url);
    bus = createKafkaBus({ brokers: kafkaBrokers(), clientId: 'validate-test' });
    validate = await startValidate({ ...deps(), registry: createRegistry(), log: silentLogger() });
    const collect = <T>(topic: string, into: T[]) => bus.subscribe({ groupId: uniqueName('peek'), topics: [topic], handler: (b) => {
      into.push(...b.messages.map((m) => JSON.parse(m.value.toString()) as T));
      return Promise.resolve();
    } });
    subscriptions.push(await collect(topics.valid, valid), await collect(topics.refused, refused));
  });
  afterAll(async () => {
    await validate.stop();
    for (const s of subscriptions) await s.stop();
    await bus.close();
    await pool.end();
    await db.drop();
  });

  it('passes, drops, refuses, holds and releases as the rules say', async () => {
    const applied = event('order.applied', { orderRef: 'OR-1', orderType: 'dvpo' });
    const breach = event('order.breached', { orderRef: 'OR-1' });
    const conflicting = { ...applied, payload: { orderRef: 'OR-1', orderType: 'dapo' } };
    const retraction = event('event.retracted', { eventId: applied.eventId, reason: 'sent in error' });
    await send([breach, retraction, { ...applied, payload: { orderRef: 'OR-1' } }]);
    await send([applied, applied, conflicting]);
    const grant = event('order.decided', { orderRef: 'OR-1', decision: 'granted' }, '2025-05-03');
    await send([grant]);

    await eventually(() => expect(valid.map((m) => m.event.eventId)).toEqual([applied.eventId, retraction.eventId, grant.eventId, breach.eventId]));
    await eventually(() => expect(refused.map((r) => r.code).sort()).toEqual(['event.conflict', 'payload.orderType.missing']));
    expect(refused.find((r) => r.code === 'event.conflict')).toMatchObject({ type: 'failure.validate', eventId: applied.eventId, original: conflicting, serviceVersion: 'validate@test' });
  });

  it('refuses holds that waited more than 30 days, and only those', async () => {
    const now = Date.now();
    // Received at noon 31 days ago, after the events' producedAt (10:00 that day): before 10:00 UTC,
    // "31 days ago, now" would be before it, and the old events refused as produced in the future.
    const old = new Date(now - 31 * DAY);
    old.setUTCHours(12, 0, 0, 0);
    const oldBreach = event('order.breached', { orderRef: 'OR-90' }, old.toISOString().slice(0, 10));
    const oldRetraction = event('event.retracted', { eventId: randomUUID(), reason: 'duplicate record' }, old.toISOString().slice(0, 10));
    const recentBreach = event('order.breached', { orderRef: 'OR-91' });
    await send([oldBreach, oldRetraction], old);
    await send([recentBreach]);
    await eventually(async () => {
      const { rows } = await pool.query<{ n: number }>('SELECT count(*)::int AS n FROM validate.held');
      expect(rows[0]?.n).toBe(3);
    });
    // A submission received a day after the old ones is not validated yet (a backlog, say): it may
    // hold their grant or target, so nothing received within 30 days of it may expire.
    const backlog = randomUUID();
    await pool.query(`INSERT INTO pipeline.progress VALUES ($1, 'ingest', 'accepted', 'kent', $2, 1)`, [backlog, new Date(old.getTime() + DAY)]);
    expect(await expireHolds(deps(), new Date(now))).toBe(0);
    await pool.query(`INSERT INTO pipeline.progress VALUES ($1, 'validate', 'passed', 'kent', $2, 1)`, [backlog, new Date(old.getTime() + DAY)]);
    expect(await expireHolds(deps(), new Date(now))).toBe(2);
    await eventually(() => expect(refused.filter((r) => r.eventId === oldBreach.eventId || r.eventId === oldRetraction.eventId).map((r) => r.code).sort())
      .toEqual(['crime.breach-of-ungranted-order', 'event.retraction-of-unknown-event']));
    expect(await expireHolds(deps(), new Date(now))).toBe(0);
    // The refused breach is forgotten: sent again after its grant, it now counts.
    await send([event('order.decided', { orderRef: 'OR-90', decision: 'granted' }), oldBreach]);
    await eventually(() => expect(valid.some((m) => m.event.eventId === oldBreach.eventId)).toBe(true));
  });
});
