// The scenario that once stalled a partition in silence, on both buses: a breach of an order sent
// before the order's grant, then the breach retracted, then the grant. Every accepted event is
// accounted for, the publication is complete, and its cells equal the reference recompute.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCredential } from '@vawg/ingest';
import { publishPeriod } from '@vawg/publish';
import { compareWithReference } from '@vawg/aggregate';
import { readAccounting } from '@vawg/pipeline';
import type { ForceEvent } from '@vawg/contracts';
import type { PublishedRow } from '@vawg/kpi';
import { eventually } from '@vawg/testing';
import { startStackFixture, type BusKind, type StackFixture } from './stack-fixture.ts';

const event = (type: string, occurredAt: string, payload: object): ForceEvent =>
  ({ eventId: randomUUID(), type, schemaVersion: 1, force: 'kent', occurredAt, producedAt: `${occurredAt}T10:00:00Z`, payload }) as ForceEvent;

async function send(stack: StackFixture, token: string, events: ForceEvent[]): Promise<void> {
  const response = await fetch(`${stack.url}/v1/events`, {
    method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/x-ndjson' }, body: events.map((e) => JSON.stringify(e)).join('\n'),
  });
  expect(response.status).toBe(202);
  expect(await response.json()).toMatchObject({ accepted: events.length, refused: 0 });
}

describe.each<BusKind>(['postgres', 'kafka'])('a breach before its grant, retracted, then the grant, on the %s bus', (kind) => {
  let stack: StackFixture;
  let token: string;
  beforeAll(async () => {
    stack = await startStackFixture(kind);
    token = await createCredential(stack.pool, { role: 'force', force: 'kent' });
  }, 120_000);
  afterAll(async () => stack?.stop());

  it('never stalls, counts the breach nowhere, and publishes a complete report equal to the reference', async () => {
    const applied = event('order.applied', '2025-05-01', { orderRef: 'O-77', orderType: 'dvpo' });
    const breach = event('order.breached', '2025-05-10', { orderRef: 'O-77' });
    const retraction = event('event.retracted', '2025-05-11', { eventId: breach.eventId, reason: 'sent in error' });
    const grant = event('order.decided', '2025-05-02', { orderRef: 'O-77', decision: 'granted' });
    const later = event('order.breached', '2025-05-20', { orderRef: 'O-77' });
    // Each in its own submission, in the order that used to stall validate for ever.
    for (const e of [applied, breach, retraction, grant, later]) await send(stack, token, [e]);

    await eventually(async () => expect((await readAccounting(stack.pool, new Date())).pending).toEqual({ validate: 0, aggregate: 0 }), { timeoutMs: 60_000 });
    // Every stage says it is ready, and how far behind it is: nowhere.
    const operator = await createCredential(stack.pool, { role: 'operator', force: null });
    // Without an operator's credential, readiness only: the lag tells of each force's activity.
    expect(Object.keys(await (await fetch(`${stack.url}/readyz`)).json() as object).sort()).toEqual(['checks', 'status']);
    await eventually(async () => {
      const ready = await (await fetch(`${stack.url}/readyz`, { headers: { authorization: `Bearer ${operator}` } })).json() as { status: string; checks: Record<string, boolean>; lag: Record<string, { messages: number }> };
      expect(ready).toMatchObject({ status: 'ready', checks: { validate: true, aggregate: true, refusals: true } });
      expect(Object.fromEntries(Object.entries(ready.lag).map(([stage, lag]) => [stage, lag.messages]))).toEqual({ refusals: 0, validate: 0, aggregate: 0 });
    }, { timeoutMs: 30_000 });
    const accounting = await readAccounting(stack.pool, new Date());
    expect(accounting).toMatchObject({ accepted: 5, counted: 4, withdrawn: 1, held: 0, deadLettered: 0, duplicates: 0, refused: 0 });

    const result = await publishPeriod({ pool: stack.pool, store: stack.store, serviceVersion: 'test', completenessWaitMs: 10_000 }, '2025-H1');
    expect(result.completeness).toMatchObject({ accepted: 5, counted: 4, withdrawn: 1, notYetProcessed: 0, complete: true });
    const cells = JSON.parse((await stack.store.get(`${result.prefix}cells.json`))!.toString()) as PublishedRow[];
    const kent = (measure: string) => cells.find((r) => r.period === '2025-05' && r.geography === 'kent' && r.measure === measure && r.split === 'all')?.value;
    expect([kent('orders-applied'), kent('orders-granted'), kent('orders-breached')]).toEqual([1, 1, 1]);
    const comparison = await compareWithReference(stack.pool);
    expect(comparison.differences).toEqual([]);
    expect(comparison.checked).toBeGreaterThan(0);
  }, 120_000);
});
