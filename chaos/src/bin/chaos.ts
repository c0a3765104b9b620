// `npm run chaos`: the fault-injection suite at scale (1,000,000 events, 10 trials per fault by
// default), on brokers, PostgreSQL and an S3 endpoint of its own. Prints the table the README quotes.
import { parseArgs } from 'node:util';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
import { runChaos, table } from '../run.ts';
import { faults } from '../faults.ts';

const { values } = parseArgs({
  options: { events: { type: 'string', default: '1000000' }, trials: { type: 'string', default: '10' }, fault: { type: 'string', multiple: true } },
});
const options = { events: Number(values.events), trials: Number(values.trials), fault: values.fault };
if (!Number.isInteger(options.events) || !Number.isInteger(options.trials) || options.trials < 1) {
  console.error('usage: npm run chaos -- [--events N] [--trials N] [--fault NAME]...');
  process.exit(2);
}
const chosen = options.fault ? faults.filter((f) => options.fault!.some((n) => f.name.toLowerCase().includes(n.toLowerCase()))) : faults;
const started = Date.now();
const results = await runChaos({ events: options.events, trialsPerFault: options.trials, faults: chosen, log: (line) => console.error(line) });
console.log(table(results));
console.log(`\n${results.reduce((n, r) => n + r.acknowledged, 0)} events acknowledged in ${Math.round((Date.now() - started) / 1000)} s`);
const bad = results.filter((r) => r.lost > 0 || r.countedTwice > 0 || r.cellsDiffering > 0 || r.modelDiffering > 0 || r.mixedRevisions > 0);
if (bad.length > 0) {
  console.error(`FAILED: ${bad.map((r) => r.fault).join(', ')}`);
  process.exit(1);
}
