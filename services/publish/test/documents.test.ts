// A publication copies the documents its returns cite under its revision, lists them in the
// manifest, and links them from the report and the force pages; against PostgreSQL and S3.
import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPool, type Pool } from '@vawg/db';
import { createObjectStore, type ObjectStore } from '@vawg/store';
import type { ForceEvent } from '@vawg/contracts';
import { createTestDatabase, s3Endpoint, uniqueName, type TestDatabase } from '@vawg/testing';
import { citationOf, syntheticReturnDocuments } from '@vawg/synthetic';
import { publishPeriod, type Manifest } from '../src/index.ts';
import { citedDocuments, documentFile, safeFileName } from '../src/documents.ts';
import { Feeder, migrateAll } from './seed.ts';

const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');

describe('file names and citations', () => {
  it('keeps safe names as they are and makes the others safe in a URL and on a disk', () => {
    expect(safeFileName('kent-2025-H1-summary.pdf')).toBe('kent-2025-H1-summary.pdf');
    expect(safeFileName('Plan (final) v2.docx')).toBe('Plan-final-v2.docx');
    expect(safeFileName('../../etc/passwd.csv')).toBe('etc-passwd.csv');
    expect(safeFileName('Évaluation.odt')).toBe('Evaluation.odt');
    expect(safeFileName('...')).toBe('document');
    expect(documentFile('kent', 'ab'.repeat(32), 'A B.pdf')).toBe(`documents/kent/${'ab'.repeat(32)}/A-B.pdf`);
  });

  it('lists each document once per force, with every KPI citing it', () => {
    const d = { name: 'a.csv', sha256: 'a'.repeat(64), bytes: 3 };
    const cited = citedDocuments([
      { force: 'kent', kpi: '2.1', summary: '', measures: {}, documents: [d] },
      { force: 'kent', kpi: '3.1', summary: '', measures: {}, documents: [d] },
      { force: 'essex', kpi: '2.1', summary: '', measures: {}, documents: [d] },
    ]);
    expect(cited).toEqual([{ force: 'kent', kpis: ['2.1', '3.1'], ...d }, { force: 'essex', kpis: ['2.1'], ...d }]);
  });
});

describe('publishing the documents of returns', () => {
  let db: TestDatabase;
  let pool: Pool;
  let store: ObjectStore;
  const documents = syntheticReturnDocuments('kent', '2025-H1');
  const missing = { name: 'lost.pdf', sha256: sha256(Buffer.from('never stored')), bytes: 12 };
  const aReturn = (force: string, kpi: string, cited: { name: string; sha256: string; bytes: number }[], n: number): ForceEvent => ({
    eventId: `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`, type: 'return.submitted', schemaVersion: 1, force,
    occurredAt: '2025-10-06', producedAt: '2025-10-06T10:00:00Z',
    payload: { kpi: kpi as '2.1', period: '2025-H1', summary: `Return for KPI ${kpi}.`, documents: cited, measures: { 'officers-trained': 3, 'staff-surveyed': 120, 'response-rate': 2.5 } },
  });

  beforeAll(async () => {
    db = await createTestDatabase();
    pool = createPool(db.url);
    await migrateAll(pool);
    store = createObjectStore({ ...s3Endpoint(), bucket: uniqueName('docs').toLowerCase(), forcePathStyle: true });
    await store.ensureBucket();
    // As ingest leaves them: documents/<force>/<sha256>, typed by what they are.
    for (const d of documents) await store.put(`documents/kent/${sha256(d.body)}`, d.body, d.name.endsWith('.pdf') ? 'application/pdf' : 'text/csv');
    await new Feeder(pool).apply([
      aReturn('kent', '2.1', documents.map(citationOf), 1),
      aReturn('kent', '3.1', [citationOf(documents[0]!)], 2),
      aReturn('essex', '2.1', [missing], 3),
    ], '2025-10-20T09:00:00.000Z');
  }, 60_000);
  afterAll(async () => {
    await pool.end();
    store.close();
    await db.drop();
  });

  it('copies them under the revision, lists them in the manifest, and links them from the pages', async () => {
    const result = await publishPeriod({ pool, store, serviceVersion: 'publish@test' }, '2025-H1', { cutoff: new Date('2025-11-01T07:00:00Z') });
    const [csv, pdf] = documents.map((d) => ({ ...citationOf(d), file: documentFile('kent', sha256(d.body), d.name), body: d.body }));
    for (const d of [csv!, pdf!]) {
      const copy = await store.get(`${result.prefix}${d.file}`);
      expect(copy && sha256(copy)).toBe(d.sha256);
    }
    expect((await store.head(`${result.prefix}${pdf!.file}`))?.contentType).toBe('application/pdf');

    const manifest = JSON.parse((await store.get(`${result.prefix}manifest.json`))!.toString()) as Manifest;
    // In the returns' order (by force, then KPI); one not found in the store is listed, with no file.
    expect(manifest.documents).toEqual([
      { force: 'essex', kpis: ['2.1'], ...missing, file: null, mediaType: null },
      { force: 'kent', kpis: ['2.1', '3.1'], name: csv!.name, sha256: csv!.sha256, bytes: csv!.bytes, file: csv!.file, mediaType: 'text/csv' },
      { force: 'kent', kpis: ['2.1'], name: pdf!.name, sha256: pdf!.sha256, bytes: pdf!.bytes, file: pdf!.file, mediaType: 'application/pdf' },
    ]);
    expect(manifest.files[pdf!.file]).toEqual({ sha256: pdf!.sha256, bytes: pdf!.bytes });
    // Every file under the prefix is in the manifest, and nothing else is.
    expect((await store.list(result.prefix)).sort()).toEqual([...Object.keys(manifest.files), 'manifest.json'].map((f) => `${result.prefix}${f}`).sort());

    // The national report links from the revision's root, a force page from forces/.
    const report = (await store.get(`${result.prefix}report.html`))!.toString();
    expect(report).toContain(`<a href="${pdf!.file}">${pdf!.name}</a> (PDF,`);
    expect(report).toContain(`<a href="${csv!.file}">${csv!.name}</a> (CSV,`);
    expect(report).toContain('lost.pdf (12 bytes; SHA-256');
    expect(report).toContain('not available in this revision');
    const kent = (await store.get(`${result.prefix}forces/kent.html`))!.toString();
    expect(kent).toContain(`<a href="../${pdf!.file}">`);
    // A force's named measures follow the small-count rule (issue 11): a whole 1 to 4 is withheld.
    expect(kent).toMatch(/<th scope="row">officers-trained<\/th><td class="n"><abbr title="suppressed to protect confidentiality">\[c\]<\/abbr><\/td>/);
    expect(kent).toContain('<th scope="row">staff-surveyed</th><td class="n">120</td>');
    expect(kent).toContain('<th scope="row">response-rate</th><td class="n">2.5</td>');
    for (const href of [...report.matchAll(/href="(documents\/[^"]+)"/g)].map((m) => m[1]!)) {
      expect(await store.head(`${result.prefix}${href}`)).not.toBeNull();
    }
  });
});
