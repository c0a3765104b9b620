// The CSV form of events: its columns come from each type's schema, every valid event survives
// event → CSV → event, the header check names the column at fault, and cells convert by the rules
// the README states (a cell that does not convert is kept as text for the ingest API to refuse).
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { z } from 'zod';
import { arbitraryEvent, GENERATED_RECEIVED_AT } from '../src/testing/arbitraries.ts';
import {
  checkCsvHeader, csvColumns, csvHeader, csvRecord, csvRowToEvent, CsvError, eventSchemas, eventsToCsv, eventToCsvCells,
  eventTypeOfFileName, eventTypes, parseEvent, readCsvEvents, type CsvEventRow, type CsvKind, type EventType, type ForceEvent,
} from '../src/index.ts';

async function readAll(text: string | Uint8Array | (string | Uint8Array)[], options: Parameters<typeof readCsvEvents>[1] = {}): Promise<CsvEventRow[]> {
  const rows: CsvEventRow[] = [];
  for await (const row of readCsvEvents(Array.isArray(text) ? text : [text], options)) rows.push(row);
  return rows;
}

const csvError = (text: string, options: Parameters<typeof readCsvEvents>[1] = {}) => csvErrorOf(text, options);
async function csvErrorOf(text: string | Uint8Array, options: Parameters<typeof readCsvEvents>[1] = {}) {
  try {
    await readAll(text, options);
  } catch (error) {
    if (error instanceof CsvError) return { code: error.code, message: error.message, details: error.details };
    throw error;
  }
  throw new Error('expected a CsvError');
}

const refusalCode = (event: unknown) => {
  const result = parseEvent(event, { force: 'kent', receivedAt: GENERATED_RECEIVED_AT });
  return result.ok ? null : result.refusal.code;
};

type JsonSchema = { type?: string; const?: unknown; properties?: Record<string, JsonSchema>; required?: string[]; additionalProperties?: unknown };

/** The columns as a second, independent reading of the contract: its JSON Schema. */
function columnsFromJsonSchema(type: EventType): { name: string; kind: CsvKind; required: boolean }[] {
  const root = z.toJSONSchema(eventSchemas[type]) as JsonSchema;
  const envelope = Object.keys(root.properties!);
  const out: { name: string; kind: CsvKind; required: boolean }[] = [];
  const walk = (schema: JsonSchema, path: string[], required: boolean) => {
    if (schema.type === 'object' && schema.properties && path.length > 0) {
      for (const [k, v] of Object.entries(schema.properties)) walk(v, [...path, k], required && (schema.required ?? []).includes(k));
      return;
    }
    const kind: CsvKind = schema.type === 'string' ? 'text' : schema.type === 'boolean' ? 'boolean' : schema.type === 'integer' ? 'integer'
      : schema.type === 'number' ? (Number.isInteger(schema.const) ? 'integer' : 'number') : 'json';
    const name = path[0] === 'payload' && !envelope.includes(path[1]!) ? path.slice(1).join('.') : path.join('.');
    out.push({ name, kind, required: required && name !== 'type' });
  };
  for (const [k, v] of Object.entries(root.properties!)) walk(v, [k], (root.required ?? []).includes(k));
  return out;
}

const sample = (type: EventType): ForceEvent => fc.sample(arbitraryEvent(type, 'kent'), { numRuns: 1, seed: 7 })[0]!;
const crimeHeader = 'eventId,schemaVersion,force,occurredAt,producedAt,crimeRef,offenceGroup,hoOffenceCode,domesticAbuse,victim.sex,victim.ageBand,victim.ethnicity';
const crimeRow = (changes: Partial<Record<string, string>> = {}) => {
  const cells: Record<string, string> = {
    eventId: '5b0d7c8e-3a41-4c2b-9a57-0c1e2d3f4a5b', schemaVersion: '1', force: 'kent', occurredAt: '2025-04-02',
    producedAt: '2025-04-03T09:00:00+01:00', crimeRef: 'c-000123', offenceGroup: 'stalking', hoOffenceCode: '8Q',
    domesticAbuse: 'true', 'victim.sex': 'female', 'victim.ageBand': '25-34', 'victim.ethnicity': 'white', ...changes,
  };
  return crimeHeader.split(',').map((c) => cells[c]).join(',');
};

