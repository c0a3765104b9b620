// Applies one batch of valid events in one transaction: the position check, the facts stored
// (the eventId guard), every touched case folded before and after, the difference added to the
// cells and histograms, and the new position, all committed together or not at all. That is the
// exactly-once effect: a crash before COMMIT changes nothing, and a redelivery after it is
// skipped by the position, whatever the broker's own offsets say.
import { validFrame, type ValidMessage } from '@vawg/contracts';
import { RewindTo, type Batch } from '@vawg/bus';
import { withTransaction, type Pool } from '@vawg/db';
import { caseContribution, caseOf, Tally, type CaseKind } from '@vawg/kpi';
import {
  claimRedrives, CompletenessTally, PoisonMessage, ProgressTally, recordClosures, recordCompleteness, recordProgress,
  type Closure, type PositionStore,
} from '@vawg/pipeline';
import {
  addCountDeltas, addHistogramDeltas, casesOfEvents, insertFacts, insertRetractions, loadCases,
  type LoadedFact, type Retraction, type StoredFact,
} from './case-store.ts';

export interface BatchOutcome {
  applied: number;
  duplicates: number;
  /** Already applied before a crash or rebalance: below the stored position. */
  replayed: number;
}

/**
 * Our own message, written by validate after the full contract: only its frame is checked here
 * (parsing the whole contract again would cost a third of aggregate's time). One that does not
 * decode is a poison message: the stage runner dead-letters it and the batch goes on without it.
 */
function decode(value: Buffer): ValidMessage | null {
  try {
    const parsed = validFrame.safeParse(JSON.parse(value.toString('utf8')));
    return parsed.success ? (parsed.data as ValidMessage) : null;
  } catch {
    return null;
  }
}

const id = (force: string, eventId: string) => `${force}\u0000${eventId}`;
const caseId = (c: { force: string; kind: CaseKind; ref: string }) => `${c.force}\u0000${c.kind}\u0000${c.ref}`;

/**
 * A month's closure as its standing `submission.closed` events make it: closed when the first of
 * them was received (the date it declares beside it), or open again if every one was retracted.
 */
function closureOf(force: string, ref: string, standing: readonly LoadedFact[]): Closure {
  const [dataset, month] = ref.split('|') as [Closure['dataset'], string];
  const first = [...standing].sort((a, b) => (a.receivedAt?.getTime() ?? 0) - (b.receivedAt?.getTime() ?? 0))[0];
  return { force, dataset, month, closedAt: first ? (first.receivedAt ?? new Date(0)).toISOString() : null, closedOn: first?.event.occurredAt ?? null };
}

export async function applyBatch(pool: Pool, positions: PositionStore, batch: Batch): Promise<BatchOutcome> {
  return withTransaction(pool, async (client) => {
    const next = await positions.claim(client, batch.topic, batch.partition);
    // The stored position is the truth: a consumer that is past it (the database lost a commit, or
    // another member moved on) goes back to it rather than skip what lies between.
    if (batch.messages[0]!.offset > next) throw new RewindTo(next);
    const fresh = batch.messages.filter((m) => m.offset >= next);
    const outcome: BatchOutcome = { applied: 0, duplicates: 0, replayed: batch.messages.length - fresh.length };
    if (fresh.length === 0) return outcome;

    const skip = await claimRedrives(client, 'aggregate', fresh);
    const messages: ValidMessage[] = [];
    for (const m of fresh) {
      if (skip.has(m.offset)) continue;
      const decoded = decode(m.value);
      if (!decoded) throw new PoisonMessage(m.offset, 'not a valid message v1');
      messages.push(decoded);
    }
    const facts: StoredFact[] = [];
    const retractions: Retraction[] = [];
    const receipts = new Map<string, ValidMessage>();
    for (const m of messages) {
      const { event, receivedAt } = m;
      receipts.set(id(event.force, event.eventId), m);
      const c = caseOf(event);
      if (c) facts.push({ force: event.force, kind: c.kind, ref: c.ref, event, receivedAt });
      else if (event.type === 'event.retracted') retractions.push({ force: event.force, eventId: event.eventId, target: event.payload.eventId, receivedAt });
    }
    const newFacts = await insertFacts(client, facts);
    const newRetractions = await insertRetractions(client, retractions);
    outcome.applied = newFacts.size + newRetractions.size;
    outcome.duplicates = fresh.length - outcome.applied;
    const progress = new ProgressTally();
    const cells = new CompletenessTally();
    for (const applied of [...newFacts, ...newRetractions]) {
      const m = receipts.get(applied)!;
      progress.add(m, 'aggregate', 'counted');
      // Its arrival too: an event that reached the log without a receipt (a 503 after the log took it) arrived all the same.
      cells.add(m.force, m.event, 'counted', 1, m.receivedAt);
    }
    await recordProgress(client, progress);

    const touched = new Map<string, { force: string; kind: CaseKind; ref: string }>();
    for (const f of facts) if (newFacts.has(id(f.force, f.event.eventId))) touched.set(caseId(f), { force: f.force, kind: f.kind, ref: f.ref });
    const targets = retractions.filter((r) => newRetractions.has(id(r.force, r.eventId))).map((r) => ({ force: r.force, eventId: r.target }));
    for (const c of await casesOfEvents(client, targets)) touched.set(caseId(c), c);

    const byCase = new Map<string, LoadedFact[]>();
    for (const f of await loadCases(client, [...touched.values()])) {
      const list = byCase.get(caseId(f));
      if (list) list.push(f);
      else byCase.set(caseId(f), [f]);
    }
    const tally = new Tally();
    const closures: Closure[] = [];
    for (const [key, loaded] of byCase) {
      const { force, kind } = touched.get(key)!;
      if (kind === 'closure') closures.push(closureOf(force, touched.get(key)!.ref, loaded.filter((f) => f.retractedBy.length === 0)));
      // Before this batch: facts already stored, not retracted by a retraction already stored.
      const before = loaded.filter((f) => !newFacts.has(id(force, f.event.eventId)) && !f.retractedBy.some((r) => !newRetractions.has(id(force, r))));
      const after = loaded.filter((f) => f.retractedBy.length === 0);
      tally.transition(force, caseContribution(kind, before.map((f) => f.event)), caseContribution(kind, after.map((f) => f.event)));
    }
    await addCountDeltas(client, tally.countDeltas());
    await addHistogramDeltas(client, tally.histogramDeltas());
    await recordCompleteness(client, cells);
    await recordClosures(client, closures);
    await positions.save(client, batch.topic, batch.partition, fresh[fresh.length - 1]!.offset + 1);
    return outcome;
  });
}
