// Events as CSV (operations.md, `vawg send`): one file per event type, a column per field, named by
// the envelope's field names and the payload's dotted paths (`victim.sex`). Nothing here lists an
// event type's fields: the columns and how to convert each cell are read from its zod schema, so a
// change to the contract changes the CSV form with it.
import { Readable, pipeline } from 'node:stream';
import { parse } from 'csv-parse';
import type { z } from 'zod';
import { eventSchemas, eventTypes, type EventType, type ForceEvent } from './events/index.ts';

/**
 * How a cell becomes a value: `text` as it is; `integer` and `number` in JSON's number syntax;
 * `boolean` as `true` or `false` (any case); `json` (lists, maps) as one JSON value.
 * A cell that does not convert is sent as its text, so the ingest API refuses it with its rule code.
 */
export type CsvKind = 'text' | 'integer' | 'number' | 'boolean' | 'json';

export interface CsvColumn {
  /** The header name: an envelope field (`occurredAt`) or a payload path (`victim.sex`). */
  name: string;
  /** Where the value goes in the event: `['payload', 'victim', 'sex']`. */
  path: readonly string[];
  kind: CsvKind;
  /** Whether the header must have it: the field and every object above it are required. */
  required: boolean;
}

export type CsvErrorCode =
  | 'csv.empty' | 'csv.unknown-column' | 'csv.missing-column' | 'csv.duplicate-column'
  | 'csv.no-type' | 'csv.unknown-type' | 'csv.type-mismatch' | 'csv.malformed' | 'csv.invalid-utf8';

/** A file that cannot be read as events of its type at all: nothing of it should be sent. */
export class CsvError extends Error {
  constructor(readonly code: CsvErrorCode, message: string, readonly details: { column?: string; line?: number } = {}) {
    super(message);
    this.name = 'CsvError';
  }
}

/** The tree of an event type's fields: leaves are columns, objects are built from their leaves. */
type CsvNode =
  | { kind: 'leaf'; column: CsvColumn }
  | { kind: 'object'; optional: boolean; fields: [string, CsvNode][] };

interface TypeLayout { columns: CsvColumn[]; tree: CsvNode }

type Def = { type: string; innerType?: z.ZodType; in?: z.ZodType; values?: readonly unknown[] };
const defOf = (schema: z.ZodType) => schema._zod.def as unknown as Def;

/** Optional (or defaulted) wrappers make a field optional; the others only wrap it. */
function unwrap(schema: z.ZodType): { schema: z.ZodType; optional: boolean } {
  let optional = false;
  for (;;) {
    const def = defOf(schema);
    if ((def.type === 'optional' || def.type === 'default' || def.type === 'prefault') && def.innerType) optional = true;
    else if (!(['nullable', 'readonly', 'catch', 'nonoptional'].includes(def.type) && def.innerType) && !(def.type === 'pipe' && def.in)) {
      return { schema, optional };
    }
    schema = def.type === 'pipe' ? def.in! : def.innerType!;
  }
}

function kindOf(schema: z.ZodType): CsvKind {
  const def = defOf(schema);
  switch (def.type) {
    case 'string': case 'enum': case 'template_literal': return 'text';
    case 'boolean': return 'boolean';
    case 'number': {
      const format = (schema as z.ZodNumber).format;
      return format === 'safeint' || format === 'int32' || format === 'uint32' ? 'integer' : 'number';
    }
    case 'literal': {
      const values = def.values ?? [];
      if (values.every((v) => typeof v === 'string')) return 'text';
      if (values.every((v) => typeof v === 'boolean')) return 'boolean';
      if (values.every((v) => typeof v === 'number' && Number.isInteger(v))) return 'integer';
      return values.every((v) => typeof v === 'number') ? 'number' : 'json';
    }
    default: return 'json';
  }
}

