// Applies one batch of valid events in one transaction: the position check, the eventId guard,
// the case-state changes, the cell deltas and the new position commit together or not at all.
// That is the exactly-once effect: a crash before COMMIT changes nothing, and a redelivery after
// it is skipped by the position, whatever the broker's own offsets say.
import { validMessage, type CrimeRecorded, type ValidMessage } from '@vawg/contracts';
import type { Batch } from '@vawg/bus';
import { withTransaction, type Pool } from '@vawg/db';
import { DeltaSet } from '@vawg/kpi';
import { applyCrimeRecorded } from './crime-step.ts';
import { addCellDeltas, claimPosition, loadCrimes, markApplied, saveCrimes, savePosition } from './aggregate-store.ts';

export interface BatchOutcome {
  applied: number;
  duplicates: number;
  /** Already applied before a crash or rebalance: below the stored position. */
  replayed: number;
  undecodable: number;
}

/** Our own message, written by validate: one that does not decode is skipped and reported, never retried forever. */
function decode(value: Buffer): ValidMessage | null {
  let json: unknown;
  try {
    json = JSON.parse(value.toString('utf8'));
  } catch {
    return null;
  }
  const parsed = validMessage.safeParse(json);
  return parsed.success ? parsed.data : null;
}

export async function applyBatch(pool: Pool, groupId: string, batch: Batch): Promise<BatchOutcome> {
  return withTransaction(pool, async (client) => {
    const next = await claimPosition(client, groupId, batch.topic, batch.partition);
    const fresh = batch.messages.filter((m) => m.offset >= next);
    const outcome: BatchOutcome = { applied: 0, duplicates: 0, replayed: batch.messages.length - fresh.length, undecodable: 0 };
    if (fresh.length === 0) return outcome;

    const decoded = fresh.map((m) => decode(m.value));
    const messages = decoded.filter((m): m is ValidMessage => m !== null);
    outcome.undecodable = decoded.length - messages.length;
    const newKeys = await markApplied(client, messages.map((m) => ({ force: m.event.force, eventId: m.event.eventId })));
    // Deleting as we go keeps only the first copy of an event repeated within this batch.
    const events = messages.map((m) => m.event).filter((e) => newKeys.delete(`${e.force}\u0000${e.eventId}`));
    outcome.applied = events.length;
    outcome.duplicates = messages.length - events.length;

    const crimes = events.filter((e): e is CrimeRecorded => e.type === 'crime.recorded');
    const states = await loadCrimes(client, crimes.map((e) => ({ force: e.force, crimeRef: e.payload.crimeRef })));
    const deltas = new DeltaSet();
    const changed = applyCrimeRecorded(states, crimes, deltas);
    await saveCrimes(client, [...changed].map((key) => states.get(key)).filter((c) => c !== undefined));
    await addCellDeltas(client, deltas.toArray());
    await savePosition(client, groupId, batch.topic, batch.partition, fresh[fresh.length - 1]!.offset + 1);
    return outcome;
  });
}

