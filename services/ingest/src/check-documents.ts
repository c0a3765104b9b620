// A return cites documents by digest (events.md): each must have been uploaded by the same force
// (POST /v1/documents), with the same byte count, before the return is accepted. One query per
// batch, for every digest its returns cite; a line citing anything else is refused on its own.
import { sha256Hex } from '@vawg/contracts';
import type { Pool } from '@vawg/db';
import type { LineOutcome } from './check-lines.ts';

export const DOCUMENT_NOT_UPLOADED = 'return.document-not-uploaded';
export const DOCUMENT_SIZE_MISMATCH = 'return.document-size-mismatch';

/** Every digest that the accepted returns of a batch cite, once each. */
export function citedDigests(outcomes: readonly LineOutcome[]): string[] {
  const digests = new Set<string>();
  for (const o of outcomes) {
    if (o.status === 'accepted' && o.event.type === 'return.submitted') for (const d of o.event.payload.documents) digests.add(d.sha256);
  }
  return [...digests];
}

/** The outcomes with each accepted return that cites a document not in `uploaded` (digest → bytes) refused. */
export function refuseUncitable(outcomes: readonly LineOutcome[], force: string, uploaded: ReadonlyMap<string, number>): LineOutcome[] {
  return outcomes.map((o): LineOutcome => {
    if (o.status !== 'accepted' || o.event.type !== 'return.submitted') return o;
    const documents = o.event.payload.documents;
    for (const [i, d] of documents.entries()) {
      const bytes = uploaded.get(d.sha256);
      if (bytes === undefined) {
        return { line: o.line, status: 'refused', eventId: o.eventId, original: o.event, sha256: sha256Hex(o.bytes), value: o.event, refusal: {
          code: DOCUMENT_NOT_UPLOADED,
          message: `documents.${i} (sha256 ${d.sha256}) was never uploaded by ${force}: upload it with POST /v1/documents, then send the return again`,
        } };
      }
      if (bytes !== d.bytes) {
        return { line: o.line, status: 'refused', eventId: o.eventId, original: o.event, sha256: sha256Hex(o.bytes), value: o.event, refusal: {
          code: DOCUMENT_SIZE_MISMATCH,
          message: `documents.${i} (sha256 ${d.sha256}) says ${d.bytes} bytes; the document ${force} uploaded has ${bytes}`,
        } };
      }
    }
    return o;
  });
}

/** Checks the documents the batch's returns cite against what the force uploaded. */
export async function checkCitedDocuments(pool: Pool, force: string, outcomes: LineOutcome[]): Promise<LineOutcome[]> {
  const digests = citedDigests(outcomes);
  if (digests.length === 0) return outcomes;
  const { rows } = await pool.query<{ sha256: string; bytes: number }>(
    'SELECT sha256, bytes FROM ingest.documents WHERE force = $1 AND sha256 = ANY($2::text[])', [force, digests]);
  return refuseUncitable(outcomes, force, new Map(rows.map((r) => [r.sha256, r.bytes])));
}
