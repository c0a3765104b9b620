import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { arbitraryEvent } from '../src/testing/arbitraries.ts';
import { contractsJsonSchema, contractsJsonSchemaText } from '../src/index.ts';

describe('the JSON Schema export', () => {
  it('is committed as generated (run `npm run schema -w @vawg/contracts` after changing a schema)', () => {
    expect(readFileSync(new URL('../schema/events.v1.json', import.meta.url), 'utf8')).toBe(contractsJsonSchemaText());
  });

  it('agrees with the zod contract on generated events and on unknown fields', () => {
    // Formats (uuid, date, date-time) are also exported as patterns, which ajv checks.
    const ajv = new Ajv2020({ strict: false, validateFormats: false });
    const validate = ajv.compile(contractsJsonSchema());
    fc.assert(fc.property(arbitraryEvent(), (event) => {
      expect(validate(event)).toBe(true);
      expect(validate({ ...event, extra: 1 })).toBe(false);
      expect(validate({ ...event, payload: { ...event.payload, extra: 1 } })).toBe(false);
    }), { numRuns: 200 });
  });
});
