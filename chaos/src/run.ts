// The fault-injection suite: for each fault, trials of a stream of events sent while the fault
// strikes; after each, every acknowledged event must be counted exactly once; after each fault's
// trials, the cells must equal the SQL reference recompute and every published revision be whole.
import { join } from 'node:path';
import { seeded } from '@vawg/synthetic';
import { cacheDir } from '@vawg/infra';
import { faults as allFaults, setPublishing, type Fault } from './faults.ts';
import { createSender, trialLoad } from './load.ts';
import { startChaosStack, type ChaosStack } from './stack.ts';
import { checkCells, checkModel, checkRevisions, deadLetters, untilAccounted } from './verify.ts';
import { expectedCrimesRecorded } from './model.ts';
import type { ForceEvent } from '@vawg/contracts';

export interface ChaosOptions {
  /** Events in all, shared evenly among the trials. */
  events: number;
  trialsPerFault: number;
  forces?: string[];
  faults?: Fault[];
  seed?: number;
  log?: (line: string) => void;
}

export interface FaultResult {
  fault: string;
  trials: number;
  acknowledged: number;
  counted: number;
  lost: number;
  countedTwice: number;
  /** Cells differing from the reference recompute after the fault's trials. */
  cellsDiffering: number;
  /** Force-months whose crimes recorded differ from an independent model of the acknowledged events. */
  modelDiffering: number;
  deadLettered: number;
  /** Revision folders not exactly their manifest's. */
  mixedRevisions: number;
  /** From the fault's end until every event acknowledged by then was counted: median and worst, ms. */
  recoverMs: { median: number; max: number };
}

const FORCES = ['kent', 'essex', 'surrey', 'sussex', 'gwent', 'dyfed-powys'];
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? 0;

export async function runChaos(o: ChaosOptions): Promise<FaultResult[]> {
  const log = o.log ?? (() => undefined);
  const chosen = o.faults ?? allFaults;
  const forces = o.forces ?? FORCES;
  const random = seeded(o.seed ?? 20261126);
  const perTrial = Math.max(50, Math.round(o.events / (chosen.length * o.trialsPerFault)));
  const results: FaultResult[] = [];
  for (const brokers of [1, 3] as const) {
    const faults = chosen.filter((f) => f.brokers === brokers);
    if (faults.length === 0) continue;
    log(`starting a stack with ${brokers} broker${brokers === 1 ? '' : 's'}…`);
    const stack = await startChaosStack({ dir: join(cacheDir, 'chaos', `b${brokers}`), brokers, forces });
    // Every event acknowledged on this stack, for the independent model.
    const acknowledged = new Map<string, ForceEvent>();
    try {
      for (const fault of faults) results.push(await runFault(stack, fault, o.trialsPerFault, perTrial, forces, random, log, acknowledged));
    } catch (error) {
      log(`failed; the services' logs are in ${stack.logDir}`);
      throw error;
    } finally {
      await stack.stop();
    }
  }
  return results;
}

async function runFault(stack: ChaosStack, fault: Fault, trials: number, size: number, forces: string[], random: ReturnType<typeof seeded>,
  log: (line: string) => void, everAcknowledged: Map<string, ForceEvent>): Promise<FaultResult> {
  const result: FaultResult = { fault: fault.name, trials, acknowledged: 0, counted: 0, lost: 0, countedTwice: 0, cellsDiffering: 0, modelDiffering: 0, deadLettered: 0, mixedRevisions: 0, recoverMs: { median: 0, max: 0 } };
  const recoveries: number[] = [];
  const deadBefore = await deadLetters(stack.pool);
  if (fault.publishes) await setPublishing(stack, true);
  for (let trial = 1; trial <= trials; trial++) {
    const load = trialLoad(random.int(1e9), `${fault.name.replace(/\W+/g, '')}${trial}`, forces, size);
    const sender = createSender(stack.url, stack.tokens);
    const strikeAt = Math.floor(load.events.length * (0.2 + random.next() * 0.4));
    let strike: () => void = () => undefined;
    const struck = new Promise<void>((resolve) => (strike = resolve));
    const sending = sender.send(load.events, (sent) => { if (sent >= strikeAt) strike(); });
    const healed = struck.then(async () => {
      await fault.inject(stack, random);
      const at = Date.now();
      const acknowledgedThen = [...sender.acknowledged];
      const missing = await untilAccounted(stack.pool, acknowledgedThen, 300_000);
      // For a fault of publication, recovered means a publication made again, too.
      if (fault.publishes) await untilPublishedAfter(stack, at);
      if (missing.length === 0) recoveries.push(Date.now() - at);
    });
    await Promise.all([sending, healed]);
    const acknowledged = [...sender.acknowledged];
    for (const e of load.events) if (sender.acknowledged.has(e.eventId)) everAcknowledged.set(e.eventId, e);
    const missing = await untilAccounted(stack.pool, acknowledged, 300_000);
    result.acknowledged += acknowledged.length;
    result.counted += acknowledged.length - missing.length;
    result.lost += missing.length;
    log(`${fault.name} #${trial}: ${acknowledged.length} acknowledged, ${missing.length} lost, ${sender.stats.retries} batches resent, recovered in ${recoveries.at(-1) ?? '?'} ms`);
  }
  if (fault.publishes) await setPublishing(stack, false);
  const cells = await checkCells(stack.pool);
  const revisions = await checkRevisions(stack.pool, stack.store);
  result.countedTwice = cells.excess;
  result.cellsDiffering = cells.differing;
  result.modelDiffering = (await checkModel(stack.pool, expectedCrimesRecorded(everAcknowledged.values()))).length;
  result.deadLettered = (await deadLetters(stack.pool)) - deadBefore;
  result.mixedRevisions = revisions.mixed.length;
  result.recoverMs = { median: median(recoveries), max: Math.max(0, ...recoveries) };
  return result;
}

/** Until a scheduled publication started after `since` has been made: the calendar recovered too. */
async function untilPublishedAfter(stack: ChaosStack, since: number): Promise<void> {
  const deadline = Date.now() + 180_000;
  for (;;) {
    const { rows } = await stack.pool.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM publish.runs WHERE status IN ('published', 'unchanged') AND started_at > $1`, [new Date(since)]);
    if (rows[0]!.n > 0) return;
    if (Date.now() > deadline) throw new Error('no publication was made in 3 minutes after the fault');
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
}

export function table(results: FaultResult[]): string {
  const header = ['fault', 'trials', 'acknowledged', 'counted', 'lost', 'counted twice', 'cells ≠ reference', 'cells ≠ model', 'dead-lettered', 'mixed revisions', 'recover median (s)', 'recover max (s)'];
  const rows = results.map((r) => [r.fault, r.trials, r.acknowledged, r.counted, r.lost, r.countedTwice, r.cellsDiffering, r.modelDiffering, r.deadLettered, r.mixedRevisions,
    (r.recoverMs.median / 1000).toFixed(1), (r.recoverMs.max / 1000).toFixed(1)].map(String));
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) => `| ${cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join(' | ')} |`;
  return [line(header), `|${widths.map((w, i) => (i === 0 ? `${'-'.repeat(w + 1)}-` : `${'-'.repeat(w + 1)}:`)).join('|')}|`, ...rows.map(line)].join('\n');
}
