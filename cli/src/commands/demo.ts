// `vawg demo`: up, then a synthetic year for every force through the ingest API, counted,
// published, and downloaded: the whole system working, on one command.
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { SingleBar, Presets } from 'cli-progress';
import { forces, londonDate } from '@vawg/contracts';
import { createCredential } from '@vawg/ingest';
import { publishPeriod } from '@vawg/publish';
import { halfYearEndedBefore, lastDayOf, monthsOfHalfYear, previousHalfYear, type PublishedRow } from '@vawg/kpi';
import { addMonths } from '@vawg/pipeline';
import { citationOf, seeded, shuffle, syntheticHistory, syntheticReturnDocuments, type SyntheticDocument } from '@vawg/synthetic';
import { bringUp } from '../bring-up.ts';
import { demoForces, demoMonths, fromYearStart, shapeForDemo } from '../demo-states.ts';
import { connect } from '../connect.ts';
import { vawgHome } from '../home.ts';
import { sendLines, type SourceLine } from '../send-lines.ts';
import { uploadDocument } from '../upload-document.ts';
import { printUp } from './up.ts';
import { printTotals } from './send.ts';
import { downloadRevision } from './reports.ts';

/** Rough relative sizes, so the biggest forces look biggest. */
const WEIGHTS: Record<string, number> = {
  metropolitan: 10, 'greater-manchester': 5, 'west-midlands': 4.5, 'west-yorkshire': 4.5, 'thames-valley': 3, kent: 2.8,
  lancashire: 2.6, merseyside: 2.4, essex: 2.3, hampshire: 2.3, 'south-yorkshire': 2.2, 'devon-and-cornwall': 2, 'city-of-london': 0.2,
};

