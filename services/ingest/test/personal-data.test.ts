// Issue 10: personal data sent in any field is never kept in clear: not in PostgreSQL, S3, Kafka
// or the logs. Every reference and free-text field of every event type is given an e-mail
// address, a telephone number and a name, and so are an unknown field, the eventId, a line that
// is not JSON and an element of a JSON array; then every table, object, message and log line is read.
import { Writable } from 'node:stream';
import fc from 'fast-check';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventTypes, type EventType } from '@vawg/contracts';
import { arbitraryEvent } from '@vawg/contracts/arbitraries';
import { eventually, uniqueName } from '@vawg/testing';
import { createCredential, type Receipt } from '../src/index.ts';
import { deleteExpiredOriginals } from '../src/refusal-store.ts';
import { startIngestFixture, type IngestFixture } from './ingest-fixture.ts';

/** What is sent, by where it goes: a whole reference, or inside free text. */
const secrets = {
  reference: ['jane.doe@example.org', '07700900123', '+44 7700 900123', 'Jane.Doe'],
  text: ['write to jane.doe@example.org', 'ring 07700 900123 today', 'spoke to Mrs Jane Doe'],
};
/** None of these may be found anywhere afterwards. */
const needles = ['jane.doe', 'example.org', '07700900123', '7700 900123', 'Jane Doe', 'Jane.Doe'];

const referenceFields = ['crimeRef', 'suspectRef', 'orderRef', 'applicationRef', 'allegationRef'];
const textFields = ['reason', 'summary'];

function linesWithSecrets(): unknown[] {
  const lines: unknown[] = [];
  for (const type of eventTypes as readonly EventType[]) {
    const [event] = fc.sample(arbitraryEvent(type, 'kent'), { numRuns: 1, seed: 7 }) as unknown as [Record<string, unknown> & { payload: Record<string, unknown> }];
    const withPayload = (payload: Record<string, unknown>) => ({ ...event, eventId: crypto.randomUUID(), payload: { ...event.payload, ...payload } });
    for (const field of referenceFields.filter((f) => f in event.payload)) for (const s of secrets.reference) lines.push(withPayload({ [field]: s }));
    for (const field of textFields.filter((f) => f in event.payload)) for (const s of secrets.text) lines.push(withPayload({ [field]: s }));
    if (type === 'return.submitted') {
      for (const s of secrets.text) lines.push(withPayload({ documents: [{ name: `${s}.pdf`, sha256: 'a'.repeat(64), bytes: 10 }] }));
    }
    for (const s of [...secrets.reference, ...secrets.text]) {
      lines.push({ ...event, eventId: s });
      lines.push(withPayload({ victimName: s }));
      lines.push({ ...withPayload({}), contact: s });
      lines.push({ ...withPayload({}), [s]: 1 });
    }
  }
  return lines;
}

