import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeJsonArray, decodeNdjson, MAX_EVENTS, MAX_LINE_BYTES } from '../src/decode-body.ts';

describe('decoding a body into lines', () => {
  it('numbers NDJSON lines as the sender sees them, skipping blank ones and CRLF endings', () => {
    const result = decodeNdjson(Buffer.from('{"a":1}\r\n\n  \n{"b":2}\n'));
    expect(result).toMatchObject({ ok: true, lines: [{ line: 1, value: { a: 1 }, bytes: Buffer.from('{"a":1}') }, { line: 4, value: { b: 2 } }] });
  });

  it('refuses a line that is not JSON, not UTF-8 or too large, and keeps what it can of the original', () => {
    const big = `{"x":"${'a'.repeat(MAX_LINE_BYTES)}"}`;
    const body = Buffer.concat([Buffer.from('{"ok":true}\n{"half":\n'), Buffer.from([0xff, 0xfe, 0x0a]), Buffer.from(big)]);
    const result = decodeNdjson(body);
    if (!result.ok) throw new Error('expected lines');
    expect(result.lines.map((l) => l.refusal?.code ?? 'ok')).toEqual(['ok', 'line.malformed-json', 'line.invalid-utf8', 'line.too-large']);
    expect(result.lines[1]?.original).toBe('[not kept: 8 bytes, not JSON]');
    expect(result.lines[3]?.original).toBe(`[not kept: ${result.lines[3]!.bytes.length} bytes, too large to read]`);
  });

  it('refuses a body without a single event (400)', () => {
    expect(decodeNdjson(Buffer.from(' \n\t\n'))).toMatchObject({ ok: false, problem: { status: 400, detail: 'the body holds no events' } });
    expect(decodeJsonArray(Buffer.from('[]'))).toMatchObject({ ok: false, problem: { status: 400 } });
  });

  it('refuses a batch of more than 10,000 events as a whole (413)', () => {
    const ndjson = decodeNdjson(Buffer.from('{}\n'.repeat(MAX_EVENTS + 1)));
    expect(ndjson).toMatchObject({ ok: false, problem: { status: 413, type: '/problems/too-many-events' } });
    expect(decodeNdjson(Buffer.from('{}\n'.repeat(MAX_EVENTS)))).toMatchObject({ ok: true });
    expect(decodeJsonArray(Buffer.from(JSON.stringify(Array.from({ length: MAX_EVENTS + 1 }, () => ({})))))).toMatchObject({ ok: false, problem: { status: 413 } });
  });

  it('reads a JSON array element by element, and refuses a body that is not one (400)', () => {
    expect(decodeJsonArray(Buffer.from('[{"a":1},2]'))).toMatchObject({ ok: true, lines: [{ line: 1, value: { a: 1 } }, { line: 2, value: 2, bytes: Buffer.from('2') }] });
    expect(decodeJsonArray(Buffer.from('{"a":1}'))).toMatchObject({ ok: false, problem: { status: 400, type: '/problems/malformed-body' } });
    expect(decodeJsonArray(Buffer.from('[{"a":'))).toMatchObject({ ok: false, problem: { status: 400 } });
  });

  it('holds each element of a JSON array to the cap of an NDJSON line, before any rule reads it', () => {
    const huge = { eventId: 'x', payload: { summary: 'a'.repeat(1024 * 1024) } };
    const result = decodeJsonArray(Buffer.from(JSON.stringify([{ a: 1 }, huge])));
    if (!result.ok) throw new Error('expected lines');
    expect(result.lines[0]).toMatchObject({ line: 1, value: { a: 1 } });
    expect(result.lines[1]).toMatchObject({ line: 2, refusal: { code: 'line.too-large' } });
    expect(result.lines[1]!.value).toBeUndefined();
    // Multi-byte text counts in bytes, as on an NDJSON line.
    const wide = decodeJsonArray(Buffer.from(JSON.stringify([{ t: '€'.repeat(MAX_LINE_BYTES / 3 + 10) }])));
    expect(wide.ok && wide.lines[0]!.refusal?.code).toBe('line.too-large');
  });

  it('never copies the text of a line that is not JSON into its message', () => {
    const result = decodeNdjson(Buffer.from('{"note":"jane.doe@example.org" oops}\n'));
    if (!result.ok) throw new Error('expected lines');
    expect(result.lines[0]!.refusal).toMatchObject({ code: 'line.malformed-json' });
    expect(result.lines[0]!.refusal!.message).not.toContain('jane');
    expect(result.lines[0]!.refusal!.message).toMatch(/^the line is not valid JSON( at character \d+)?$/);
    const body = decodeJsonArray(Buffer.from('[{"note":"jane.doe@example.org" oops}]'));
    expect(body.ok ? '' : body.problem.detail).not.toContain('jane');
  });

  it('refuses JSON nested deeper than any event, before parsing it', () => {
    const deep = `${'['.repeat(10_000)}${']'.repeat(10_000)}`;
    const result = decodeNdjson(Buffer.from(`${deep}\n{"a":"[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[["}`));
    if (!result.ok) throw new Error('expected lines');
    expect(result.lines.map((l) => l.refusal?.code ?? 'ok')).toEqual(['line.too-deep', 'ok']);
    // In a JSON array, an element too deep is refused on its own, unparsed, as a line would be.
    expect(decodeJsonArray(Buffer.from(`[${deep}, {"a": 1}]`))).toMatchObject({ ok: true, lines: [{ line: 1, refusal: { code: 'line.too-deep' } }, { line: 2, value: { a: 1 } }] });
  });

  it('splits a JSON array into its elements exactly as JSON.parse reads them, and refuses anything that is not one array', () => {
    fc.assert(fc.property(fc.array(fc.jsonValue({ maxDepth: 4 }), { minLength: 1, maxLength: 8 }), fc.constantFrom('', ' ', '\n\t '), (values, space) => {
      const text = `${space}[${space}${values.map((v) => JSON.stringify(v, null, space ? 1 : 0)).join(`${space},${space}`)}${space}]${space}`;
      const result = decodeJsonArray(Buffer.from(text));
      if (!result.ok) throw new Error(result.problem.detail);
      expect(result.lines.map((l) => l.value)).toEqual(JSON.parse(text));
      // Each element's bytes are exactly as sent (so a refused one's hash is of what the force sent).
      for (const l of result.lines) expect(JSON.parse(l.bytes.toString())).toEqual(l.value);
    }));
    for (const bad of ['[1 2]', '[1,,2]', '[1,]', '[1}', '[1] x', '[{"a":1}', '[', '', '{"a":[1]}', '"[1]"', '[1]]', '[ "a\\"]']) {
      expect([bad, decodeJsonArray(Buffer.from(bad))]).toMatchObject([bad, { ok: false, problem: { status: 400 } }]);
    }
  });

  it('does not let a __proto__ key reach the prototype', () => {
    const result = decodeNdjson(Buffer.from('{"__proto__":{"polluted":true}}'));
    if (!result.ok) throw new Error('expected lines');
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(Object.keys(result.lines[0]?.value as object)).toEqual(['__proto__']);
  });
});
