// validate's state in a map, for testing the state step without a database.
import { key, type ForceKey, type HeldEvent, type HoldRule, type KnownEvent, type StateChanges, type StateReader } from '../src/state-step.ts';

export class MemoryState implements StateReader {
  readonly events = new Map<string, KnownEvent>();
  readonly granted = new Set<string>();
  readonly held = new Map<string, HeldEvent>();

  knownEvents(keys: ForceKey[]) {
    const found = new Map<string, KnownEvent>();
    for (const [force, id] of keys) {
      const k = key(force, id);
      const e = this.events.get(k);
      if (e) found.set(k, e);
    }
    return Promise.resolve(found);
  }

  grantedOrders(keys: ForceKey[]) {
    return Promise.resolve(new Set(keys.map(([f, r]) => key(f, r)).filter((k) => this.granted.has(k))));
  }

  heldAwaiting(rule: HoldRule, keys: ForceKey[]) {
    const wanted = new Set(keys.map(([f, a]) => key(f, a)));
    return Promise.resolve([...this.held.values()].filter((h) => h.rule === rule && wanted.has(key(h.force, h.awaiting))));
  }

  heldEvents(keys: ForceKey[]) {
    return Promise.resolve(keys.flatMap(([f, id]) => {
      const h = this.held.get(key(f, id));
      return h ? [h] : [];
    }));
  }

  apply(changes: StateChanges) {
    for (const e of changes.forgotten) this.events.delete(key(e.force, e.eventId));
    for (const e of changes.events.values()) this.events.set(key(e.force, e.eventId), { hash: e.hash, state: e.state, type: e.type });
    for (const g of changes.granted) this.granted.add(key(g.force, g.orderRef));
    for (const h of changes.holdsRemoved) this.held.delete(key(h.force, h.eventId));
    for (const h of changes.holdsAdded.values()) this.held.set(key(h.force, h.eventId), h);
  }
}
