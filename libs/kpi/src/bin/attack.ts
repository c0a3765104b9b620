// Usage: tsx libs/kpi/src/bin/attack.ts <cells.json> — runs the propagation attacker of issue 11
// on a published half-year and prints what it works out: withheld cells, cells recovered, and by
// which kind of relation first. Twice: assuming only that a withheld quantity is at least 0
// (always sound), and, as a reader told the rules would, that a withheld count is at least 1.
import { readFileSync } from 'node:fs';
import type { PublishedRow } from '../cells.ts';
import { monthsOfHalfYear } from '../periods.ts';
import { relationsOf } from '../audit/relations.ts';
import { propagate } from '../audit/attacker.ts';

const rows = JSON.parse(readFileSync(process.argv[2]!, 'utf8')) as PublishedRow[];
const half = rows.find((r) => /-H[12]$/.test(r.period))?.period;
if (!half) throw new Error('no half-year in these rows');
const started = performance.now();
const relations = relationsOf(rows, half, monthsOfHalfYear(half));
console.log(`${rows.length} rows of ${half}, ${relations.length} relations (${Math.round(performance.now() - started)} ms)`);
for (const [label, lower] of [['at least 0', () => 0], ['a count at least 1', undefined]] as const) {
  const t = performance.now();
  const r = propagate(rows, relations, lower);
  console.log(`assuming ${label}: ${r.cellsRecovered} of ${r.cellsWithheld} withheld cells recovered (${r.recovered.size} quantities; first by ${JSON.stringify(r.byKind)}; ${Math.round(performance.now() - t)} ms)`);
}
