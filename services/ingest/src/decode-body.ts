// Turns a request body into lines, each either a decoded JSON value or a line-level refusal.
// Whole-body problems (too many events, not an array) refuse the request; everything else is
// decided line by line so one bad event never costs the good ones.
import { problem, type Problem } from '@vawg/http';
import type { Refusal } from '@vawg/contracts';
import { drain } from './fair-share.ts';

export const MAX_EVENTS = 10_000;
export const MAX_BODY_BYTES = 10 * 1024 * 1024;
/** Far above any valid event (the largest free text is 4,000 characters). */
export const MAX_LINE_BYTES = 64 * 1024;
/** Events nest four deep at most (event, payload, documents, document); far deeper is hostile. */
export const MAX_DEPTH = 32;

export interface DecodedLine {
  line: number;
  /** The decoded JSON value, when the line decoded. */
  value?: unknown;
  /** Why the line could not be decoded; `original` then holds what we keep of its text (masked). */
  refusal?: Refusal;
  original?: string;
  /** The line as sent (an element of a JSON array: its text as sent, without the space around it): hashed if it is refused, archived if accepted. */
  bytes: Buffer;
}

export type DecodeResult = { ok: true; lines: DecodedLine[] } | { ok: false; problem: Problem };

const utf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * How deeply the JSON text nests arrays and objects, ignoring brackets inside strings. Checked
 * before parsing, so a hostile line cannot exhaust the stack here or anywhere the value travels.
 */
export function nestingDepth(text: string): number {
  let depth = 0;
  let deepest = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c) i++;
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x7b || c === 0x5b) deepest = Math.max(deepest, ++depth);
    else if (c === 0x7d || c === 0x5d) depth--;
  }
  return deepest;
}

function tooMany(): DecodeResult {
  return { ok: false, problem: problem(413, 'too-many-events', 'Too many events', `a batch holds at most ${MAX_EVENTS} events; send the rest in another batch`) };
}

function noEvents(): DecodeResult {
  return { ok: false, problem: problem(400, 'malformed-body', 'Malformed body', 'the body holds no events') };
}

/**
 * Why JSON.parse failed, without the text it quotes (V8 copies part of the line into its message,
 * which would carry whatever the line held into receipts and refusals): the position, if any.
 */
export function jsonError(error: unknown): string {
  const position = /position (\d+)/.exec((error as Error).message)?.[1];
  return position ? `not valid JSON at character ${position}` : 'not valid JSON';
}

/**
 * A line refused before it could be read is not kept at all: personal data in text that is not
 * JSON cannot be told from the rest (a name as a bare key, an address cut off mid-way), so it is
 * all withheld. The receipt and the refusal carry the line's SHA-256 and the reason instead.
 */
export function notKept(bytes: Buffer, why: string): string {
  return `[not kept: ${bytes.length} bytes, ${why}]`;
}

function tooLarge(bytes: Buffer, line: number): DecodedLine {
  return {
    line,
    bytes,
    original: notKept(bytes, 'too large to read'),
    refusal: { code: 'line.too-large', message: `a line holds at most ${MAX_LINE_BYTES} bytes; this one has ${bytes.length}` },
  };
}

function decodeLine(bytes: Buffer, line: number): DecodedLine {
  if (bytes.length > MAX_LINE_BYTES) return tooLarge(bytes, line);
  let text: string;
  try {
    text = utf8.decode(bytes);
  } catch {
    return { line, bytes, original: notKept(bytes, 'not UTF-8'), refusal: { code: 'line.invalid-utf8', message: 'the line is not valid UTF-8' } };
  }
  if (nestingDepth(text) > MAX_DEPTH) {
    return { line, bytes, original: notKept(bytes, 'nested too deep to read'), refusal: { code: 'line.too-deep', message: `JSON nested more than ${MAX_DEPTH} levels deep` } };
  }
  try {
    return { line, bytes, value: JSON.parse(text) as unknown };
  } catch (error) {
    return { line, bytes, original: notKept(bytes, 'not JSON'), refusal: { code: 'line.malformed-json', message: `the line is ${jsonError(error)}` } };
  }
}

