// Receives one document as it streams in: counted, hashed and sniffed on the way to a temporary
// object, never held whole in memory (the store holds at most one 5 MiB part, the sniffer a few
// kilobytes and, for a ZIP, its last 2 MiB). Over the limit, reading stops at once and the
// temporary object is deleted. Then it is bound to its force under its digest.
import { createHash, randomUUID } from 'node:crypto';
import { Transform, type Readable } from 'node:stream';
import type { Pool } from '@vawg/db';
import type { ObjectStore } from '@vawg/store';
import { createSniffer, type SniffResult } from './document-sniff.ts';

export const MAX_DOCUMENT_BYTES = 25 * 1024 * 1024;

export const documentKey = (force: string, sha256: string) => `documents/${force}/${sha256}`;
/** Where a document is written while it arrives; a bucket lifecycle rule may expire leftovers. */
export const incomingPrefix = (force: string) => `documents-incoming/${force}/`;

export type Received =
  | { outcome: 'stored'; key: string; sha256: string; bytes: number; sniff: SniffResult }
  | { outcome: 'too-large'; bytesRead: number }
  | { outcome: 'aborted' };

class TooLarge extends Error {}

/**
 * Streams `source` to a temporary object while counting, hashing and sniffing it. The caller
 * decides what to do with the object (`stored`); in every other outcome it is gone already.
 */
export async function receiveDocument(store: ObjectStore, force: string, source: Readable, maxBytes = MAX_DOCUMENT_BYTES): Promise<Received> {
  const key = `${incomingPrefix(force)}${randomUUID()}`;
  const hash = createHash('sha256');
  const sniffer = createSniffer();
  let bytes = 0;
  let tooLarge = false;
  let aborted = false;
  const meter = new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      bytes += chunk.length;
      if (bytes > maxBytes) {
        tooLarge = true;
        callback(new TooLarge(`over ${maxBytes} bytes`));
        return;
      }
      hash.update(chunk);
      sniffer.push(chunk);
      callback(null, chunk);
    },
  });
  // The source is piped, not pipelined: a failure of the meter (too large) unpipes and pauses the
  // request, which must stay open for the answer; a request that ends early fails the meter.
  const onEnd = () => { ended = true; };
  let ended = false;
  const onClose = () => {
    if (ended) return;
    aborted = true;
    meter.destroy(new Error('the request ended before its body did'));
  };
  const onError = (error: Error) => {
    aborted = true;
    meter.destroy(error);
  };
  source.once('end', onEnd);
  source.once('close', onClose);
  source.once('error', onError);
  source.pipe(meter);
  try {
    await store.putStream(key, meter, 'application/octet-stream');
  } catch (error) {
    // Nothing stored, or the parts of an aborted multipart upload; either way, nothing to keep.
    await store.delete(key).catch(() => undefined);
    if (tooLarge) return { outcome: 'too-large', bytesRead: bytes };
    if (aborted) return { outcome: 'aborted' };
    throw error;
  } finally {
    source.unpipe(meter);
    source.off('end', onEnd);
    source.off('close', onClose);
    source.off('error', onError);
  }
  return { outcome: 'stored', key, sha256: hash.digest('hex'), bytes, sniff: sniffer.finish() };
}

export interface DocumentRecord {
  sha256: string;
  bytes: number;
  mediaType: string;
}

/**
 * Binds a received document to its force: copied on the server to `documents/<force>/<sha256>`
 * (typed by what it was found to be), recorded, and the temporary object deleted. The copy comes
 * before the row, so a recorded document is always there; the same bytes again find the row and
 * add nothing (`created` false).
 */
export async function bindDocument(pool: Pool, store: ObjectStore, force: string, received: { key: string; sha256: string; bytes: number }, mediaType: string): Promise<{ record: DocumentRecord; created: boolean }> {
  try {
    const existing = await pool.query<{ bytes: number; media_type: string }>(
      'SELECT bytes, media_type FROM ingest.documents WHERE force = $1 AND sha256 = $2', [force, received.sha256]);
    const found = existing.rows[0];
    if (found) return { record: { sha256: received.sha256, bytes: found.bytes, mediaType: found.media_type }, created: false };
    await store.copy(received.key, documentKey(force, received.sha256), mediaType);
    const inserted = await pool.query(
      `INSERT INTO ingest.documents (force, sha256, bytes, media_type) VALUES ($1, $2, $3, $4)
       ON CONFLICT (force, sha256) DO NOTHING`, [force, received.sha256, received.bytes, mediaType]);
    return { record: { sha256: received.sha256, bytes: received.bytes, mediaType }, created: inserted.rowCount === 1 };
  } finally {
    await store.delete(received.key).catch(() => undefined);
  }
}