describe('the columns of every event type', () => {
  it.each(eventTypes)('%s: one per field of the schema, read again from its JSON Schema', (type) => {
    expect(csvColumns(type).map(({ name, kind, required }) => ({ name, kind, required }))).toEqual(columnsFromJsonSchema(type));
  });

  it('names payload fields by their dotted paths, and the envelope fields by name', () => {
    expect(csvHeader('crime.recorded')).toEqual([...crimeHeader.split(',').slice(0, 5), 'type', ...crimeHeader.split(',').slice(5)]);
    expect(csvColumns('crime.recorded').find((c) => c.name === 'victim.sex')).toEqual({ name: 'victim.sex', path: ['payload', 'victim', 'sex'], kind: 'text', required: true });
    expect(csvColumns('crime.recorded').find((c) => c.name === 'domesticAbuse')?.kind).toBe('boolean');
    expect(csvColumns('crime.recorded').find((c) => c.name === 'hoOffenceCode')?.required).toBe(false);
    expect(csvColumns('return.submitted').filter((c) => c.kind === 'json').map((c) => [c.name, c.required])).toEqual([['measures', false], ['documents', true]]);
  });

  it('keeps `payload.` where a payload field has an envelope field\'s name', () => {
    expect(csvHeader('event.retracted').slice(-2)).toEqual(['payload.eventId', 'reason']);
  });
});

describe('event → CSV → event', () => {
  it.each(eventTypes)('%s: every generated event comes back equal, and valid', async (type) => {
    await fc.assert(fc.asyncProperty(fc.array(arbitraryEvent(type, 'kent'), { minLength: 1, maxLength: 5 }), async (events) => {
      const rows = await readAll(eventsToCsv(type, events), { fileName: 'upload.csv', type });
      // What is sent is JSON: compare with the events as JSON says them (-0 is 0, no undefined keys).
      expect(rows.map((r) => r.event)).toEqual(JSON.parse(JSON.stringify(events)));
      expect(rows.map((r) => r.line)).toEqual(events.map((_, i) => i + 2));
      for (const row of rows) expect(refusalCode(row.event)).toBeNull();
    }), { numRuns: 60 });
  });

  it('quotes what needs quoting, keeps line numbers across cells of several lines, and reads CRLF, LF and a byte-order mark', async () => {
    const event = { ...sample('return.submitted'), payload: { kpi: '2.1', period: '2025-H1', summary: 'Reviews, "audits"\r\nand training', documents: [] } } as ForceEvent;
    const other = { ...event, eventId: '0f6a2c1e-8d3b-4f7a-9c5e-1b2d3e4f5a6b', payload: { ...event.payload, summary: '' } } as ForceEvent;
    const text = eventsToCsv('return.submitted', [event, other]);
    expect(text).toContain('"Reviews, ""audits""\r\nand training"');
    expect(text).toContain(',"",');
    const rows = await readAll(`\uFEFF${text.replace(/\r\n$/, '')}`, { type: 'return.submitted' });
    expect(rows.map((r) => r.line)).toEqual([2, 4]);
    expect(rows.map((r) => (r.event.payload as { summary: string }).summary)).toEqual(['Reviews, "audits"\r\nand training', '']);
    const lf = await readAll(text.replace(/\r\n(?!and)/g, '\n'), { type: 'return.submitted' });
    expect(lf.map((r) => r.event)).toEqual(rows.map((r) => r.event));
  });

  it('reads a file however it is cut into chunks, even inside a character', async () => {
    const events = fc.sample(arbitraryEvent('crime.recorded', 'kent'), { numRuns: 20, seed: 3 });
    const bytes = new TextEncoder().encode(eventsToCsv('crime.recorded', events).replaceAll('-', '\u2013'));
    const chunks = Array.from({ length: Math.ceil(bytes.length / 7) }, (_, i) => bytes.subarray(i * 7, i * 7 + 7));
    expect((await readAll(chunks, { type: 'crime.recorded' })).map((r) => r.event)).toEqual((await readAll([bytes], { type: 'crime.recorded' })).map((r) => r.event));
  });
});

