import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { NOT_KEPT } from '@vawg/contracts';
import { checkLines, findForeignForce } from '../src/check-lines.ts';
import { decodeNdjson } from '../src/decode-body.ts';

const decoded = (n: number, value: unknown) => ({ line: n, value, bytes: Buffer.from(JSON.stringify(value)) });
const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

describe('checking decoded lines', () => {
  it("finds a line naming another real force, but not a misspelt one", () => {
    const lines = [{ line: 1, value: { force: 'kent' } }, { line: 2, value: { force: 'atlantis' } }, { line: 3, value: { force: 'essex' } }];
    expect(findForeignForce(lines, 'kent')).toEqual({ line: 3, force: 'essex' });
    expect(findForeignForce(lines.slice(0, 2), 'kent')).toBeNull();
  });

  it('refuses a misspelt force on its own line, and passes decoding refusals through with their original', () => {
    const outcomes = checkLines([
      decoded(1, { eventId: 'e1', force: 'atlantis' }),
      { line: 2, refusal: { code: 'line.malformed-json', message: 'x' }, original: '{"a"', bytes: Buffer.from('{"a"') },
    ], { force: 'kent', receivedAt: new Date() });
    expect(outcomes).toMatchObject([
      { line: 1, status: 'refused', eventId: null, refusal: { code: 'type.invalid' }, sha256: sha256('{"eventId":"e1","force":"atlantis"}') },
      { line: 2, status: 'refused', eventId: null, refusal: { code: 'line.malformed-json' }, original: '{"a"', sha256: sha256('{"a"') },
    ]);
  });

  it('keeps a refused line only with its personal data masked, and the SHA-256 of the line as sent', () => {
    const lines = [
      '{"eventId":"jane.doe@example.org","type":"crime.recorded","force":"kent","payload":{"crimeRef":"Smith","note":"call 07700 900123"},"victimName":"Ann Other"}',
      '{"eventId":"e2", "summary": "write to a.b@example.com or Mrs Jane Doe, DOB 01/02/1990" ',
      '{"jane.doe@example.org": 1}',
    ];
    const body = decodeNdjson(Buffer.from(lines.join('\n')));
    if (!body.ok) throw new Error('decodes');
    const outcomes = checkLines(body.lines, { force: 'kent', receivedAt: new Date() });
    const kept = JSON.stringify(outcomes.map((o) => (o.status === 'refused' ? [o.original, o.eventId, o.refusal.message] : null)));
    for (const secret of ['jane.doe', 'example', '07700', '900123', 'Ann Other', 'Jane Doe', '1990']) expect(kept).not.toContain(secret);
    expect(outcomes.map((o) => o.status === 'refused' && o.sha256)).toEqual(lines.map(sha256));
    expect(outcomes[0]).toMatchObject({ eventId: null });
    expect(outcomes[1]).toMatchObject({ original: `[not kept: ${Buffer.byteLength(lines[1]!)} bytes, not JSON]` });
    expect(outcomes[2]).toMatchObject({ original: { '[unknown field 1]': NOT_KEPT } });
  });
});
