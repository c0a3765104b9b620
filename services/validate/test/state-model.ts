// A small model of validate's rules of state (README, "Rules of state"), stated over the whole
// history at once rather than event by event: what must be true at the end, whatever the arrival
// order, the repeats and the batching. The property test holds the real step on PostgreSQL to it.
import fc from 'fast-check';
import type { ForceEvent } from '@vawg/contracts';

export interface ModelOutcome {
  /** Events that count downstream: passed and not retracted. */
  standing: Set<string>;
  /** Retractions that reach aggregate. */
  retractions: Set<string>;
  /** Events still waiting: breaches of orders never granted, retractions of events never received. */
  held: Set<string>;
  /** Retractions refused because their target is itself a retraction. */
  retractionsOfRetractions: Set<string>;
  /**
   * Retractions of a refused retraction: held as retractions of an unknown event, or refused at
   * once as retractions of a retraction when they came while their target was still held (and a
   * repeat of one refused may then be held). Either way they never count; which depends on order.
   */
  heldOrRefused: Set<string>;
  /** Arrivals whose content differs from the first arrival of their eventId. */
  conflicts: number;
}

const contentOf = (e: ForceEvent) => JSON.stringify(e);

export function model(arrivals: readonly ForceEvent[]): ModelOutcome {
  const first = new Map<string, ForceEvent>();
  let conflicts = 0;
  for (const e of arrivals) {
    const seen = first.get(e.eventId);
    if (!seen) first.set(e.eventId, e);
    else if (contentOf(seen) !== contentOf(e)) conflicts += 1;
  }
  const events = [...first.values()];
  const granted = new Set(events.flatMap((e) => (e.type === 'order.decided' && e.payload.decision === 'granted' ? [e.payload.orderRef] : [])));
  // A retraction is effective (its target is a known event that is not a retraction), held (its
  // target never came), refused (its target is a retraction), or held-or-refused (its target is
  // a retraction that was itself refused, so known only for a while, if at all).
  type Fate = 'effective' | 'held' | 'refused' | 'held-or-refused';
  const fates = new Map<string, Fate>();
  const fateOf = (id: string): Fate => {
    const known = fates.get(id);
    if (known) return known;
    const e = first.get(id);
    if (e?.type !== 'event.retracted') throw new Error(`not a retraction: ${id}`);
    const target = first.get(e.payload.eventId);
    const fate: Fate = !target ? 'held'
      : target.type !== 'event.retracted' ? 'effective'
      : ['refused', 'held-or-refused'].includes(fateOf(target.eventId)) ? 'held-or-refused' : 'refused';
    fates.set(id, fate);
    return fate;
  };
  const retractions = new Set<string>();
  const retractionsOfRetractions = new Set<string>();
  const heldOrRefused = new Set<string>();
  const held = new Set<string>();
  const retracted = new Set<string>();
  for (const e of events) {
    if (e.type !== 'event.retracted') continue;
    const fate = fateOf(e.eventId);
    if (fate === 'held') held.add(e.eventId);
    else if (fate === 'refused') retractionsOfRetractions.add(e.eventId);
    else if (fate === 'held-or-refused') heldOrRefused.add(e.eventId);
    else {
      retractions.add(e.eventId);
      retracted.add(e.payload.eventId);
    }
  }
  const standing = new Set<string>();
  for (const e of events) {
    if (e.type === 'event.retracted' || retracted.has(e.eventId)) continue;
    if (e.type === 'order.breached' && !granted.has(e.payload.orderRef)) held.add(e.eventId);
    else standing.add(e.eventId);
  }
  return { standing, retractions, held, retractionsOfRetractions, heldOrRefused, conflicts };
}

/** Deterministic UUIDs, so shrunk counterexamples read well. */
const uuid = (n: number) => `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`;
const base = { schemaVersion: 1 as const, force: 'kent', producedAt: '2025-05-01T10:00:00Z' };

type Kind = 'applied' | 'decided' | 'breached' | 'dvds-applied' | 'dvds-decided' | 'recorded' | 'outcome' | 'outstanding' | 'resolved';
const kinds: Kind[] = ['applied', 'decided', 'breached', 'dvds-applied', 'dvds-decided', 'recorded', 'outcome', 'outstanding', 'resolved'];

