// Hostile requests for the fuzz suite (issue 10): mutations of valid events by grammar and by
// fast-check (types, sizes, Unicode edge cases, deep nesting, `__proto__` and `constructor` keys,
// huge numbers, duplicate keys, bad UTF-8), random bytes, wrong content types, truncated bodies,
// bad credentials and odd queries on every route. Each request says what a correct answer is.
import fc from 'fast-check';
import { randomUUID } from 'node:crypto';
import type { ForceEvent } from '@vawg/contracts';
import { arbitraryEvent } from '@vawg/contracts/arbitraries';

/** A line of a batch: either a valid event (which must be accepted) or hostile text. */
export interface FuzzLine {
  text: Buffer;
  /** The eventId of a valid event, which must be accepted whatever shares its batch. */
  goodId?: string;
  /** Which mutation made it (for the table). */
  kind: string;
}

export interface FuzzRequest {
  kind: string;
  method: 'GET' | 'POST' | 'DELETE';
  url: string;
  headers: Record<string, string>;
  body?: Buffer;
  /** Lines of a POST /v1/events body (when it is one), in order. */
  lines?: FuzzLine[];
  /** Where the request comes from (bad credentials are slowed per address). */
  remoteAddress: string;
}

const json = (value: unknown) => Buffer.from(JSON.stringify(value));
/** Every byte percent-encoded: any string, lone surrogates included, as a URL can carry it. */
const pct = (s: string) => [...Buffer.from(s)].map((b) => `%${b.toString(16).padStart(2, '0')}`).join('');

/** Strings no contract expects: Unicode edge cases, control characters, huge and empty. */
export const hostileString = fc.oneof(
  fc.constantFrom('', ' ', '\u0000', '\ud800', '\udfff', 'a\u0000b', '\u202eevil', '\ufeff', 'e\u0301', '🦄'.repeat(100), '\u200b'.repeat(50),
    'null', 'true', '0', '-1', 'NaN', '../../etc/passwd', '<script>alert(1)</script>', "'; DROP TABLE ingest.refusals; --", '%s%n%x',
    'jane.doe@example.org', '07700 900123', 'Mrs Jane Doe', 'AB 12 34 56 C', 'SW1A 1AA', 'DOB 01/02/1990'),
  fc.string({ unit: 'binary', maxLength: 64 }),
  fc.string({ unit: 'grapheme', maxLength: 64 }),
  fc.nat({ max: 70_000 }).map((n) => 'x'.repeat(n)),
);

/** Values of every JSON type, hostile ones first. */
export const hostileValue: fc.Arbitrary<unknown> = fc.oneof(
  hostileString,
  fc.constantFrom(0, -0, 1e308, -1e308, 2 ** 53 + 1, -(2 ** 63), 0.1, Number.MIN_VALUE, true, false, null, [], {}),
  fc.double(),
  fc.integer(),
  fc.array(fc.oneof(fc.string(), fc.integer(), fc.constant(null)), { maxLength: 5 }),
  fc.dictionary(fc.string({ maxLength: 8 }), fc.string({ maxLength: 8 }), { maxKeys: 3 }),
);

type Mutation = (event: ForceEvent) => fc.Arbitrary<{ text: Buffer; kind: string; goodId?: string }>;

/** Paths of every field of an event, to mutate one of them. */
function paths(value: unknown, prefix: string[] = []): string[][] {
  if (typeof value !== 'object' || value === null) return [prefix];
  const out: string[][] = prefix.length > 0 ? [prefix] : [];
  for (const [k, v] of Object.entries(value)) out.push(...paths(v, [...prefix, k]));
  return out;
}

function setAt(value: unknown, path: string[], replacement: unknown, remove = false): unknown {
  const copy = structuredClone(value) as Record<string, unknown>;
  let at: Record<string, unknown> = copy;
  for (const key of path.slice(0, -1)) at = at[key] as Record<string, unknown>;
  const last = path.at(-1)!;
  if (remove) delete at[last];
  else at[last] = replacement;
  return copy;
}