function layoutOf(type: EventType): TypeLayout {
  const event = eventSchemas[type] as unknown as z.ZodObject;
  const envelope = new Set(Object.keys(event.shape));
  // Payload paths go without `payload.`, unless that would read as an envelope field
  // (`event.retracted` carries the retracted event's id as `payload.eventId`).
  const nameOf = (path: string[]) =>
    path[0] === 'payload' && !envelope.has(path[1]!) ? path.slice(1).join('.') : path.join('.');
  const columns: CsvColumn[] = [];
  const walk = (schema: z.ZodType, path: string[], required: boolean): CsvNode => {
    const { schema: inner, optional } = unwrap(schema);
    if (defOf(inner).type === 'object' && path.length > 0) {
      const shape = (inner as z.ZodObject).shape as Record<string, z.ZodType>;
      return { kind: 'object', optional, fields: Object.entries(shape).map(([k, v]) => [k, walk(v, [...path, k], required && !optional)]) };
    }
    const column: CsvColumn = { name: nameOf(path), path, kind: kindOf(inner), required: required && !optional };
    columns.push(column);
    return { kind: 'leaf', column };
  };
  const fields = Object.entries(event.shape as Record<string, z.ZodType>).map(([k, v]): [string, CsvNode] => [k, walk(v, [k], true)]);
  // The event's type is known from the file, so its column is optional (and checked when present).
  for (const c of columns) if (c.name === 'type') c.required = false;
  return { columns, tree: { kind: 'object', optional: false, fields } };
}

const layouts = new Map<EventType, TypeLayout>();
function layout(type: EventType): TypeLayout {
  let found = layouts.get(type);
  if (!found) layouts.set(type, (found = layoutOf(type)));
  return found;
}

/** The CSV columns of an event type, in the schema's order. */
export function csvColumns(type: EventType): readonly CsvColumn[] {
  return layout(type).columns;
}

/** The header row of an event type's CSV file, e.g. for a template. */
export function csvHeader(type: EventType): string[] {
  return csvColumns(type).map((c) => c.name);
}

/** A file's columns checked against its event type: which cell of a row holds each column. */
export interface CsvHeader {
  type: EventType;
  /** The position in the row of each column the header has. */
  index: ReadonlyMap<string, number>;
}

/**
 * Checks a header row against the event type's columns. Throws a CsvError naming the first column
 * at fault: one named twice, one the type does not have, or a required one missing.
 */
export function checkCsvHeader(type: EventType, header: readonly (string | null)[]): CsvHeader {
  const columns = csvColumns(type);
  const known = new Map(columns.map((c) => [c.name, c]));
  const index = new Map<string, number>();
  const problems: CsvError[] = [];
  header.forEach((raw, i) => {
    const name = (raw ?? '').trim();
    const previous = index.get(name);
    if (name === '') {
      problems.push(new CsvError('csv.unknown-column', `column ${i + 1} has no name`, { column: '' }));
    } else if (previous !== undefined) {
      problems.push(new CsvError('csv.duplicate-column', `column "${name}" appears twice (columns ${previous + 1} and ${i + 1})`, { column: name }));
    } else if (!known.has(name)) {
      problems.push(new CsvError('csv.unknown-column', `unknown column "${name}" (column ${i + 1}): ${type} has ${columns.map((c) => c.name).join(', ')}`, { column: name }));
    }
    if (name !== '' && previous === undefined) index.set(name, i);
  });
  for (const c of columns) {
    if (c.required && !index.has(c.name)) {
      problems.push(new CsvError('csv.missing-column', `missing column "${c.name}", required by ${type}`, { column: c.name }));
    }
  }
  const first = problems[0];
  if (first) {
    if (problems.length > 1) first.message += ` (and ${problems.length - 1} more problem${problems.length > 2 ? 's' : ''} with the header)`;
    throw first;
  }
  return { type, index };
}

const JSON_NUMBER = /^-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?$/;

/** A cell's value for a column of this kind, or the cell's text when it does not convert. */
export function csvCellValue(kind: CsvKind, cell: string): unknown {
  switch (kind) {
    case 'text': return cell;
    case 'integer':
    case 'number': {
      const n = JSON_NUMBER.test(cell) ? Number(cell) : NaN;
      return Number.isFinite(n) ? n : cell;
    }
    case 'boolean': {
      const lower = cell.toLowerCase();
      return lower === 'true' ? true : lower === 'false' ? false : cell;
    }
    case 'json':
      try {
        return JSON.parse(cell) as unknown;
      } catch {
        return cell;
      }
  }
}

