// validate's memory in PostgreSQL: the StateReader of state-step.ts over the current transaction,
// and the writes of its changes. One statement per kind, whatever the batch size.
import type { PoolClient } from '@vawg/db';
import type { ValidMessage } from '@vawg/contracts';
import { key, type ForceKey, type HeldEvent, type HoldRule, type KnownEvent, type StateChanges, type StateReader, type EventState } from './state-step.ts';

const forces = (keys: ForceKey[]) => keys.map(([force]) => force);
const values = (keys: ForceKey[]) => keys.map(([, value]) => value);

export function createStateReader(client: PoolClient): StateReader {
  return {
    async knownEvents(keys) {
      const known = new Map<string, KnownEvent>();
      if (keys.length === 0) return known;
      const { rows } = await client.query<{ force: string; event_id: string; content_sha256: string; state: EventState; type: string | null }>(
        `SELECT e.force, e.event_id::text, e.content_sha256, e.state, e.type FROM validate.events e
           JOIN unnest($1::text[], $2::uuid[]) AS k(force, event_id) USING (force, event_id)`, [forces(keys), values(keys)]);
      for (const r of rows) known.set(key(r.force, r.event_id), { hash: r.content_sha256, state: r.state, type: r.type });
      return known;
    },
    async grantedOrders(keys) {
      if (keys.length === 0) return new Set();
      const { rows } = await client.query<{ force: string; order_ref: string }>(
        `SELECT g.force, g.order_ref FROM validate.granted_orders g
           JOIN unnest($1::text[], $2::text[]) AS k(force, order_ref) USING (force, order_ref)`, [forces(keys), values(keys)]);
      return new Set(rows.map((r) => key(r.force, r.order_ref)));
    },
    async heldAwaiting(rule: HoldRule, keys) {
      if (keys.length === 0) return [];
      // Locked: the expiry sweep skips what a batch is about to release, and waits on nothing.
      const { rows } = await client.query<{ force: string; event_id: string; awaiting: string; received_at: Date; message: string }>(
        `SELECT h.force, h.event_id::text, h.awaiting, h.received_at, h.message FROM validate.held h
           JOIN unnest($1::text[], $2::text[]) AS k(force, awaiting) USING (force, awaiting)
          WHERE h.rule = $3 ORDER BY h.received_at, h.event_id FOR UPDATE OF h`, [forces(keys), values(keys), rule]);
      return rows.map((r): HeldEvent => ({ force: r.force, eventId: r.event_id, rule, awaiting: r.awaiting, receivedAt: r.received_at.toISOString(), message: JSON.parse(r.message) as ValidMessage }));
    },
    async heldEvents(keys) {
      if (keys.length === 0) return [];
      const { rows } = await client.query<{ force: string; event_id: string; rule: HoldRule; awaiting: string; received_at: Date; message: string }>(
        `SELECT h.force, h.event_id::text, h.rule, h.awaiting, h.received_at, h.message FROM validate.held h
           JOIN unnest($1::text[], $2::uuid[]) AS k(force, event_id) USING (force, event_id)
          ORDER BY h.received_at, h.event_id FOR UPDATE OF h`, [forces(keys), values(keys)]);
      return rows.map((r): HeldEvent => ({ force: r.force, eventId: r.event_id, rule: r.rule, awaiting: r.awaiting, receivedAt: r.received_at.toISOString(), message: JSON.parse(r.message) as ValidMessage }));
    },
  };
}

export async function writeChanges(client: PoolClient, changes: StateChanges): Promise<void> {
  // Forgotten first: a repeat later in the batch may have been judged afresh and remembered again.
  if (changes.forgotten.length > 0) {
    await client.query(
      `DELETE FROM validate.events e USING unnest($1::text[], $2::uuid[]) AS k(force, event_id) WHERE e.force = k.force AND e.event_id = k.event_id`,
      [changes.forgotten.map((e) => e.force), changes.forgotten.map((e) => e.eventId)]);
  }
  const events = [...changes.events.values()];
  if (events.length > 0) {
    await client.query(
      `INSERT INTO validate.events (force, event_id, content_sha256, state, type)
       SELECT * FROM unnest($1::text[], $2::uuid[], $3::text[], $4::text[], $5::text[])
       ON CONFLICT (force, event_id) DO UPDATE SET content_sha256 = excluded.content_sha256, state = excluded.state, type = excluded.type`,
      [events.map((e) => e.force), events.map((e) => e.eventId), events.map((e) => e.hash), events.map((e) => e.state), events.map((e) => e.type)]);
  }
  if (changes.granted.length > 0) {
    await client.query(
      `INSERT INTO validate.granted_orders (force, order_ref) SELECT * FROM unnest($1::text[], $2::text[]) ON CONFLICT DO NOTHING`,
      [changes.granted.map((g) => g.force), changes.granted.map((g) => g.orderRef)]);
  }
  if (changes.holdsRemoved.length > 0) {
    await client.query(
      `DELETE FROM validate.held h USING unnest($1::text[], $2::uuid[]) AS k(force, event_id) WHERE h.force = k.force AND h.event_id = k.event_id`,
      [changes.holdsRemoved.map((h) => h.force), changes.holdsRemoved.map((h) => h.eventId)]);
  }
  const held = [...changes.holdsAdded.values()];
  if (held.length > 0) {
    await client.query(
      `INSERT INTO validate.held (force, event_id, rule, awaiting, received_at, message)
       SELECT * FROM unnest($1::text[], $2::uuid[], $3::text[], $4::text[], $5::timestamptz[], $6::text[])
       ON CONFLICT (force, event_id) DO NOTHING`,
      [held.map((h) => h.force), held.map((h) => h.eventId), held.map((h) => h.rule), held.map((h) => h.awaiting),
        held.map((h) => h.receivedAt), held.map((h) => JSON.stringify(h.message))]);
  }
}
