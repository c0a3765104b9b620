// The stateless contract, applied line by line so the receipt can answer for every event at once.
// validate applies it again with the rules that need state; this step needs none.
import { forceIds, maskIdentifier, maskText, parseEvent, redactValue, sha256Hex, type ForceEvent, type Refusal } from '@vawg/contracts';
import type { DecodedLine } from './decode-body.ts';
import { drain } from './fair-share.ts';

/**
 * A line's outcome. A refused line carries only what may be kept: its original, eventId and
 * message with personal data masked (contracts/src/redact.ts), and the SHA-256 of the line as sent.
 * `value`, the line as decoded, is for counting here and is never written anywhere.
 */
export type LineOutcome =
  | { line: number; status: 'accepted'; eventId: string; event: ForceEvent; bytes: Buffer }
  | { line: number; status: 'refused'; eventId: string | null; refusal: Refusal; original: unknown; sha256: string; value: unknown };

function eventIdOf(value: unknown): string | null {
  if (typeof value !== 'object' || value === null || !('eventId' in value)) return null;
  return typeof value.eventId === 'string' ? maskIdentifier(value.eventId) : null;
}

/** A refusal as kept and answered: its message masked, and no longer than a person reads (a list of every force is not). */
const masked = (refusal: Refusal): Refusal => {
  const message = maskText(refusal.message);
  return { code: refusal.code, message: message.length > MAX_MESSAGE ? `${message.slice(0, MAX_MESSAGE - 1)}…` : message };
};
const MAX_MESSAGE = 300;

/**
 * The first line that names another real force than the credential's: a reason to refuse the
 * whole batch (403). A force id that exists nowhere is a mistake in one line, refused on its own.
 */
export function findForeignForce(lines: readonly Pick<DecodedLine, 'line' | 'value'>[], force: string): { line: number; force: string } | null {
  for (const l of lines) {
    const v = l.value;
    if (typeof v === 'object' && v !== null && 'force' in v && typeof v.force === 'string' && v.force !== force && forceIds.includes(v.force)) {
      return { line: l.line, force: v.force };
    }
  }
  return null;
}

export const checkLines = (lines: readonly DecodedLine[], ctx: { force: string; receivedAt: Date }): LineOutcome[] => drain(checkingLines(lines, ctx));

/** checkLines a line at a time: it yields after each line, for the fair scheduler (fair-share.ts). */
export function* checkingLines(lines: readonly DecodedLine[], ctx: { force: string; receivedAt: Date }): Generator<void, LineOutcome[]> {
  const outcomes: LineOutcome[] = [];
  for (const l of lines) {
    outcomes.push(checkLine(l, ctx));
    yield;
  }
  return outcomes;
}

function checkLine(l: DecodedLine, ctx: { force: string; receivedAt: Date }): LineOutcome {
  if (l.refusal) return { line: l.line, status: 'refused', eventId: null, refusal: l.refusal, original: l.original ?? null, sha256: sha256Hex(l.bytes), value: null };
  const parsed = parseEvent(l.value, ctx);
  if (parsed.ok) return { line: l.line, status: 'accepted', eventId: parsed.event.eventId, event: parsed.event, bytes: l.bytes };
  return {
    line: l.line, status: 'refused', eventId: eventIdOf(l.value), refusal: masked(parsed.refusal),
    original: redactValue(l.value, parsed.redactions), sha256: sha256Hex(l.bytes), value: l.value,
  };
}
