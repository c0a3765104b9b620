// The contract as JSON Schema (draft 2020-12), for forces' own tooling: served at
// GET /v1/contracts and kept in contracts/schema/events.v1.json, which the build checks is current.
// JSON Schema cannot say everything: the personal-data rules and the date bounds that depend on
// the day of receipt are stated in each schema's description instead.
import { z } from 'zod';
import { eventSchemas, eventTypes } from './events/index.ts';

const RECEIPT_RULES =
  'Also enforced, beyond this schema: occurredAt from 2015-04-01 to the day of receipt (Europe/London); producedAt at most 5 minutes after receipt; ' +
  'force equal to the credential\'s force; references that read as a name, email, phone number, National Insurance number, postcode or date, and free text ' +
  'containing any of those, are refused as personal data.';

export function contractsJsonSchema() {
  return {
    $schema: 'https://json-schema.org/draft/2020-12/schema',
    $id: 'urn:vawg:contracts:events:v1',
    title: 'VAWG events forces send (contract v1)',
    description: RECEIPT_RULES,
    oneOf: eventTypes.map((type) => ({ $ref: `#/$defs/${type}` })),
    $defs: Object.fromEntries(eventTypes.map((type) => {
      const { $schema: _ignored, ...schema } = z.toJSONSchema(eventSchemas[type], { target: 'draft-2020-12', io: 'input' });
      return [type, { title: type, ...schema }];
    })),
  };
}

/** The exact text of contracts/schema/events.v1.json. */
export function contractsJsonSchemaText(): string {
  return `${JSON.stringify(contractsJsonSchema(), null, 2)}\n`;
}