describe('the header check names the column at fault', () => {
  const check = (header: string) => {
    try {
      checkCsvHeader('crime.recorded', header.split(','));
    } catch (error) {
      if (error instanceof CsvError) return { code: error.code, column: error.details.column, message: error.message };
      throw error;
    }
    return null;
  };

  it('accepts the columns in any order, without the optional ones', () => {
    expect(check(crimeHeader.split(',').reverse().join(','))).toBeNull();
    expect(check(crimeHeader.replace(',hoOffenceCode', ''))).toBeNull();
    expect(check(`type,${crimeHeader}`)).toBeNull();
  });

  it('an unknown column', () => {
    expect(check(crimeHeader.replace('victim.sex', 'victim.gender'))).toMatchObject({
      code: 'csv.unknown-column', column: 'victim.gender',
      message: expect.stringMatching(/^unknown column "victim\.gender" \(column 10\): crime\.recorded has eventId, .*victim\.sex.* \(and 1 more problem with the header\)$/) as unknown,
    });
    expect(check(`${crimeHeader},payload.crimeRef`)).toMatchObject({ code: 'csv.unknown-column', column: 'payload.crimeRef' });
    expect(check(`${crimeHeader},`)).toMatchObject({ code: 'csv.unknown-column', column: '', message: 'column 13 has no name' });
  });

  it('a missing required column', () => {
    expect(check(crimeHeader.replace(',victim.ageBand', ''))).toEqual({
      code: 'csv.missing-column', column: 'victim.ageBand', message: 'missing column "victim.ageBand", required by crime.recorded',
    });
    expect(check(crimeHeader.replace('schemaVersion,', ''))).toMatchObject({ code: 'csv.missing-column', column: 'schemaVersion' });
  });

  it('a duplicate column', () => {
    expect(check(`${crimeHeader},force`)).toEqual({ code: 'csv.duplicate-column', column: 'force', message: 'column "force" appears twice (columns 3 and 13)' });
  });

  it('stops reading a file at a bad header, before its first row', async () => {
    const error = await csvError(`${crimeHeader.replace('domesticAbuse', 'domestic')}\n${crimeRow()}\n`, { fileName: 'crime.recorded.csv' });
    expect(error).toMatchObject({ code: 'csv.unknown-column', details: { column: 'domestic' } });
  });
});

