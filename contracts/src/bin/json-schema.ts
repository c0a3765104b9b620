// Usage: tsx src/bin/json-schema.ts [--check]
// Writes contracts/schema/events.v1.json from the zod schemas; with --check, fails if it is stale.
import { readFileSync, writeFileSync } from 'node:fs';
import { contractsJsonSchemaText } from '../json-schema.ts';

const path = new URL('../../schema/events.v1.json', import.meta.url);
const text = contractsJsonSchemaText();
if (process.argv.includes('--check')) {
  let current = '';
  try {
    current = readFileSync(path, 'utf8');
  } catch {
    current = '';
  }
  if (current !== text) {
    console.error('contracts/schema/events.v1.json is out of date: run `npm run schema -w @vawg/contracts` and commit it');
    process.exit(1);
  }
  console.log('contracts/schema/events.v1.json is up to date');
} else {
  writeFileSync(path, text);
  console.log('wrote contracts/schema/events.v1.json');
}