function eventOf(kind: Kind, id: number, ref: number, variant: number): ForceEvent {
  const occurredAt = `2025-05-${String(1 + (variant % 28)).padStart(2, '0')}`;
  const e = { ...base, eventId: uuid(id), occurredAt };
  const orderRef = `O-${ref}`;
  const crimeRef = `C-${ref}`;
  switch (kind) {
    case 'applied': return { ...e, type: 'order.applied', payload: { orderRef, orderType: 'dvpo' } };
    case 'decided': return { ...e, type: 'order.decided', payload: { orderRef, decision: (['granted', 'refused', 'withdrawn'] as const)[variant % 3]! } };
    case 'breached': return { ...e, type: 'order.breached', payload: { orderRef } };
    case 'dvds-applied': return { ...e, type: 'dvds.applied', payload: { applicationRef: `D-${ref}`, route: 'right-to-ask' } };
    case 'dvds-decided': return { ...e, type: 'dvds.decided', payload: { applicationRef: `D-${ref}`, disclosed: variant % 2 === 0 } };
    case 'recorded': return { ...e, type: 'crime.recorded', payload: { crimeRef, offenceGroup: 'rape', domesticAbuse: false, victim: { sex: 'female', ageBand: '25-34', ethnicity: 'white' } } };
    case 'outcome': return { ...e, type: 'outcome.assigned', payload: { crimeRef, outcomeCode: variant % 2 === 0 ? '1' : '16' } };
    case 'outstanding': return { ...e, type: 'suspect.outstanding', payload: { crimeRef, suspectRef: `S-${ref}` } };
    case 'resolved': return { ...e, type: 'suspect.resolved', payload: { crimeRef, suspectRef: `S-${ref}` } };
  }
}

const retraction = (id: number, target: string): ForceEvent =>
  ({ ...base, eventId: uuid(id), occurredAt: '2025-05-30', type: 'event.retracted', payload: { eventId: target, reason: 'sent in error' } });

/**
 * A history of one force: orders (applications, decisions of every kind, breaches), DVDS, crimes,
 * outcomes and suspects on a few shared references; retractions of any of them, of other
 * retractions and of events never sent; conflicting re-uses of an eventId; then all of it
 * arriving shuffled, with repeats, in batches of any size.
 */
export const arbitraryHistory = fc.record({
  facts: fc.array(fc.tuple(fc.constantFrom(...kinds), fc.integer({ min: 1, max: 3 }), fc.nat(5)), { minLength: 1, maxLength: 14 }),
  retractions: fc.array(fc.nat(40), { maxLength: 6 }),
  conflicts: fc.array(fc.tuple(fc.nat(40), fc.nat(5)), { maxLength: 3 }),
  repeats: fc.array(fc.nat(80), { maxLength: 8 }),
  seed: fc.integer(),
  batchSizes: fc.array(fc.integer({ min: 1, max: 6 }), { minLength: 40, maxLength: 40 }),
}).map(({ facts, retractions, conflicts, repeats, seed, batchSizes }) => {
  let next = 1;
  const universe: ForceEvent[] = facts.map(([kind, ref, variant]) => eventOf(kind, next++, ref, variant));
  for (const pick of retractions) {
    // Mostly earlier events (retractions included), sometimes an event that is never sent.
    const target = pick % 7 === 6 ? uuid(900 + pick) : universe[pick % universe.length]!.eventId;
    universe.push(retraction(next++, target));
  }
  for (const [pick, variant] of conflicts) {
    const original = universe[pick % universe.length]!;
    // Conflicting copies of non-retractions only: a refused retraction is forgotten, so which
    // copy is "first" would depend on more than arrival order.
    if (original.type !== 'event.retracted') universe.push({ ...original, occurredAt: `2025-04-${String(1 + variant).padStart(2, '0')}` });
  }
  const all = [...universe, ...repeats.map((i) => universe[i % universe.length]!)];
  const arrivals = shuffleWith(seed, all);
  const batches: ForceEvent[][] = [];
  for (let i = 0, b = 0; i < arrivals.length; i += batchSizes[b % batchSizes.length]!, b++) batches.push(arrivals.slice(i, i + batchSizes[b % batchSizes.length]!));
  return { arrivals, batches };
});

function shuffleWith<T>(seed: number, items: T[]): T[] {
  const out = [...items];
  let s = seed >>> 0;
  for (let i = out.length - 1; i > 0; i--) {
    s = (Math.imul(s, 1_664_525) + 1_013_904_223) >>> 0;
    const j = s % (i + 1);
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}
