// The documents the published returns cite, copied under the revision (on the server: nothing
// passes through this process) so the report links to files that never change and travel with
// it: `documents/<force>/<sha256>/<safe name>` under `reports/<period>/r<N>/`. Ingest accepted
// only returns citing documents their force uploaded, stored at `documents/<force>/<sha256>`.
import type { ObjectStore } from '@vawg/store';
import type { ReturnDetail } from './snapshot.ts';

export interface PublishedDocument {
  force: string;
  /** The KPIs whose returns cite it. */
  kpis: string[];
  name: string;
  sha256: string;
  bytes: number;
  /** Under the revision's prefix; null when the uploaded document could not be found (the report says so). */
  file: string | null;
  mediaType: string | null;
}

/**
 * A file name that is safe in a URL path and on any disk: letters, digits, `.`, `-`, `_`, and no
 * leading dot; the cited name otherwise (returns' names are already restricted, events.md).
 */
export function safeFileName(name: string): string {
  const safe = name.normalize('NFKD').replace(/[\u0300-\u036f]/g, '').replace(/[^A-Za-z0-9._-]+/g, '-').replace(/-{2,}/g, '-').replace(/^[.-]+/, '').slice(-120);
  return safe || 'document';
}

/** Where a cited document goes, relative to the revision's prefix. */
export function documentFile(force: string, sha256: string, name: string): string {
  return `documents/${force}/${sha256}/${safeFileName(name)}`;
}

/** The cited documents of the returns, once per force and digest, in the returns' order. */
export function citedDocuments(returns: readonly ReturnDetail[]): Omit<PublishedDocument, 'file' | 'mediaType'>[] {
  const byKey = new Map<string, Omit<PublishedDocument, 'file' | 'mediaType'>>();
  for (const r of returns) {
    for (const d of r.documents) {
      const key = `${r.force}|${d.sha256}`;
      const seen = byKey.get(key);
      if (seen) {
        if (!seen.kpis.includes(r.kpi)) seen.kpis.push(r.kpi);
      } else byKey.set(key, { force: r.force, kpis: [r.kpi], name: d.name, sha256: d.sha256, bytes: d.bytes });
    }
  }
  return [...byKey.values()];
}

/**
 * Copies each cited document under the revision; `beforeWrite` runs before each copy (the run
 * checks it still holds its revision). A document missing from the store, or of another size than
 * cited, is listed with `file: null` rather than failing the whole publication.
 */
export async function copyDocuments(store: ObjectStore, prefix: string, returns: readonly ReturnDetail[], beforeWrite: () => Promise<void>): Promise<PublishedDocument[]> {
  const published: PublishedDocument[] = [];
  for (const d of citedDocuments(returns)) {
    const source = `documents/${d.force}/${d.sha256}`;
    const found = await store.head(source);
    if (!found || found.bytes !== d.bytes) {
      published.push({ ...d, file: null, mediaType: null });
      continue;
    }
    const file = documentFile(d.force, d.sha256, d.name);
    await beforeWrite();
    await store.copy(source, `${prefix}${file}`);
    published.push({ ...d, file, mediaType: found.contentType });
  }
  return published;
}
