// The rules that need memory (issue: duplicates, conflicts, breaches of ungranted orders, held
// retractions), decided for a batch in order. Reads go through a StateReader (PostgreSQL in the
// service, a map in tests); the decisions and the state changes come back as plain data.
import type { ValidMessage } from '@vawg/contracts';
import { contentHash } from './content-hash.ts';

export type HoldRule = 'ungranted-order' | 'unknown-target';
/**
 * Every state an event can be remembered in; `validate.events.state` allows exactly these (a test
 * reads the constraint). `withdrawn`: was held, then retracted before it was ever released.
 */
export const eventStates = ['passed', 'held', 'withdrawn'] as const;
export type EventState = (typeof eventStates)[number];
export interface KnownEvent { hash: string; state: EventState; type: string | null }
export interface HeldEvent { force: string; eventId: string; rule: HoldRule; awaiting: string; receivedAt: string; message: ValidMessage }
export type ForceKey = readonly [force: string, value: string];

export interface StateReader {
  knownEvents(keys: ForceKey[]): Promise<Map<string, KnownEvent>>;
  grantedOrders(keys: ForceKey[]): Promise<Set<string>>;
  /** Held events awaiting these keys; the store locks them until the transaction ends. */
  heldAwaiting(rule: HoldRule, keys: ForceKey[]): Promise<HeldEvent[]>;
  /** Held events by their own keys (force, eventId), locked likewise. */
  heldEvents(keys: ForceKey[]): Promise<HeldEvent[]>;
}

export type RefusalCode = 'event.conflict' | 'event.retraction-of-retraction';
export type Outcome =
  | { type: 'pass' }
  | { type: 'drop' }
  | { type: 'refuse'; code: RefusalCode; text: string }
  | { type: 'hold'; rule: HoldRule; awaiting: string };

export interface StateChanges {
  events: Map<string, { force: string; eventId: string; hash: string; state: EventState; type: string | null }>;
  granted: { force: string; orderRef: string }[];
  holdsAdded: Map<string, HeldEvent>;
  holdsRemoved: { force: string; eventId: string }[];
  /** Events no longer remembered: held ones refused when what they waited for came. */
  forgotten: { force: string; eventId: string }[];
}

/** What became of an event: each decision, and each later change of a held event's fate. */
export type Fate = 'passed' | 'duplicate' | 'refused' | 'held' | 'withdrawn';
export interface FateChange { message: ValidMessage; from: 'held' | null; to: Fate }

export interface StateResult {
  /** One per input message, in order. */
  outcomes: Outcome[];
  /** What goes on to aggregate, in order: passed events, each followed by those it released. */
  emitted: ValidMessage[];
  /** Held events (of this batch or earlier ones) refused when what they waited for came. */
  lateRefusals: { message: ValidMessage; code: RefusalCode; text: string }[];
  /** Every fate decided or changed, for the submission's progress. */
  fates: FateChange[];
  changes: StateChanges;
}

export const key = (force: string, value: string) => `${force}\u0000${value}`;
const unique = (keys: ForceKey[]) => [...new Map(keys.map((k) => [key(...k), k])).values()];

