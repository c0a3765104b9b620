import type { z } from 'zod';
import { unknownFieldName } from './redact.ts';
import { contractsJsonSchema } from './json-schema.ts';

/** Why one event was refused: a stable rule code the sender can act on, and a sentence for a person. */
export interface Refusal {
  code: string;
  message: string;
}

const MAX_DETAILS = 3;

/**
 * A field path as a rule code or message names it. A segment is the contract's field name or an
 * index; a key the sender made up (an unknown field, a measure's name) is named `unknown-field`,
 * so that no code or message repeats the sender's text.
 */
export function pathOf(path: readonly PropertyKey[]): string {
  const names = contractFieldNames();
  return path.map((p) => (typeof p === 'number' || (typeof p === 'string' && names.has(p)) ? String(p) : 'unknown-field')).join('.');
}

let known: Set<string> | undefined;

/** Every field name of every event type's schema (its JSON Schema's `properties`), found once. */
export function contractFieldNames(): ReadonlySet<string> {
  if (known) return known;
  const names = new Set<string>();
  const walk = (node: unknown): void => {
    if (Array.isArray(node)) node.forEach(walk);
    else if (typeof node === 'object' && node !== null) {
      for (const [key, value] of Object.entries(node as Record<string, unknown>)) {
        if (key === 'properties' && typeof value === 'object' && value !== null) for (const name of Object.keys(value)) names.add(name);
        walk(value);
      }
    }
  };
  walk(contractsJsonSchema());
  known = names;
  return names;
}

/**
 * Turns the first zod issue into a rule code of the form `<field path>.<what is wrong>`,
 * e.g. `payload.victim.sex.invalid`, `payload.crimeRef.missing`, `payload.unknown-field`.
 * Codes are derived from the schema's own paths, so a new field gets its codes for free.
 */
export function refusalFromIssues(issues: readonly z.core.$ZodIssue[]): Refusal {
  const first = issues[0];
  if (!first) return { code: 'event.invalid', message: 'the event is invalid' };
  const path = pathOf(first.path);
  const details = issues
    .slice(0, MAX_DETAILS)
    .map((issue) => `${pathOf(issue.path) || 'event'}: ${messageOf(issue)}`)
    .join('; ');
  const more = issues.length > MAX_DETAILS ? ` (and ${issues.length - MAX_DETAILS} more)` : '';
  return { code: codeOf(first, path), message: details + more };
}

/** zod's message, except that an unknown field is named only if its name could not be personal data. */
function messageOf(issue: z.core.$ZodIssue): string {
  if (issue.code !== 'unrecognized_keys') return issue.message;
  return `${issue.keys.length === 1 ? 'a field' : 'fields'} the contract does not have: ${issue.keys.map(unknownFieldName).join(', ')}`;
}

function codeOf(issue: z.core.$ZodIssue, path: string): string {
  if (issue.code === 'unrecognized_keys') return path ? `${path}.unknown-field` : 'event.unknown-field';
  // A rule of our own (personal data) names itself.
  const rule: unknown = issue.code === 'custom' ? issue.params?.rule : undefined;
  if (typeof rule === 'string') return `${path || 'event'}.${rule}`;
  if (path === '') return 'event.not-an-object';
  if ('input' in issue && issue.input === undefined) return `${path}.missing`;
  if (issue.code === 'too_big') return `${path}.too-long`;
  return `${path}.invalid`;
}