describe('cells become values by the column\'s kind', () => {
  const read = async (row: string, header = crimeHeader) => (await readAll(`${header}\n${row}\n`, { type: 'crime.recorded' }))[0]!.event;

  it('a full row is a valid event, typed by the file', async () => {
    const event = await read(crimeRow());
    expect(event).toEqual({
      eventId: '5b0d7c8e-3a41-4c2b-9a57-0c1e2d3f4a5b', type: 'crime.recorded', schemaVersion: 1, force: 'kent', occurredAt: '2025-04-02',
      producedAt: '2025-04-03T09:00:00+01:00',
      payload: { crimeRef: 'c-000123', offenceGroup: 'stalking', hoOffenceCode: '8Q', domesticAbuse: true, victim: { sex: 'female', ageBand: '25-34', ethnicity: 'white' } },
    });
    expect(refusalCode(event)).toBeNull();
  });

  it('booleans: true or false in any case; anything else is sent as text and refused by its rule', async () => {
    expect(((await read(crimeRow({ domesticAbuse: 'FALSE' }))).payload as { domesticAbuse: unknown }).domesticAbuse).toBe(false);
    expect(((await read(crimeRow({ domesticAbuse: 'True' }))).payload as { domesticAbuse: unknown }).domesticAbuse).toBe(true);
    const yes = await read(crimeRow({ domesticAbuse: 'yes' }));
    expect((yes.payload as { domesticAbuse: unknown }).domesticAbuse).toBe('yes');
    expect(refusalCode(yes)).toBe('payload.domesticAbuse.invalid');
  });

  it('numbers in JSON\'s syntax; others stay text', async () => {
    expect((await read(crimeRow({ schemaVersion: '2' }))).schemaVersion).toBe(2);
    const padded = await read(crimeRow({ schemaVersion: '01' }));
    expect(padded.schemaVersion).toBe('01');
    expect(refusalCode(padded)).toBe('schemaVersion.invalid');
  });

  it('an empty cell is an absent field: allowed when optional, refused by name when required', async () => {
    const noCode = await read(crimeRow({ hoOffenceCode: '' }));
    expect(noCode.payload).not.toHaveProperty('hoOffenceCode');
    expect(refusalCode(noCode)).toBeNull();
    expect(refusalCode(await read(crimeRow({ crimeRef: '' })))).toBe('payload.crimeRef.missing');
    const noSex = await read(crimeRow({ 'victim.sex': '' }));
    expect(noSex.payload).toMatchObject({ victim: { ageBand: '25-34', ethnicity: 'white' } });
    expect(refusalCode(noSex)).toBe('payload.victim.sex.missing');
    expect(refusalCode(await read(crimeRow({ 'victim.sex': '', 'victim.ageBand': '', 'victim.ethnicity': '' })))).toBe('payload.victim.sex.missing');
    // A quoted empty cell is the empty text: refused for what it is, not as missing.
    const emptyRef = await read(crimeRow({ crimeRef: '""' }));
    expect((emptyRef.payload as { crimeRef: unknown }).crimeRef).toBe('');
    expect(refusalCode(emptyRef)).toBe('payload.crimeRef.personal-data.name');
  });

  it('lists and maps as one JSON cell', async () => {
    const header = 'eventId,schemaVersion,force,occurredAt,producedAt,kpi,period,summary,measures,documents';
    const start = '5b0d7c8e-3a41-4c2b-9a57-0c1e2d3f4a5b,1,kent,2025-10-01,2025-10-01T09:00:00Z,2.1,2025-H1,Training delivered';
    const rows = await readAll([
      header,
      `${start},"{""officers-trained"":120}","[{""name"":""review.pdf"",""sha256"":""${'a'.repeat(64)}"",""bytes"":2048}]"`,
      `${start},,[]`,
      `${start},,[{oops`,
      `${start},,`,
    ].join('\n'), { fileName: 'kent.return.submitted.csv' });
    expect(rows[0]!.event.payload).toEqual({
      kpi: '2.1', period: '2025-H1', summary: 'Training delivered', measures: { 'officers-trained': 120 },
      documents: [{ name: 'review.pdf', sha256: 'a'.repeat(64), bytes: 2048 }],
    });
    expect(rows.map((r) => refusalCode(r.event))).toEqual([null, null, 'payload.documents.invalid', 'payload.documents.missing']);
    expect((rows[2]!.event.payload as { documents: unknown }).documents).toBe('[{oops');
  });

  it('a type column may repeat the file\'s type, or leave it empty; another type stops the file at that line', async () => {
    const header = `type,${crimeHeader}`;
    expect((await readAll(`${header}\ncrime.recorded,${crimeRow()}\n,${crimeRow()}\n`, { fileName: 'crime.recorded.csv' })).map((r) => r.event.type))
      .toEqual(['crime.recorded', 'crime.recorded']);
    expect(await csvError(`${header}\ncrime.recorded,${crimeRow()}\norder.applied,${crimeRow()}\n`, { fileName: 'crime.recorded.csv' })).toMatchObject({
      code: 'csv.type-mismatch', message: 'line 3: type "order.applied" in a file of crime.recorded events (one file per event type)', details: { line: 3, column: 'type' },
    });
  });

  it('a row without the header\'s number of cells, or an unclosed quote, stops the file at its line', async () => {
    expect(await csvError(`${crimeHeader}\n${crimeRow()}\n${crimeRow()},extra\n`, { type: 'crime.recorded' })).toMatchObject({
      code: 'csv.malformed', message: 'line 3: 13 cells where the header (line 1) has 12', details: { line: 3 },
    });
    expect(await csvError(`${crimeHeader}\n${crimeRow({ crimeRef: '"c-1' })}\n`, { type: 'crime.recorded' })).toMatchObject({ code: 'csv.malformed' });
  });

  it('skips blank lines and rows of empty cells', async () => {
    const rows = await readAll(`${crimeHeader}\n\n${crimeRow()}\n,,,,,,,,,,,\n\n${crimeRow()}\n`, { type: 'crime.recorded' });
    expect(rows.map((r) => r.line)).toEqual([3, 6]);
    const crlf = await readAll(`${crimeHeader}\r\n\r\n${crimeRow({ crimeRef: '"c-1\r\n\r\nc-2"' })}\r\n\r\n${crimeRow()}\r\n`, { type: 'crime.recorded' });
    expect(crlf.map((r) => r.line)).toEqual([3, 7]);
  });
});