export async function applyState(messages: readonly ValidMessage[], reader: StateReader): Promise<StateResult> {
  const breachRefs = messages.flatMap((m): ForceKey[] => (m.event.type === 'order.breached' ? [[m.event.force, m.event.payload.orderRef]] : []));
  const grantRefs = messages.flatMap((m): ForceKey[] =>
    (m.event.type === 'order.decided' && m.event.payload.decision === 'granted' ? [[m.event.force, m.event.payload.orderRef]] : []));
  const ids = messages.map((m): ForceKey => [m.event.force, m.event.eventId]);
  const targets = messages.flatMap((m): ForceKey[] => (m.event.type === 'event.retracted' ? [[m.event.force, m.event.payload.eventId]] : []));

  const known = await reader.knownEvents(unique([...ids, ...targets]));
  const heldTargets = new Map((await reader.heldEvents(unique(targets.filter(([f, id]) => known.get(key(f, id))?.state === 'held'))))
    .map((h) => [key(h.force, h.eventId), h]));
  const granted = await reader.grantedOrders(unique(breachRefs));
  const waiting = new Map<string, HeldEvent[]>();
  /** Keys whose held events are in `waiting` (possibly none): read once, then kept in step. */
  const fetched = new Set<string>();
  const waitKey = (force: string, rule: HoldRule, awaiting: string) => key(force, `${rule}\u0000${awaiting}`);
  const index = (held: HeldEvent[]) => {
    for (const h of held) {
      const k = waitKey(h.force, h.rule, h.awaiting);
      const list = waiting.get(k);
      if (list) list.push(h);
      else waiting.set(k, [h]);
    }
  };
  const load = async (rule: HoldRule, keys: ForceKey[]) => {
    const wanted = keys.filter(([force, awaiting]) => !fetched.has(waitKey(force, rule, awaiting)));
    if (wanted.length === 0) return [];
    const held = await reader.heldAwaiting(rule, wanted);
    for (const [force, awaiting] of wanted) fetched.add(waitKey(force, rule, awaiting));
    index(held);
    return held;
  };
  const byOrder = await load('ungranted-order', unique(grantRefs));
  await load('unknown-target', unique([...ids, ...byOrder.map((h): ForceKey => [h.force, h.eventId])]));

  const changes: StateChanges = { events: new Map(), granted: [], holdsAdded: new Map(), holdsRemoved: [], forgotten: [] };
  const emitted: ValidMessage[] = [];
  const lateRefusals: StateResult['lateRefusals'] = [];
  const fates: FateChange[] = [];
  const setState = (force: string, eventId: string, hash: string, state: EventState, type: string | null) => {
    known.set(key(force, eventId), { hash, state, type });
    changes.events.set(key(force, eventId), { force, eventId, hash, state, type });
  };
  const take = async (force: string, rule: HoldRule, awaiting: string) => {
    await load(rule, [[force, awaiting]]);
    const k = waitKey(force, rule, awaiting);
    const found = waiting.get(k) ?? [];
    waiting.delete(k);
    for (const h of found) {
      if (changes.holdsAdded.delete(key(h.force, h.eventId))) continue;
      changes.holdsRemoved.push({ force: h.force, eventId: h.eventId });
    }
    // What waits for the released events is read in one query, not one per event as each passes.
    if (found.length > 1) await load('unknown-target', found.map((h): ForceKey => [h.force, h.eventId]));
    return found;
  };
  const hashOf = (h: HeldEvent) => known.get(key(h.force, h.eventId))?.hash ?? contentHash(h.message.event);

  /** Stops holding an event that a retraction has withdrawn: it will never count. */
  const withdraw = (force: string, eventId: string) => {
    const k = key(force, eventId);
    const message = changes.holdsAdded.get(k)?.message ?? heldTargets.get(k)?.message;
    if (message) fates.push({ message, from: 'held', to: 'withdrawn' });
    if (!changes.holdsAdded.delete(k)) changes.holdsRemoved.push({ force, eventId });
    for (const [k, list] of waiting) {
      const rest = list.filter((h) => h.force !== force || h.eventId !== eventId);
      if (rest.length > 0) waiting.set(k, rest);
      else waiting.delete(k);
    }
    const was = known.get(key(force, eventId));
    setState(force, eventId, was?.hash ?? '', 'withdrawn', was?.type ?? null);
  };

  /**
   * A held retraction whose target turned out to be a retraction: refused as it would have been
   * had it come second, and forgotten like any refused event (a repeat is judged afresh).
   */
  const refuseRetractionsOf = (retraction: ValidMessage, waiting: HeldEvent[]) => {
    for (const h of waiting) {
      const k = key(h.force, h.eventId);
      known.delete(k);
      changes.events.delete(k);
      changes.forgotten.push({ force: h.force, eventId: h.eventId });
      lateRefusals.push({ message: h.message, code: 'event.retraction-of-retraction', text: retractionOfRetraction(retraction.event.eventId) });
      fates.push({ message: h.message, from: 'held', to: 'refused' });
    }
  };

  /** An event has passed: emit it, then whatever was waiting for it, depth first. */
  const pass = async (m: ValidMessage, hash: string, from: 'held' | null = null): Promise<void> => {
    const { force } = m.event;
    setState(force, m.event.eventId, hash, 'passed', m.event.type);
    emitted.push(m);
    fates.push({ message: m, from, to: 'passed' });
    if (m.event.type === 'order.decided' && m.event.payload.decision === 'granted') {
      const ref = m.event.payload.orderRef;
      if (!granted.has(key(force, ref))) {
        granted.add(key(force, ref));
        changes.granted.push({ force, orderRef: ref });
      }
      for (const h of await take(force, 'ungranted-order', ref)) await pass(h.message, hashOf(h), 'held');
    }
    const retractions = await take(force, 'unknown-target', m.event.eventId);
    if (m.event.type === 'event.retracted') refuseRetractionsOf(m, retractions);
    else for (const h of retractions) await pass(h.message, hashOf(h), 'held');
  };

  /** An event must wait; unless a retraction was already waiting for it, which withdraws it. */
  const hold = async (m: ValidMessage, hash: string, rule: HoldRule, awaiting: string): Promise<Outcome> => {
    const h: HeldEvent = { force: m.event.force, eventId: m.event.eventId, rule, awaiting, receivedAt: m.receivedAt, message: m };
    setState(h.force, h.eventId, hash, 'held', m.event.type);
    changes.holdsAdded.set(key(h.force, h.eventId), h);
    fates.push({ message: m, from: null, to: 'held' });
    index([h]);
    const retractions = await take(h.force, 'unknown-target', h.eventId);
    if (m.event.type === 'event.retracted') refuseRetractionsOf(m, retractions);
    else if (retractions.length > 0) {
      withdraw(h.force, h.eventId);
      for (const r of retractions) await pass(r.message, hashOf(r), 'held');
    }
    return { type: 'hold', rule, awaiting };
  };

  const outcomes: Outcome[] = [];
  for (const m of messages) {
    const { event } = m;
    const hash = contentHash(event);
    const seen = known.get(key(event.force, event.eventId));
    if (seen) {
      const outcome: Outcome = seen.hash === hash
        ? { type: 'drop' }
        : { type: 'refuse', code: 'event.conflict', text: `event ${event.eventId} was received before with different content; send a correction as a new event` };
      outcomes.push(outcome);
      fates.push({ message: m, from: null, to: outcome.type === 'drop' ? 'duplicate' : 'refused' });
      continue;
    }
    if (event.type === 'order.breached' && !granted.has(key(event.force, event.payload.orderRef))) {
      outcomes.push(await hold(m, hash, 'ungranted-order', event.payload.orderRef));
      continue;
    }
    if (event.type === 'event.retracted') {
      const target = known.get(key(event.force, event.payload.eventId));
      if (!target) {
        outcomes.push(await hold(m, hash, 'unknown-target', event.payload.eventId));
        continue;
      }
      if (target.type === 'event.retracted') {
        // Undoing a retraction would make the retracted event count again; send it anew instead.
        outcomes.push({ type: 'refuse', code: 'event.retraction-of-retraction', text: retractionOfRetraction(event.payload.eventId) });
        fates.push({ message: m, from: null, to: 'refused' });
        continue;
      }
      if (target.state === 'held') withdraw(event.force, event.payload.eventId);
    }
    outcomes.push({ type: 'pass' });
    await pass(m, hash);
  }
  return { outcomes, emitted, lateRefusals, fates, changes };
}

const retractionOfRetraction = (target: string) =>
  `event ${target} is itself a retraction; to restore what it retracted, send that event again with a new eventId`;