/**
 * One row as an event (not yet checked against the contract: the ingest API does that).
 * `null` is an empty, unquoted cell: the field is absent. `""` (quoted) is the empty text.
 * A required object is always built (so a missing field inside it is refused by its own path);
 * an optional one only when one of its cells is filled in.
 */
export function csvRowToEvent(header: CsvHeader, cells: readonly (string | null)[]): Record<string, unknown> {
  const build = (node: CsvNode): unknown => {
    if (node.kind === 'leaf') {
      const at = header.index.get(node.column.name);
      const cell = at === undefined ? null : cells[at] ?? null;
      return cell === null ? undefined : csvCellValue(node.column.kind, cell);
    }
    const value: Record<string, unknown> = {};
    for (const [key, child] of node.fields) {
      const v = build(child);
      if (v !== undefined) value[key] = v;
    }
    return node.optional && Object.keys(value).length === 0 ? undefined : value;
  };
  const event = build(layout(header.type).tree) as Record<string, unknown>;
  if (event.type !== undefined && event.type !== header.type) {
    throw new CsvError('csv.type-mismatch', `type ${JSON.stringify(event.type)} in a file of ${header.type} events (one file per event type)`, { column: 'type' });
  }
  event.type = header.type;
  return event;
}

function cellOf(kind: CsvKind, value: unknown): string | null {
  if (value === undefined) return null;
  if (kind === 'json') return JSON.stringify(value);
  return typeof value === 'string' ? value : JSON.stringify(value);
}

/** An event as the cells of its type's columns (`null`: absent). */
export function eventToCsvCells(event: ForceEvent): (string | null)[] {
  return csvColumns(event.type).map((c) => {
    let value: unknown = event;
    for (const key of c.path) value = value === undefined || value === null ? undefined : (value as Record<string, unknown>)[key];
    return cellOf(c.kind, value);
  });
}

