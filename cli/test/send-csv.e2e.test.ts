// `vawg send` on CSV files, run as the real program against the real ingest API (and the stages
// behind it): the rows become events through the same path as NDJSON, the receipt totals are
// printed, a row the contract refuses is refused by the server with its rule code and its line, and
// a header that does not fit its type stops the command before anything is sent.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCredential } from '@vawg/ingest';
import { seeded, syntheticCrimes } from '@vawg/synthetic';
import { eventually } from '@vawg/testing';
import { startStackFixture, type StackFixture } from './stack-fixture.ts';
import { vawg } from './cli-process.ts';

describe('vawg send with CSV files', () => {
  let stack: StackFixture;
  let token: string;
  let home: string;
  beforeAll(async () => {
    stack = await startStackFixture();
    token = await createCredential(stack.pool, { role: 'force', force: 'kent' });
    home = await mkdtemp(join(tmpdir(), 'vawg-csv-'));
  });
  afterAll(async () => {
    await stack?.stop();
    if (home) await rm(home, { recursive: true, force: true });
  });

  const send = (...args: string[]) => vawg(home, ['send', '--force', 'kent', '--token', token, '--url', stack.url, ...args]);
  const submissions = async () => (await stack.pool.query<{ n: number }>('SELECT count(*)::int AS n FROM ingest.submissions')).rows[0]!.n;

  it('sends every row as an event, with NDJSON alongside, and prints the receipt totals', async () => {
    // As a spreadsheet saves it: a byte-order mark, CRLF, its own column order, TRUE and FALSE,
    // an optional column left empty.
    const crimes = syntheticCrimes(seeded(9), { force: 'kent', count: 120, from: '2025-04-01', to: '2025-04-30', refPrefix: 'CSV' });
    const header = 'crimeRef,eventId,force,schemaVersion,occurredAt,producedAt,offenceGroup,hoOffenceCode,domesticAbuse,victim.sex,victim.ageBand,victim.ethnicity';
    const rows = crimes.map((c, i) => [
      c.payload.crimeRef, c.eventId, c.force, '1', c.occurredAt, c.producedAt, c.payload.offenceGroup, i % 2 === 0 ? '19C' : '',
      i === 41 ? 'perhaps' : c.payload.domesticAbuse ? 'TRUE' : 'FALSE', c.payload.victim.sex, c.payload.victim.ageBand, c.payload.victim.ethnicity,
    ].join(','));
    const crimeFile = join(home, 'kent-2025-04.crime.recorded.csv');
    await writeFile(crimeFile, `\uFEFF${[header, ...rows].join('\r\n')}\r\n`);
    // The type from a column instead of the name.
    const closedFile = join(home, 'closing.csv');
    await writeFile(closedFile, [
      'type,eventId,schemaVersion,force,occurredAt,producedAt,dataset,month',
      'submission.closed,6d2f0c4e-1b3a-4e5f-8a7b-9c0d1e2f3a4b,1,kent,2025-05-10,2025-05-10T09:00:00+01:00,crime,2025-04',
    ].join('\n'));
    const ndjsonFile = join(home, 'more.ndjson');
    const extra = syntheticCrimes(seeded(10), { force: 'kent', count: 5, from: '2025-04-01', to: '2025-04-30', refPrefix: 'ND' });
    await writeFile(ndjsonFile, extra.map((e) => JSON.stringify(e)).join('\n'));

    const { stdout } = await send(crimeFile, closedFile, ndjsonFile);
    expect(stdout).toContain('sent 126 events in 1 submission: 125 accepted, 1 refused');
    expect(stdout).toMatch(/^\s+1\s+payload\.domesticAbuse\.invalid$/m);
    // Row 42 of the data is line 43 of the file: the header is line 1.
    expect(stdout).toContain('kent-2025-04.crime.recorded.csv:43: payload.domesticAbuse.invalid');

    const refusals = await (await fetch(`${stack.url}/v1/refusals`, { headers: { authorization: `Bearer ${token}` } })).json() as
      { refusals: { code: string; eventId: string; original: { payload: { domesticAbuse: unknown; hoOffenceCode?: unknown } } }[] };
    expect(refusals.refusals).toHaveLength(1);
    expect(refusals.refusals[0]).toMatchObject({ code: 'payload.domesticAbuse.invalid', eventId: crimes[41]!.eventId, original: { payload: { domesticAbuse: 'perhaps' } } });

    // What was accepted is what the rows say: counted by the stages behind ingest.
    await eventually(async () => {
      const { rows: cells } = await stack.pool.query<{ value: number }>(
        `SELECT value FROM aggregate.cells WHERE force = 'kent' AND month = '2025-04' AND measure = 'crimes-recorded' AND split = 'all'`);
      expect(cells.map((c) => c.value)).toEqual([119 + 5]);
    }, { timeoutMs: 120_000 });
  }, 300_000);

  it('stops at a header that does not fit, naming the column, before sending anything', async () => {
    const before = await submissions();
    const file = join(home, 'crime.recorded.csv');
    const good = 'c-000001,0b3e5f1a-2c4d-4e6f-8a9b-0c1d2e3f4a5b,kent,1,2025-04-02,2025-04-02T10:00:00Z,stalking,true,female,25-34,white';
    await writeFile(file, `crimeRef,eventId,force,schemaVersion,occurredAt,producedAt,offenceGroup,domesticAbuse,victim.gender,victim.ageBand,victim.ethnicity\n${good}\n`);
    const ok = join(home, 'ok.ndjson');
    await writeFile(ok, `${JSON.stringify(syntheticCrimes(seeded(11), { force: 'kent', count: 1, from: '2025-04-01', to: '2025-04-30' })[0])}\n`);

    // The NDJSON file comes first, and is not sent either: every file is read before sending.
    const failure = await send(ok, file).then(() => null, (error: { code: number; stderr: string }) => error);
    expect(failure?.code).toBe(1);
    expect(failure?.stderr.trim().split('\n')).toHaveLength(1);
    expect(failure?.stderr).toMatch(/^vawg: \S+crime\.recorded\.csv: unknown column "victim\.gender" \(column 9\): crime\.recorded has eventId, .* \(and 1 more problem with the header\); nothing was sent\n$/);

    await writeFile(file, `crimeRef,eventId,force,schemaVersion,occurredAt,producedAt,offenceGroup,domesticAbuse,victim.sex,victim.ageBand,victim.ethnicity,force\n${good},kent\n`);
    await expect(send(file)).rejects.toMatchObject({ code: 1, stderr: expect.stringContaining('crime.recorded.csv: column "force" appears twice (columns 3 and 12); nothing was sent') as unknown });
    await writeFile(file, `crimeRef,eventId,force,schemaVersion,occurredAt,producedAt,offenceGroup,domesticAbuse,victim.sex,victim.ageBand\n${good.replace(/,white$/, '')}\n`);
    await expect(send(file)).rejects.toMatchObject({ code: 1, stderr: expect.stringContaining('crime.recorded.csv: missing column "victim.ethnicity", required by crime.recorded; nothing was sent') as unknown });
    await expect(send('--type', 'crime.recordid', file)).rejects.toMatchObject({ code: 1, stderr: expect.stringContaining('--type crime.recordid: not an event type') as unknown });
    expect(await submissions()).toBe(before);
  }, 120_000);
});
