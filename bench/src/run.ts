// `npm run bench`: every benchmark, on the broker, PostgreSQL and S3 endpoint of with-infra,
// against the services' built bundles. Figures are rates measured in one run: compare them with
// each other, not across machines.
import { benchValidate } from './validate.ts';
import { benchPipeline } from './pipeline.ts';
import { benchReplay } from './replay.ts';
import { benchPublication } from './publication.ts';
import { printRates } from './measure.ts';
import { benchCompleteness } from './completeness.ts';
import { benchHostile } from './hostile.ts';
import { benchHostileLoad } from './hostile-load.ts';
import { benchDisclosure } from './disclosure.ts';

const pipelineEvents = Number(process.env.BENCH_PIPELINE_EVENTS ?? 200_000);
const replayEvents = Number(process.env.BENCH_REPLAY_EVENTS ?? 10_000_000);
const publishCrimes = Number(process.env.BENCH_PUBLISH_CRIMES ?? 1_000_000);

printRates('validate (10,000 events of every type, best of several rounds)', await benchValidate());

const [raw, pipeline] = await benchPipeline(pipelineEvents);
printRates(`pipeline on the same broker and data (${pipelineEvents} raw events of every type)`, [raw!, pipeline!]);
console.log(`  ratio b/a: ${(pipeline!.eventsPerSecond / raw!.eventsPerSecond).toFixed(3)}`);

if (replayEvents > 0) {
  console.log(`\n(c) replay of ${replayEvents} synthetic events by aggregate (BENCH_REPLAY_EVENTS=0 to skip)`);
  const replay = await benchReplay(replayEvents, (line) => console.log(line));
  console.log(`  ${replay.events} events applied in ${replay.seconds.toFixed(0)} s (${replay.eventsPerSecond} events/s); aggregate's peak RSS ${replay.peakRssMiB} MiB`);
  console.log(`  (publishing the log took ${replay.publishSeconds.toFixed(0)} s, not counted)`);
}

if (publishCrimes > 0) {
  console.log(`\n(d) publishing 2025-H1 for 44 forces from the aggregates of ${publishCrimes} crimes (BENCH_PUBLISH_CRIMES=0 to skip)`);
  const p = await benchPublication(publishCrimes, (line) => console.log(line));
  console.log(`  publish (snapshot, ${p.rows} rows with disclosure control, 45 pages, 48 files to S3): ${p.publishSeconds.toFixed(1)} s`);
  console.log(`  the same cells computed from the case tables with SQL: ${p.sqlSeconds.toFixed(1)} s`);
  console.log(`  ratio SQL / publish: ${(p.sqlSeconds / p.publishSeconds).toFixed(2)}`);
}

console.log('\n(e) the completeness grid of a half-year, every force and dataset (GET /v1/completeness, the console, the metrics)');
const c = await benchCompleteness();
console.log(`  ${c.cells} cells judged from ${c.rows} stored force-dataset-months: median ${c.medianMs.toFixed(1)} ms, p95 ${c.p95Ms.toFixed(1)} ms over ${c.runs} reads`);

console.log('\n(f) hostile fields, refused by the contract (best of 5; issue 10: each check linear, the size limit first)');
const h = benchHostile();
console.log(`  a 64,000-character run without spaces in a summary: ${h.summary64kMs.toFixed(2)} ms; a 1 MiB field in a JSON-array batch: ${h.field1MiBMs.toFixed(2)} ms; 1 MiB of x before an "@": ${h.emailRun1MiBMs.toFixed(2)} ms`);

const essexBatches = Number(process.env.BENCH_HOSTILE_BATCHES ?? 400);
console.log(`\n(g) another force's pace while one sends the heaviest it may (issue 10): ${essexBatches} batches of 100 events in each condition, quiet and hostile blocks alternating, /healthz probed open-loop every 20 ms`);
const g = await benchHostileLoad(essexBatches);
const ms = (l: { p50: number; p99: number; max: number; n: number }) => `p50 ${l.p50.toFixed(1)} ms, p99 ${l.p99.toFixed(1)} ms, max ${l.max.toFixed(0)} ms (n ${l.n})`;
console.log(`  quiet:   /healthz ${ms(g.quiet.health)}; essex's acknowledgement ${ms(g.quiet.essex)}`);
console.log(`  hostile: /healthz ${ms(g.hostile.health)}; essex's acknowledgement ${ms(g.hostile.essex)}; kent's batches answered meanwhile ${g.hostile.kentAnswered} (${g.hostile.kentAccepted} of them 202)`);
console.log(`  ratio hostile/quiet: essex p50 ${(g.hostile.essex.p50 / g.quiet.essex.p50).toFixed(2)}, p99 ${(g.hostile.essex.p99 / g.quiet.essex.p99).toFixed(2)}`);

const disclosureCrimes = Number(process.env.BENCH_DISCLOSURE_CRIMES ?? 40);
if (disclosureCrimes > 0) {
  console.log(`\n(h) disclosure control across tables on a national half-year: 44 forces, ${disclosureCrimes} crimes per force and month (BENCH_DISCLOSURE_CRIMES=0 to skip)`);
  const d = await benchDisclosure(disclosureCrimes, (line) => console.log(`  ${line}`));
  console.log(`  ${d.rows} rows; today's rules within one split withheld ${d.withheldToday}`);
  console.log(`  the splits' own rules ${d.primary}, across tables ${d.secondary} more; ${d.givenAway} withheld cells it found no way to protect`);
  console.log(`  protection ${d.protectionSeconds.toFixed(0)} s (${d.lps} LPs); audit ${d.auditSeconds.toFixed(1)} s, ${d.auditPassed ? 'passed' : 'failed: a publication would be refused'}`);
}