describe('personal data sent in any field', () => {
  let fx: IngestFixture;
  const logged: string[] = [];

  beforeAll(async () => {
    const sink = new Writable({ write(chunk: Buffer, _encoding, done) { logged.push(chunk.toString()); done(); } });
    fx = await startIngestFixture('pii', { log: pino({ level: 'trace' }, sink) });
  });
  afterAll(async () => fx?.stop());

  it('is refused, and found nowhere: not in PostgreSQL, S3, Kafka or the logs', async () => {
    const token = await createCredential(fx.pool, { role: 'force', force: 'kent' });
    const lines = linesWithSecrets();
    const badLines = [...secrets.reference, ...secrets.text].flatMap((s) => [
      // Not JSON; not UTF-8; too large to read; too deep to read.
      Buffer.from(`{"summary": "${s}"`), Buffer.concat([Buffer.from(`{"summary": "${s}`), Buffer.from([0xff, 0x22, 0x7d])]),
      Buffer.from(`{"x":"${s}${' '.repeat(70_000)}"}`), Buffer.from(`${'['.repeat(40)}"${s}"${']'.repeat(40)}`),
    ]);
    // A valid event after a key given twice: JSON keeps the last, so the event is accepted; the
    // first value, never read, must not be kept either (the archive keeps events as checked).
    const [valid] = fc.sample(arbitraryEvent('crime.recorded', 'kent'), { numRuns: 1, seed: 9 });
    const duplicated = [...secrets.reference, ...secrets.text].map((secret) =>
      `{"payload":{"note":${JSON.stringify(secret)}},${JSON.stringify({ ...valid!, eventId: crypto.randomUUID() }).slice(1)}`);
    const bodies: [string, string | Buffer, number][] = [
      ['application/x-ndjson', lines.map((l) => JSON.stringify(l)).join('\n'), 0],
      ['application/json', JSON.stringify(lines.slice(0, 40)), 0],
      ['application/x-ndjson', Buffer.concat(badLines.flatMap((b) => [b, Buffer.from('\n')])), 0],
      ['application/x-ndjson', duplicated.join('\n'), duplicated.length],
    ];
    let refused = 0;
    for (const [type, payload, accepted] of bodies) {
      const response = await fx.app.inject({ method: 'POST', url: '/v1/events', payload, headers: { 'content-type': type, authorization: `Bearer ${token}` } });
      expect(response.statusCode).toBe(202);
      const receipt = response.json<Receipt>();
      expect(receipt.accepted).toBe(accepted);
      refused += receipt.refused;
      // The force finds each refused line by its hash; the receipt quotes nothing of it.
      for (const r of receipt.results) if (r.status === 'refused') expect(r.sha256).toMatch(/^[0-9a-f]{64}$/);
      for (const needle of needles) expect(response.body).not.toContain(needle);
    }
    expect(refused).toBeGreaterThan(150);
    // The accepted events are on the raw topic too, and nowhere with the values they did not keep.
    await eventually(async () => {
      const { rows } = await fx.pool.query<{ n: number }>('SELECT count(*)::int AS n FROM ingest.refusals');
      expect(rows[0]!.n).toBe(refused);
    }, { timeoutMs: 30_000 });
    // The refusals as a force reads them: masked, with the hash of each line.
    const page = await fx.app.inject({ url: '/v1/refusals?limit=1000', headers: { authorization: `Bearer ${token}` } });
    expect(page.json<{ refusals: { original: unknown; sha256: string }[] }>().refusals[0]!.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(page.body).toMatch(/\[email\]/);

    const places: [string, string][] = [];
    // PostgreSQL: every row of every table.
    const { rows: tables } = await fx.pool.query<{ name: string }>(
      `SELECT format('%I.%I', table_schema, table_name) AS name FROM information_schema.tables
        WHERE table_type = 'BASE TABLE' AND table_schema NOT IN ('pg_catalog', 'information_schema')`);
    expect(tables.map((t) => t.name)).toEqual(expect.arrayContaining(['ingest.refusals', 'ingest.submissions']));
    for (const t of tables) {
      const { rows } = await fx.pool.query<{ text: string | null }>(`SELECT string_agg(r::text, E'\\n') AS text FROM ${t.name} r`);
      places.push([`postgres ${t.name}`, rows[0]!.text ?? '']);
    }
    // S3: every object.
    for (const key of await fx.store.list('')) places.push([`s3 ${key}`, (await fx.store.get(key))?.toString('utf8') ?? '']);
    // Kafka: every message of every topic.
    const seen: string[] = [];
    const topics = [fx.topics.raw, fx.topics.refused, fx.topics.deadLetter];
    const subscription = await fx.bus.subscribe({ groupId: uniqueName('pii-read'), topics, handler: (b) => {
      seen.push(...b.messages.map((m) => m.value.toString('utf8')));
      return Promise.resolve();
    } });
    await eventually(() => expect(seen.length).toBeGreaterThanOrEqual(refused + duplicated.length));
    await subscription.stop();
    places.push(['kafka', seen.join('\n')]);
    // Each submission archived (its refused lines as their hash and code only).
    expect(places.filter(([where]) => where.startsWith('s3 raw/kent/'))).toHaveLength(bodies.length);
    places.push(['logs', logged.join('')]);
    expect(logged.length).toBeGreaterThan(0);

    const found = places.flatMap(([where, text]) => needles.filter((n) => text.includes(n)).map((n) => `${n} in ${where}`));
    expect(found).toEqual([]);
  });

  it('deletes refused originals past the retention period, keeping each refusal\'s code and hash', async () => {
    const { rows: before } = await fx.pool.query<{ n: number }>('SELECT count(*)::int AS n FROM ingest.refusals WHERE original IS NOT NULL');
    expect(before[0]!.n).toBeGreaterThan(10);
    // Ten of them are 91 days old, ten exactly 89.
    await fx.pool.query(`UPDATE ingest.refusals SET refused_at = now() - interval '91 days' WHERE ctid IN (SELECT ctid FROM ingest.refusals ORDER BY line LIMIT 10)`);
    await fx.pool.query(`UPDATE ingest.refusals SET refused_at = now() - interval '89 days' WHERE ctid IN (SELECT ctid FROM ingest.refusals WHERE refused_at > now() - interval '1 day' ORDER BY line LIMIT 10)`);
    expect(await deleteExpiredOriginals(fx.pool, fx.topics.refusedRetentionMs)).toBe(10);
    const { rows } = await fx.pool.query<{ old: boolean; kept: boolean; hashed: boolean; n: number }>(
      `SELECT refused_at < now() - interval '90 days' AS old, original IS NOT NULL AS kept, original_sha256 IS NOT NULL AS hashed, count(*)::int AS n
         FROM ingest.refusals GROUP BY 1, 2, 3 ORDER BY 1, 2, 3`);
    expect(rows).toEqual([{ old: false, kept: true, hashed: true, n: before[0]!.n - 10 }, { old: true, kept: false, hashed: true, n: 10 }]);
    // The API says so: an original past retention is null.
    const token = await createCredential(fx.pool, { role: 'force', force: 'kent' });
    const all = (await fx.app.inject({ url: '/v1/refusals?limit=1000', headers: { authorization: `Bearer ${token}` } })).json<{ refusals: { original: unknown }[] }>();
    expect(all.refusals.filter((r) => r.original === null)).toHaveLength(10);
    expect(await deleteExpiredOriginals(fx.pool, fx.topics.refusedRetentionMs)).toBe(0);
  });
});
