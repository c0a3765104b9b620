import { describe, expect, it } from 'vitest';
import { checkLines, findForeignForce } from '../src/check-lines.ts';

describe('checking decoded lines', () => {
  it("finds a line naming another real force, but not a misspelt one", () => {
    const lines = [{ line: 1, value: { force: 'kent' } }, { line: 2, value: { force: 'atlantis' } }, { line: 3, value: { force: 'essex' } }];
    expect(findForeignForce(lines, 'kent')).toEqual({ line: 3, force: 'essex' });
    expect(findForeignForce(lines.slice(0, 2), 'kent')).toBeNull();
  });

  it('refuses a misspelt force on its own line, and passes decoding refusals through with their original', () => {
    const outcomes = checkLines([
      { line: 1, value: { eventId: 'e1', force: 'atlantis' } },
      { line: 2, refusal: { code: 'line.malformed-json', message: 'x' }, original: '{"a"' },
    ], { force: 'kent', receivedAt: new Date() });
    expect(outcomes).toMatchObject([
      { line: 1, status: 'refused', eventId: 'e1', refusal: { code: 'type.invalid' } },
      { line: 2, status: 'refused', eventId: null, refusal: { code: 'line.malformed-json' }, original: '{"a"' },
    ]);
  });
});