describe('the type of a file', () => {
  it('from its name', () => {
    expect(eventTypeOfFileName('crime.recorded.csv')).toBe('crime.recorded');
    expect(eventTypeOfFileName('/data/kent-2025-04.Order.Applied.CSV')).toBe('order.applied');
    expect(eventTypeOfFileName('kent_suspect.resolved.csv')).toBe('suspect.resolved');
    expect(eventTypeOfFileName('xcrime.recorded.csv')).toBeUndefined();
    expect(eventTypeOfFileName('crimes.csv')).toBeUndefined();
  });

  it('from a type column, when neither the name nor the caller says it', async () => {
    const rows = await readAll(`type,${crimeHeader}\ncrime.recorded,${crimeRow()}\n`, { fileName: 'export.csv' });
    expect(rows[0]!.event.type).toBe('crime.recorded');
    expect(await csvError(`type,${crimeHeader}\ncrime.recordd,${crimeRow()}\n`, { fileName: 'export.csv' })).toMatchObject({ code: 'csv.unknown-type', details: { line: 2, column: 'type' } });
    expect(await csvError(`type,${crimeHeader.replace(',victim.sex', '')}\ncrime.recorded,${crimeRow().replace(',female', '')}\n`)).toMatchObject({ code: 'csv.missing-column', details: { column: 'victim.sex' } });
  });

  it('or says what to do', async () => {
    expect(await csvError(`${crimeHeader}\n${crimeRow()}\n`, { fileName: 'export.csv' })).toMatchObject({
      code: 'csv.no-type', message: 'no event type: name the file after its type (crime.recorded.csv), pass --type, or add a type column',
    });
    expect(await csvError(`${crimeHeader}\n`, { fileName: 'order.applied.csv', type: 'crime.recorded' })).toMatchObject({ code: 'csv.type-mismatch' });
    expect(await csvError('', { type: 'crime.recorded' })).toMatchObject({ code: 'csv.empty' });
    expect(await readAll(csvRecord(csvHeader('crime.recorded')), { fileName: 'export.csv' })).toEqual([]);
  });

  it('a file not in UTF-8 is said to be', async () => {
    const latin1 = Buffer.from(`${crimeHeader}\n${crimeRow({ crimeRef: 'c-\u00e9' })}\n`, 'latin1');
    expect(await csvErrorOf(latin1, { type: 'crime.recorded' })).toMatchObject({ code: 'csv.invalid-utf8' });
  });
});

describe('csvRowToEvent and eventToCsvCells', () => {
  it.each(eventTypes)('%s: are inverse on a sample', (type) => {
    const event = sample(type);
    const header = checkCsvHeader(type, csvHeader(type));
    expect(csvRowToEvent(header, eventToCsvCells(event))).toEqual(JSON.parse(JSON.stringify(event)));
  });
});