/** One CSV record (RFC 4180): a cell is quoted when it must be, and the empty text always. */
export function csvRecord(cells: readonly (string | null)[]): string {
  return cells.map((cell) => {
    if (cell === null) return '';
    return cell === '' || /[",\r\n]/.test(cell) || cell !== cell.trim() ? `"${cell.replace(/"/g, '""')}"` : cell;
  }).join(',');
}

/** Events of one type as a CSV file: the header, then a row per event, CRLF-terminated. */
export function eventsToCsv(type: EventType, events: readonly ForceEvent[]): string {
  return [csvRecord(csvHeader(type)), ...events.map((e) => {
    if (e.type !== type) throw new Error(`an event of type ${e.type} in a CSV file of ${type}`);
    return csvRecord(eventToCsvCells(e));
  })].map((line) => `${line}\r\n`).join('');
}

/**
 * The event type a file name says: `crime.recorded.csv`, or the type at the end of a longer name
 * after a separator (`kent-2025-04.crime.recorded.csv`, `kent_order.applied.csv`).
 */
export function eventTypeOfFileName(fileName: string): EventType | undefined {
  const base = fileName.replace(/^.*[\\/]/, '').replace(/\.csv$/i, '').toLowerCase();
  return eventTypes
    .filter((t) => base === t || (base.endsWith(t) && /[^a-z0-9]$/.test(base.slice(0, -t.length))))
    .sort((a, b) => b.length - a.length)[0];
}

const LINE_BREAK = /\r\n|\r|\n/g;
const isEventType = (value: string): value is EventType => (eventTypes as string[]).includes(value);
const typeColumn = (header: readonly (string | null)[]) => header.findIndex((name) => name?.trim() === 'type');
const noType = () => new CsvError('csv.no-type', 'no event type: name the file after its type (crime.recorded.csv), pass --type, or add a type column');

/** Decodes UTF-8 strictly: a file in another encoding is said to be, not read as replacement characters. */
async function* strictUtf8(source: AsyncIterable<string | Uint8Array> | Iterable<string | Uint8Array>): AsyncGenerator<string> {
  const decoder = new TextDecoder('utf-8', { fatal: true });
  let bytes = 0;
  try {
    for await (const chunk of source) {
      if (typeof chunk === 'string') {
        yield chunk;
        continue;
      }
      yield decoder.decode(chunk, { stream: true });
      bytes += chunk.byteLength;
    }
    yield decoder.decode();
  } catch (error) {
    if (error instanceof TypeError) throw new CsvError('csv.invalid-utf8', `not UTF-8 text (near byte ${bytes}): save the file as UTF-8`);
    throw error;
  }
}

export interface CsvEventRow {
  /** The line of the file where the row starts (the header is line 1). */
  line: number;
  event: Record<string, unknown>;
}

/**
 * Reads a CSV file of events, streaming (RFC 4180 quoting, UTF-8, an optional byte-order mark,
 * CRLF or LF). The type is `options.type`, else the file name's, else the `type` column of the first
 * row. Throws a CsvError, before any row, when the header does not fit the type, and at the row,
 * with its line, when the file is not well-formed CSV or a row names another type.
 */
export async function* readCsvEvents(
  source: AsyncIterable<string | Uint8Array> | Iterable<string | Uint8Array>,
  options: { type?: EventType; fileName?: string } = {},
): AsyncGenerator<CsvEventRow> {
  const named = options.fileName ? eventTypeOfFileName(options.fileName) : undefined;
  if (options.type && named && options.type !== named) {
    throw new CsvError('csv.type-mismatch', `the file name says ${named}, the type given is ${options.type}`);
  }
  let type = options.type ?? named;
  const parser = parse({
    bom: true,
    info: true,
    skip_empty_lines: true,
    // Checked here, with the row's line, rather than by the parser.
    relax_column_count: true,
    record_delimiter: ['\r\n', '\n'],
    // An unquoted empty cell is absent (null); a quoted one ("") is the empty text.
    cast: (value, context) => (value === '' && !context.quoting ? null : value),
  });
  pipeline(Readable.from(strictUtf8(source)), parser, () => undefined);
  let header: readonly (string | null)[] | undefined;
  let checked: CsvHeader | undefined;
  let headerLine = 1;
  // Lines are counted here: the parser counts a CRLF inside a quoted cell as two.
  let nextLine = 1;
  let emptyLines = 0;
  try {
    for await (const { record, info } of parser as AsyncIterable<{ record: (string | null)[]; info: { empty_lines: number } }>) {
      const line = nextLine + info.empty_lines - emptyLines;
      emptyLines = info.empty_lines;
      nextLine = line + 1 + record.reduce((n, cell) => n + (cell?.match(LINE_BREAK)?.length ?? 0), 0);
      if (!header) {
        header = record;
        headerLine = line;
        if (type) checked = checkCsvHeader(type, header);
        else if (typeColumn(header) < 0) throw noType();
        continue;
      }
      if (record.every((cell) => cell === null)) continue; // a row of empty cells, as spreadsheets leave
      if (record.length !== header.length) {
        throw new CsvError('csv.malformed', `line ${line}: ${record.length} cells where the header (line ${headerLine}) has ${header.length}`, { line });
      }
      if (!checked) {
        const value = record[typeColumn(header)] ?? null;
        if (value === null || !isEventType(value)) {
          throw new CsvError('csv.unknown-type', `line ${line}: type "${value ?? ''}" is not an event type (${eventTypes.join(', ')})`, { column: 'type', line });
        }
        type = value;
        checked = checkCsvHeader(type, header);
      }
      try {
        yield { line, event: csvRowToEvent(checked, record) };
      } catch (error) {
        if (error instanceof CsvError) throw new CsvError(error.code, `line ${line}: ${error.message}`, { ...error.details, line });
        throw error;
      }
    }
  } catch (error) {
    if (error instanceof CsvError) throw error;
    // csv-parse's errors carry its code and the line it reached.
    const e = error as Error & { code?: unknown; lines?: number };
    if (typeof e.code === 'string' && e.code.startsWith('CSV_')) {
      throw new CsvError('csv.malformed', `not well-formed CSV (RFC 4180): ${e.message}`, { line: e.lines });
    }
    throw error;
  }
  if (!header) throw new CsvError('csv.empty', 'an empty file: the first line should be the header');
}