/** decodeNdjson a line at a time: it yields after each line, for the fair scheduler (fair-share.ts). */
export function* ndjsonLines(body: Buffer): Generator<void, DecodeResult> {
  const lines: DecodedLine[] = [];
  let start = 0;
  let number = 0;
  while (start <= body.length) {
    let end = body.indexOf(0x0a, start);
    if (end === -1) end = body.length;
    number += 1;
    let bytes = body.subarray(start, end);
    if (bytes.at(-1) === 0x0d) bytes = bytes.subarray(0, -1);
    if (bytes.some((b) => b !== 0x20 && b !== 0x09)) {
      if (lines.length === MAX_EVENTS) return tooMany();
      lines.push(decodeLine(bytes, number));
      yield;
    }
    start = end + 1;
  }
  return lines.length === 0 ? noEvents() : { ok: true, lines };
}

export const decodeNdjson = (body: Buffer): DecodeResult => drain(ndjsonLines(body));
export const decodeJsonArray = (body: Buffer): DecodeResult => drain(jsonArrayLines(body));

const malformed = (detail: string): DecodeResult => ({ ok: false, problem: problem(400, 'malformed-body', 'Malformed body', detail) });

function skipSpace(text: string, at: number): number {
  let i = at;
  for (let c = text.charCodeAt(i); c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d; c = text.charCodeAt(++i));
  return i;
}

/** How much of the body is scanned between yields, within one element. */
const SCAN_SLICE = 256 * 1024;

/**
 * decodeJsonArray an element at a time. The array is split into its elements by one scan that
 * tracks strings and nesting (no parse), yielding as it goes; then each element is held to the
 * cap of an NDJSON line and the depth of one, and parsed on its own. So one huge or deep element
 * is refused without being parsed, and no single step reads the whole body. The body must still
 * be one well-formed JSON array: anything else is a 400.
 */
export function* jsonArrayLines(body: Buffer): Generator<void, DecodeResult> {
  let text: string;
  try {
    text = utf8.decode(body);
  } catch {
    return malformed('the body is not valid UTF-8');
  }
  yield;
  let i = skipSpace(text, 0);
  if (text.charCodeAt(i) !== 0x5b) return malformed('a JSON body must be an array of events');
  i = skipSpace(text, i + 1);
  if (text.charCodeAt(i) === 0x5d) return skipSpace(text, i + 1) === text.length ? noEvents() : malformed('the body holds more after its array');
  const lines: DecodedLine[] = [];
  for (;;) {
    if (lines.length === MAX_EVENTS) return tooMany();
    const start = i;
    let depth = 0;
    let deepest = 0;
    let inString = false;
    let scanned = 0;
    for (; i < text.length; i++) {
      const c = text.charCodeAt(i);
      if (++scanned === SCAN_SLICE) {
        scanned = 0;
        yield;
      }
      if (inString) {
        if (c === 0x5c) i++;
        else if (c === 0x22) inString = false;
      } else if (c === 0x22) inString = true;
      else if (c === 0x7b || c === 0x5b) deepest = Math.max(deepest, ++depth);
      else if (c === 0x7d || c === 0x5d) {
        if (depth === 0) break;
        depth -= 1;
      } else if (c === 0x2c && depth === 0) break;
    }
    if (i >= text.length) return malformed('the body is not a JSON array: it ends before its array does');
    const element = text.slice(start, i).trimEnd();
    const n = lines.length + 1;
    if (element.length === 0) return malformed(`the body is not a JSON array: element ${n} is empty`);
    const bytes = Buffer.from(element);
    if (bytes.length > MAX_LINE_BYTES) lines.push(tooLarge(bytes, n));
    else if (deepest > MAX_DEPTH) {
      lines.push({ line: n, bytes, original: notKept(bytes, 'nested too deep to read'), refusal: { code: 'line.too-deep', message: `JSON nested more than ${MAX_DEPTH} levels deep` } });
    } else {
      try {
        lines.push({ line: n, bytes, value: JSON.parse(element) as unknown });
      } catch (error) {
        return malformed(`the body is not a JSON array: element ${n} is ${jsonError(error)}`);
      }
    }
    yield;
    if (text.charCodeAt(i) === 0x2c) {
      i = skipSpace(text, i + 1);
      continue;
    }
    if (text.charCodeAt(i) !== 0x5d || skipSpace(text, i + 1) !== text.length) return malformed('the body holds more after its array');
    return { ok: true, lines };
  }
}