const mutations: Mutation[] = [
  // A field given a value of another type or size.
  (e) => fc.tuple(fc.constantFrom(...paths(e)), hostileValue).map(([path, v]) => ({ text: json(setAt(e, path, v)), kind: 'field-value' })),
  // A field removed.
  (e) => fc.constantFrom(...paths(e)).map((path) => ({ text: json(setAt(e, path, undefined, true)), kind: 'field-missing' })),
  // A field the contract does not have, anywhere.
  (e) => fc.tuple(fc.constantFrom([] as string[], ['payload']), hostileString, hostileValue).map(([at, key, v]) => {
    const copy = structuredClone(e) as unknown as Record<string, Record<string, unknown>>;
    const target = at.length === 0 ? copy : copy.payload!;
    Object.defineProperty(target, key, { value: v, enumerable: true, writable: true, configurable: true });
    return { text: json(copy), kind: 'unknown-field' };
  }),
  // __proto__, constructor and prototype keys, written as JSON text (JSON.parse makes them own keys).
  (e) => fc.tuple(fc.constantFrom('__proto__', 'constructor', 'prototype'), fc.constantFrom('', 'payload')).map(([key, at]) => {
    const text = JSON.stringify(e);
    const inject = `"${key}":{"polluted":true,"isAdmin":true},`;
    return { text: Buffer.from(at === 'payload' ? text.replace('"payload":{', `"payload":{${inject}`) : `{${inject}${text.slice(1)}`), kind: `key-${key}` };
  }),
  // Duplicate keys: the last one wins in JSON.parse, so the event as it ends is the valid one and
  // must be accepted (and the first value, never read, kept nowhere: personal-data.test.ts).
  (e) => fc.tuple(fc.constantFrom('eventId', 'type', 'force', 'payload'), hostileValue).map(([key, first]) => {
    const text = JSON.stringify(e);
    const line = Buffer.from(`{"${key}":${JSON.stringify(first) ?? 'null'},${text.slice(1)}`);
    // (Unless the first value makes the line too large or too deep to read: refused for that, rightly.)
    const readable = line.length <= 64 * 1024 && !/[[{]/.test(JSON.stringify(first) ?? '');
    return { text: line, kind: 'duplicate-key', ...(readable ? { goodId: e.eventId } : {}) };
  }),
  // Deep nesting in a field: around the limit of 32 levels, and far past it.
  (e) => fc.tuple(fc.oneof(fc.integer({ min: 26, max: 34 }), fc.integer({ min: 20, max: 5000 })), fc.constantFrom(...paths(e))).map(([depth, path]) => {
    const text = JSON.stringify(setAt(e, path, 'DEEP'));
    return { text: Buffer.from(text.replace('"DEEP"', `${'['.repeat(depth)}1${']'.repeat(depth)}`)), kind: 'deep-nesting' };
  }),
  // Huge numbers, as text JSON.parse turns into Infinity or loses digits.
  (e) => fc.tuple(fc.constantFrom('1e309', '-1e309', '123456789012345678901234567890', '1.7976931348623157e309', '0.0000000000000000000000001', '-0'), fc.constantFrom(...paths(e)))
    .map(([n, path]) => ({ text: Buffer.from(JSON.stringify(setAt(e, path, 'NUM')).replace('"NUM"', n)), kind: 'huge-number' })),
  // Bad UTF-8 bytes inside a string.
  (e) => fc.tuple(fc.uint8Array({ minLength: 1, maxLength: 8 }).map((b) => Buffer.from(b.map((x) => 0x80 | (x & 0x7f)))), fc.constantFrom(...paths(e))).map(([bad, path]) => {
    const [before, after] = JSON.stringify(setAt(e, path, 'BAD')).split('"BAD"') as [string, string];
    return { text: Buffer.concat([Buffer.from(`${before}"`), bad, Buffer.from(`"${after}`)]), kind: 'bad-utf8' };
  }),
  // Truncated at any byte.
  (e) => fc.nat().map((n) => {
    const text = Buffer.from(JSON.stringify(e));
    return { text: text.subarray(0, n % text.length), kind: 'truncated-line' };
  }),
  // Random bytes, and grammar-shaped junk.
  () => fc.uint8Array({ maxLength: 300 }).map((b) => ({ text: Buffer.from(b.filter((x) => x !== 0x0a)), kind: 'random-bytes' })),
  () => fc.constantFrom('null', '[]', '{}', '"text"', '1', 'true', '[{}]', '{"type":null}', '{"a":', ']', '\\u0000', '{"eventId":"x"}')
    .map((t) => ({ text: Buffer.from(t), kind: 'json-junk' })),
];

/** A valid event for `force`, with a fresh eventId (the arbitrary's own may repeat across samples). */
/** (A return cites no document: one not uploaded would be refused, rightly.) */
const goodEvent = (force: string) => arbitraryEvent(undefined, force).map((e) => ({
  ...e, eventId: randomUUID(), ...(e.type === 'return.submitted' ? { payload: { ...e.payload, documents: [] } } : {}),
}) as ForceEvent);

const line = (force: string): fc.Arbitrary<FuzzLine> => fc.oneof(
  { weight: 1, arbitrary: goodEvent(force).map((e) => ({ text: json(e), goodId: e.eventId, kind: 'valid' })) },
  { weight: 3, arbitrary: goodEvent(force).chain((e) => fc.constantFrom(...mutations).chain((m) => m(e))) },
);

const address = fc.tuple(fc.integer({ min: 1, max: 254 }), fc.integer({ min: 0, max: 255 }), fc.integer({ min: 1, max: 254 })).map(([a, b, c]) => `10.${a}.${b}.${c}`);

/** Requests against every route: mostly batches of events, with every kind of hostility. */
export function fuzzRequests(tokens: { force: string; token: string }[]): fc.Arbitrary<FuzzRequest> {
  const credential = fc.constantFrom(...tokens);
  const auth = (token: string) => ({ authorization: `Bearer ${token}` });
  const batch = credential.chain(({ force, token }) => fc.tuple(fc.array(line(force), { minLength: 1, maxLength: 12 }), fc.constantFrom('ndjson', 'json'), address)
    .map(([lines, shape, remoteAddress]): FuzzRequest => {
      // A JSON array holds only lines that parse; the rest go as NDJSON.
      const parsed = lines.map((l) => { try { return JSON.parse(l.text.toString('utf8')) as unknown; } catch { return undefined; } });
      if (shape === 'json' && parsed.every((p) => p !== undefined) && lines.every((l) => !l.text.includes(0x0a) && Buffer.from(l.text.toString('utf8')).equals(l.text))) {
        return { kind: 'batch-json', method: 'POST', url: '/v1/events', headers: { ...auth(token), 'content-type': 'application/json' }, body: Buffer.from(`[${lines.map((l) => l.text.toString('utf8')).join(',')}]`), lines, remoteAddress };
      }
      return { kind: 'batch-ndjson', method: 'POST', url: '/v1/events', headers: { ...auth(token), 'content-type': 'application/x-ndjson' }, body: Buffer.concat(lines.flatMap((l) => [l.text, Buffer.from('\n')])), lines, remoteAddress };
    }));
  const body = fc.oneof(fc.uint8Array({ maxLength: 2000 }).map((b) => Buffer.from(b)), hostileString.map((s) => Buffer.from(s)), goodEvent('kent').map(json));
  const contentType = fc.constantFrom('text/plain', 'application/xml', 'multipart/form-data; boundary=x', 'application/json; charset=latin1', 'application/x-ndjson;;;', '', 'application/octet-stream', '*/*', 'application/json\r\nx: y'.replace(/\r\n/g, ' '));
  const request = fc.oneof(
    { weight: 10, arbitrary: batch },
    // The right body with the wrong content type.
    { weight: 1, arbitrary: fc.tuple(credential, contentType, body, address).map(([c, type, b, remoteAddress]): FuzzRequest => ({ kind: 'wrong-content-type', method: 'POST', url: '/v1/events', headers: { ...auth(c.token), 'content-type': type }, body: b, remoteAddress })) },
    // A body cut short of what it says.
    { weight: 1, arbitrary: fc.tuple(batch, fc.nat()).map(([r, n]): FuzzRequest => ({ ...r, kind: 'truncated-body', lines: undefined, body: r.body!.subarray(0, n % r.body!.length) })) },
    // Random bytes as a batch.
    { weight: 1, arbitrary: fc.tuple(credential, fc.uint8Array({ minLength: 1, maxLength: 5000 }), fc.constantFrom('application/json', 'application/x-ndjson'), address)
      .map(([c, b, type, remoteAddress]): FuzzRequest => ({ kind: 'random-body', method: 'POST', url: '/v1/events', headers: { ...auth(c.token), 'content-type': type }, body: Buffer.from(b), remoteAddress })) },
    // Credentials that are not.
    { weight: 1, arbitrary: fc.tuple(fc.oneof(fc.constant(''), fc.constant('Bearer'), fc.string({ maxLength: 300 }).map((s) => `Bearer ${s}`), fc.string({ maxLength: 40 }).map((s) => `Basic ${s}`)), address)
      .map(([authorization, remoteAddress]): FuzzRequest => ({ kind: 'bad-credential', method: 'POST', url: '/v1/events', headers: { authorization: authorization.replace(/[\r\n]/g, ''), 'content-type': 'application/x-ndjson' }, body: Buffer.from('{}'), remoteAddress })) },
    // Odd queries and paths on the other routes.
    { weight: 2, arbitrary: fc.tuple(credential, fc.constantFrom('/v1/refusals', '/v1/completeness', '/v1/submissions/', '/v1/documents/', '/v1/dead-letters', '/v1/pipeline', '/v1/publications/', '/console/session', '/v1/openapi.json', '/v1/contracts', '/v1/nothing'),
      fc.array(fc.tuple(fc.constantFrom('limit', 'since', 'after', 'force', 'period', 'month', 'from', 'to', '__proto__', 'constructor'), hostileString), { maxLength: 4 }), fc.string({ maxLength: 80 }), fc.constantFrom<'GET' | 'POST' | 'DELETE'>('GET', 'GET', 'POST', 'DELETE'), address)
      .map(([c, path, query, tail, method, remoteAddress]): FuzzRequest => ({
        kind: `route ${method} ${path}`, method, remoteAddress,
        url: `${path}${path.endsWith('/') ? pct(tail) : ''}?${query.map(([k, v]) => `${k}=${pct(v)}`).join('&')}`,
        headers: { ...auth(c.token), ...(method === 'POST' ? { 'content-type': 'application/json' } : {}) }, ...(method === 'POST' ? { body: Buffer.from(tail) } : {}),
      })) },
    // A document that is not one.
    { weight: 1, arbitrary: fc.tuple(credential, fc.uint8Array({ maxLength: 3000 }), fc.constantFrom('application/pdf', 'text/csv', 'application/zip', 'image/png'), hostileString, address)
      .map(([c, b, type, name, remoteAddress]): FuzzRequest => ({ kind: 'document', method: 'POST', url: `/v1/documents?name=${pct(name)}`, headers: { ...auth(c.token), 'content-type': type }, body: Buffer.from(b), remoteAddress })) },
  );
  return request;
}