export async function demoCommand(options: { exit?: boolean; crimesPerForceMonth: number }): Promise<void> {
  const up = await bringUp();
  printUp(up.state.url, up.summary);
  const connection = await connect();
  try {
    const latest = halfYearEndedBefore(londonDate(new Date()));
    const months = [...monthsOfHalfYear(previousHalfYear(latest)), ...monthsOfHalfYear(latest)];
    const from = `${months[0]}-01`;
    // Until yesterday: the months since the half-year are there too (the last closed, this one
    // open), as a real force's feed would have them, so only the states set up below stand out.
    const yesterday = londonDate(new Date(Date.now() - 86_400_000));
    const to = yesterday > lastDayOf(months[months.length - 1]!) ? yesterday : lastDayOf(months[months.length - 1]!);
    const leadIn = `${addMonths(months[0]!, -4)}-01`;
    /** The months generated, lead-in included: the crimes of each force are spread over them at the same rate. */
    const spanMonths = (Date.parse(to) - Date.parse(leadIn)) / (86_400_000 * 365.25 / 12);
    console.log(`\nSending synthetic events for the last two half-years and the months since (${from} to ${to}) for all ${forces.length} forces through ${up.state.url}…`);
    const random = seeded(20220401);
    const states = demoMonths(monthsOfHalfYear(latest));
    const batches = await Promise.all(forces.map(async (force) => {
      const crimes = Math.round(options.crimesPerForceMonth * 12 * (WEIGHTS[force.id] ?? 1.5));
      // Its returns cite a CSV of figures and a PDF summary, uploaded before the returns are sent.
      const documents = new Map<string, SyntheticDocument>();
      const returnDocuments = (period: string) => syntheticReturnDocuments(force.id, period).map((d) => (documents.set(d.name, d), citationOf(d)));
      // The last month's closures and the last half-year's returns come after it (up to yesterday).
      const declarationsUntil = yesterday;
      // Generated from four months earlier and cut at the year's start, so the year is in its steady
      // state, as a real force's is (outcomes of earlier crimes arriving), not ramping up from nothing.
      const generated = syntheticHistory(random, { force: force.id, crimes: Math.round(crimes * spanMonths / 12), from: leadIn, to, refPrefix: `DEMO-${from}-`, returnDocuments, declarationsUntil });
      const history = fromYearStart([...generated], from);
      // One force late, one silent for a month, one anomalous: every state for the console.
      const events = shapeForDemo(force.id, history, states);
      // Some of it twice, as a force re-sending a file would; and one malformed line, to show a refusal.
      const lines = shuffle(random, [...events, ...events.slice(0, Math.ceil(events.length / 50))]).map((e, i): SourceLine => ({ text: JSON.stringify(e), where: `${force.id}#${i + 1}` }));
      const bad = { ...events[0]!, eventId: random.uuid(), force: force.id, occurredAt: '2014-01-01' };
      lines.push({ text: JSON.stringify(bad), where: `${force.id}#bad` });
      return { force: force.id, token: await createCredential(connection.pool, { role: 'force', force: force.id }), lines, ids: events.map((e) => e.eventId), documents: [...documents.values()] };
    }));

    const total = batches.reduce((n, b) => n + b.lines.length, 0);
    const bar = new SingleBar({ format: 'sending [{bar}] {value}/{total} events', stream: process.stderr, hideCursor: true }, Presets.shades_classic);
    bar.start(total, 0);
    let documentsUploaded = 0;
    const totals = { submissions: 0, lines: 0, accepted: 0, refused: 0, byCode: new Map<string, number>(), examples: [] as string[] };
    for (const b of batches) {
      for (const d of b.documents) await uploadDocument({ url: up.state.url, token: b.token, force: b.force, name: d.name, body: d.body });
      documentsUploaded += b.documents.length;
      const t = await sendLines({ url: up.state.url, token: b.token, force: b.force, lines: b.lines, onProgress: (n) => bar.update(totals.lines + n) });
      totals.submissions += t.submissions; totals.lines += t.lines; totals.accepted += t.accepted; totals.refused += t.refused;
      for (const [code, n] of t.byCode) totals.byCode.set(code, (totals.byCode.get(code) ?? 0) + n);
      totals.examples.push(...t.examples.slice(0, 1));
    }
    bar.stop();
    printTotals({ ...totals, examples: totals.examples.slice(0, 3) });
    console.log(`${documentsUploaded} documents uploaded for the returns (a CSV and a PDF per force and half-year), each cited by its SHA-256.`);

    const ids = batches.flatMap((b) => b.ids);
    process.stdout.write('counting');
    for (;;) {
      const { rows } = await connection.pool.query<{ n: number }>('SELECT count(*)::bigint AS n FROM aggregate.applied_events WHERE event_id = ANY($1::uuid[])', [ids]);
      if ((rows[0]?.n ?? 0) >= ids.length) break;
      process.stdout.write('.');
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
    console.log(` all ${ids.length} distinct events counted (the rest of those accepted were repeats, sent twice on purpose).`);

    const result = await publishPeriod({ pool: connection.pool, store: connection.store, serviceVersion: 'publish@demo' }, latest);
    const folder = await downloadRevision(connection.store, result.prefix, join(vawgHome(), 'reports'));
    const cells = JSON.parse((await connection.store.get(`${result.prefix}cells.json`))!.toString()) as PublishedRow[];
    const national = cells.filter((r) => r.geography === 'national' && r.measure === 'crimes-recorded' && r.split === 'all');
    console.log(`\nPublished ${latest} revision ${result.revision}: s3://${connection.store.bucket}/${result.prefix}\nCopied to ${folder}/\n  open ${join(folder, 'report.html')} in a browser (one page per force under forces/; every figure in cells.csv and cells.json)`);
    console.log(`\nVAWG crimes recorded, England and Wales:`);
    for (const r of national) console.log(`  ${r.period.padEnd(8)} ${String(r.value).padStart(8)}  (${r.forcesIncluded} of ${forces.length} forces${r.provisional ? ', provisional' : ''})`);

    // A message no stage can read, put straight on the raw topic as a faulty client library might:
    // validate dead-letters it and goes on. After the publication, which would wait for a decision on it.
    console.log('\nNow a corrupted message, straight on the raw topic as a faulty client library might put it: validate logs an error as it dead-letters it, and goes on.');
    const bus = await connection.bus();
    const broken = batches.find((b) => b.force === demoForces.deadLetter)!;
    const event = JSON.parse(broken.lines[0]!.text) as unknown;
    await bus.publish(connection.topics.raw, [{ key: broken.force, value: JSON.stringify({ v: 2, submissionId: randomUUID(), line: 1, force: broken.force, receivedAt: new Date().toISOString(), event }) }]);
    process.stdout.write('dead-lettering');
    for (let i = 0; i < 120; i++) {
      const { rows } = await connection.pool.query<{ n: number }>(`SELECT count(*)::int AS n FROM pipeline.dead_letters WHERE force = $1 AND resolved_at IS NULL`, [broken.force]);
      if ((rows[0]?.n ?? 0) > 0) break;
      process.stdout.write('.');
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
    console.log(' done.');
    console.log(`\nCompleteness, as the console shows it (\`npx vawg completeness --period ${latest}\`):`);
    console.log(`  ${demoForces.late}: crime ${states.late} late (never closed); ${demoForces.silent}: crime ${states.silent} silent (nothing sent);`);
    console.log(`  ${demoForces.anomalous}: crime ${states.anomalous} anomalous (three times its usual crimes); ${demoForces.deadLetter}: one dead letter (\`npx vawg dead-letters\`),`);
    console.log('  a corrupted message put straight on the raw topic: discard it with `npx vawg discard --id <id> --reason …`.');
    console.log(`\nThe operators' console on this half-year: ${up.state.url}/console/?period=${latest} (sign in with \`npx vawg tokens create --operator\`).`);
  } finally {
    await connection.close();
  }
  if (!options.exit) {
    console.log('\nStill up: send more with `npx vawg send`, publish with `npx vawg publish`. Stop with Ctrl-C.');
    await up.waitForSignal();
  }
  await up.stop();
}
