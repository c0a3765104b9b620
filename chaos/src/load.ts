// The load of a trial: synthetic histories of every event type for several forces, with repeats
// and retractions, shuffled, sent through POST /v1/events in batches by two senders. A batch that
// is not acknowledged (503, a connection refused or reset by a dying ingest) is sent again until
// it is: every event answered `accepted` in a 202 is one the system promised to count.
import type { ForceEvent } from '@vawg/contracts';
import { seeded, shuffle, syntheticHistory, type Random } from '@vawg/synthetic';

export interface TrialLoad {
  events: ForceEvent[];
}

/** About `size` events across the forces, refs unique to the trial, 3 % repeats and 1 % retractions. */
export function trialLoad(seed: number, trial: string, forces: readonly string[], size: number): TrialLoad {
  const random = seeded(seed);
  const perForce = Math.max(1, Math.round(size / forces.length));
  const events: ForceEvent[] = [];
  for (const force of forces) {
    const mine: ForceEvent[] = [];
    const history = syntheticHistory(random, { force, from: '2026-04-01', to: '2026-09-30', crimes: Math.max(1, Math.round(perForce / 2.2)), refPrefix: `${trial}-` });
    for (const e of history) {
      mine.push(e);
      if (mine.length >= perForce) break;
    }
    events.push(...mine, ...retractionsOf(random, mine));
  }
  const repeats = events.filter(() => random.next() < 0.03);
  return { events: shuffle(random, [...events, ...repeats]) };
}

function retractionsOf(random: Random, events: readonly ForceEvent[]): ForceEvent[] {
  return events.filter((e) => e.type !== 'event.retracted' && random.next() < 0.01).map((target): ForceEvent => ({
    eventId: random.uuid(), type: 'event.retracted', schemaVersion: 1, force: target.force, occurredAt: '2026-10-01',
    producedAt: '2026-10-01T12:00:00Z', payload: { eventId: target.eventId, reason: 'sent in error' },
  }));
}

/** A batch not acknowledged for this long means the system did not recover: the trial fails. */
const GIVE_UP_MS = 180_000;

export interface Sender {
  /** Distinct eventIds answered `accepted` in a 202. */
  acknowledged: Set<string>;
  stats: { batches: number; retries: number; refusedLines: number };
  /** Sends every event, each batch until it is acknowledged; calls back with the count sent so far. */
  send(events: readonly ForceEvent[], onProgress?: (sent: number) => void): Promise<void>;
}

interface Receipt { results: { eventId: string | null; status: string }[] }

export function createSender(url: string, tokens: ReadonlyMap<string, string>, batchSize = 500): Sender {
  const acknowledged = new Set<string>();
  const stats = { batches: 0, retries: 0, refusedLines: 0 };

  async function post(force: string, batch: readonly ForceEvent[]): Promise<void> {
    const body = batch.map((e) => JSON.stringify(e)).join('\n');
    const giveUpAt = Date.now() + GIVE_UP_MS;
    let last = 'no answer';
    for (let attempt = 1; ; attempt++) {
      if (Date.now() > giveUpAt) throw new Error(`ingest has not acknowledged a batch for ${GIVE_UP_MS / 1000} s (last: ${last})`);
      const response = await fetch(`${url}/v1/events`, {
        method: 'POST', headers: { authorization: `Bearer ${tokens.get(force)!}`, 'content-type': 'application/x-ndjson' }, body,
        signal: AbortSignal.timeout(30_000),
      }).catch(() => null);
      if (response?.status === 202) {
        const receipt = await response.json() as Receipt;
        for (const r of receipt.results) {
          if (r.status === 'accepted' && r.eventId) acknowledged.add(r.eventId);
          else stats.refusedLines += 1;
        }
        stats.batches += 1;
        return;
      }
      if (response?.status === 429) {
        // Over the force's fair share: wait as told, and send it again.
        await response.text();
        stats.retries += 1;
        await new Promise((resolve) => setTimeout(resolve, 1000 * Number(response.headers.get('retry-after') ?? 1)));
        continue;
      }
      if (response && response.status !== 503 && response.status < 500) throw new Error(`ingest answered ${response.status}: ${await response.text()}`);
      last = response ? `${response.status} ${(await response.text()).slice(0, 300)}` : 'no answer (connection refused, reset or timed out)';
      stats.retries += 1;
      await new Promise((resolve) => setTimeout(resolve, Math.min(2_000, 100 * attempt)));
    }
  }

  return {
    acknowledged,
    stats,
    async send(events, onProgress) {
      // Batches of one force each (a credential sends only its own force's events), in arrival order.
      const open = new Map<string, ForceEvent[]>();
      const batches: { force: string; events: ForceEvent[] }[] = [];
      for (const e of events) {
        const list = open.get(e.force) ?? [];
        list.push(e);
        open.set(e.force, list);
        if (list.length === batchSize) {
          batches.push({ force: e.force, events: list });
          open.delete(e.force);
        }
      }
      for (const [force, list] of open) batches.push({ force, events: list });
      let next = 0;
      let sent = 0;
      const worker = async () => {
        while (next < batches.length) {
          const batch = batches[next++]!;
          await post(batch.force, batch.events);
          sent += batch.events.length;
          onProgress?.(sent);
        }
      };
      await Promise.all([worker(), worker()]);
    },
  };
}
