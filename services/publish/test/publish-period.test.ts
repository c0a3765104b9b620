// Publication against PostgreSQL and the S3 endpoint: revisions, immutability, manifests.
import type { PublishedRow } from '@vawg/kpi';
import type { ForceEvent } from '@vawg/contracts';
import { createHash, randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPool, type Pool } from '@vawg/db';
import { createObjectStore, type ObjectStore } from '@vawg/store';
import { createTestDatabase, s3Endpoint, uniqueName, type TestDatabase } from '@vawg/testing';
import { listPublications, listRuns, publishPeriod, PublishError, type Manifest } from '../src/index.ts';
import { assertHeld } from '../src/revisions.ts';
import { Feeder, migrateAll } from './seed.ts';
import { seeded, syntheticCrimes } from '@vawg/synthetic';

const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');

describe('publishing a half-year', () => {
  let db: TestDatabase;
  let pool: Pool;
  let store: ObjectStore;
  const deps = () => ({ pool, store, serviceVersion: 'publish@test' });
  const setCell = (force: string, month: string, value: number) => pool.query(
    `INSERT INTO aggregate.cells VALUES ($1, $2, 'crimes-recorded', 'all', 'all', $3)
     ON CONFLICT (force, month, measure, split, category) DO UPDATE SET value = excluded.value`, [force, month, value]);

  beforeAll(async () => {
    db = await createTestDatabase();
    pool = createPool(db.url);
    await migrateAll(pool);
    store = createObjectStore({ ...s3Endpoint(), bucket: uniqueName('publish').toLowerCase(), forcePathStyle: true });
    await store.ensureBucket();
  });
  afterAll(async () => {
    await pool.end();
    store.close();
    await db.drop();
  });

  it('writes revision 1, nothing on an identical rerun, and revision 2 after a change, never touching r1', async () => {
    // Kent has sent something for every month of the half-year: its figures, and the national ones, stand.
    await pool.query(`INSERT INTO pipeline.completeness (force, dataset, month, received, first_arrival)
                      SELECT 'kent', 'crime', m, 1, '2025-01-01T00:00:00Z' FROM unnest($1::text[]) AS m`, [['2025-04', '2025-05', '2025-06', '2025-07', '2025-08', '2025-09']]);
    await setCell('kent', '2025-04', 12);
    expect(await publishPeriod(deps(), '2025-H1')).toMatchObject({ period: '2025-H1', revision: 1, prefix: 'reports/2025-H1/r1/', unchanged: false });
    const r1 = await store.list('reports/2025-H1/r1/');
    expect(r1).toHaveLength(4 + 44);
    expect(r1).toEqual(expect.arrayContaining(['reports/2025-H1/r1/cells.csv', 'reports/2025-H1/r1/cells.json', 'reports/2025-H1/r1/report.html',
      'reports/2025-H1/r1/manifest.json', 'reports/2025-H1/r1/forces/kent.html', 'reports/2025-H1/r1/forces/british-transport-police.html']));
    const before = await Promise.all(r1.map(async (k) => sha256((await store.get(k))!)));

    expect(await publishPeriod(deps(), '2025-H1')).toMatchObject({ revision: 1, unchanged: true });
    expect(await store.list('reports/2025-H1/')).toHaveLength(48);

    await setCell('kent', '2025-05', 3);
    // Two runs at once: one writes revision 2, the other waits and finds nothing new.
    const both = await Promise.all([publishPeriod(deps(), '2025-H1'), publishPeriod(deps(), '2025-H1')]);
    expect(both.map((r) => `${r.revision}:${r.unchanged}`).sort()).toEqual(['2:false', '2:true']);
    expect(await Promise.all(r1.map(async (k) => sha256((await store.get(k))!)))).toEqual(before);

    const manifest = JSON.parse((await store.get('reports/2025-H1/r2/manifest.json'))!.toString()) as Manifest;
    expect(manifest.revision).toBe(2);
    expect(Object.keys(manifest.files)).toHaveLength(47);
    // Kent's May went from 0 to 3: the month, the half-year, and national for both.
    expect(manifest.changes).toMatchObject({ since: 1, rowsAdded: 0, rowsRemoved: 0 });
    expect(manifest.changes!.national).toEqual(expect.arrayContaining([
      { period: '2025-05', measure: 'crimes-recorded', split: 'all', category: 'all', before: 0, after: 3 },
      { period: '2025-H1', measure: 'crimes-recorded', split: 'all', category: 'all', before: 12, after: 15 },
    ]));
    for (const [name, { sha256: hash }] of Object.entries(manifest.files)) {
      expect(sha256((await store.get(`reports/2025-H1/r2/${name}`))!)).toBe(hash);
    }
    expect((await listPublications(pool, '2025-H1')).map((p) => p.revision)).toEqual([1, 2]);
    expect((await listRuns(pool, '2025-H1')).map((r) => `${r.status}:${r.revision}`).sort()).toEqual(['published:1', 'published:2', 'unchanged:1', 'unchanged:2']);
  });

  it('waits for what was accepted by the cut-off, fails saying what is missing, and with allowIncomplete publishes and says so', async () => {
    const accepted = (submission: string, stage: string, outcome: string, n: number) => pool.query(
      `INSERT INTO pipeline.progress VALUES ($1, $2, $3, 'kent', '2025-10-02T09:00:00Z', $4)
       ON CONFLICT (submission_id, stage, outcome) DO UPDATE SET n = excluded.n`, [submission, stage, outcome, n]);
    const submission = '6a1c2b3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d';
    await accepted(submission, 'ingest', 'accepted', 10);
    await accepted(submission, 'validate', 'passed', 9);
    await accepted(submission, 'validate', 'duplicate', 1);
    await accepted(submission, 'aggregate', 'counted', 6);
    await accepted(submission, 'aggregate', 'dead-lettered', 1);
    const quick = { ...deps(), completenessWaitMs: 300 };
    await expect(publishPeriod(quick, '2025-H2')).rejects.toThrow(
      /^incomplete: of 10 events accepted by the cut-off, 0 are not yet validated and 2 not yet counted after waiting 0 s, and 1 were dead-lettered; publish again once the stages have caught up/);
    expect((await listRuns(pool, '2025-H2')).at(-1)).toMatchObject({ status: 'failed', error: expect.stringMatching(/^incomplete: /) as unknown });

    const anyway = await publishPeriod(quick, '2025-H2', { allowIncomplete: true });
    const manifest = JSON.parse((await store.get(`${anyway.prefix}manifest.json`))!.toString()) as Manifest;
    expect(manifest.completeness).toEqual({ accepted: 10, withoutReceipt: 0, counted: 6, duplicates: 1, refusedLater: 0, held: 0, withdrawn: 0, deadLettered: 1, discarded: 0, notYetProcessed: 2, complete: false });
    const report = (await store.get(`${anyway.prefix}report.html`))!.toString();
    expect(report).toContain('This publication is incomplete.</strong> When it was made, 2 accepted events were not yet processed and 1 event could not be processed');
    expect(report).toContain('By the cut-off, forces had sent 10 events that were accepted, for any period.');
    // Kent's page gives Kent's account; a force that sent nothing is not told it is incomplete.
    expect((await store.get(`${anyway.prefix}forces/kent.html`))!.toString()).toContain('By the cut-off, Kent Police had sent 10 events');
    expect((await store.get(`${anyway.prefix}forces/essex.html`))!.toString()).not.toContain('This publication is incomplete');
    // Presented as what they are (issue 11): 5.4 counts crime–suspect pairs, `not-female` is not
    // "male", and the forces chart's dashed line is the mean of the forces in the national figure.
    const kentPage = (await store.get(`${anyway.prefix}forces/kent.html`))!.toString();
    expect(kentPage).toContain('Crime–suspect pairs outstanding at the end of the period');
    expect(kentPage).toContain('not-female: male, other, or sex not recorded (not &quot;male&quot;)');
    expect(report).toContain('for a count, the mean of the forces in the national figure (the national total divided by their number)');
    expect(report).not.toContain('average force');
    expect(report).toContain('counts the crimes recorded in each month or half-year that had been charged or summonsed by the cut-off');
    expect(report).toMatch(/March 2026 \(provisional\)/);

    // The stage catches up while a run waits; the dead letter still needs a person: it fails saying so.
    const waiting = publishPeriod({ ...deps(), completenessWaitMs: 20_000 }, '2025-H2');
    setTimeout(() => void accepted(submission, 'aggregate', 'counted', 8), 500);
    await expect(waiting).rejects.toThrow(/0 not yet counted after waiting \d+ s, and 1 were dead-lettered; see `vawg dead-letters`/);
    // Redriven and counted: complete, published.
    await accepted(submission, 'aggregate', 'dead-lettered', 0);
    await accepted(submission, 'aggregate', 'counted', 9);
    const done = await publishPeriod(quick, '2025-H2');
    expect(done.completeness).toMatchObject({ counted: 9, notYetProcessed: 0, deadLettered: 0, complete: true });
    expect(done.revision).toBe(anyway.revision + 1);
  });

  it('never lets a run write into a revision another run holds, and takes over one whose run never finished', async () => {
    // A run that claimed revision 1 of 2024-H2, wrote one file and was never heard of again.
    const { rows } = await pool.query<{ id: number }>(`INSERT INTO publish.runs (period, trigger, cutoff, status) VALUES ('2024-H2', 'operator', now(), 'running') RETURNING id`);
    const abandoned = { period: '2024-H2', revision: 1, prefix: 'reports/2024-H2/r1/', runId: rows[0]!.id };
    await pool.query(`INSERT INTO publish.publications (period, revision, cutoff, prefix, content_sha256, run_id, status) VALUES ('2024-H2', 1, now(), $1, 'x', $2, 'writing')`, [abandoned.prefix, abandoned.runId]);
    await store.put('reports/2024-H2/r1/forces/leftover.html', 'half written', 'text/html');

    const result = await publishPeriod({ ...deps(), fenceDelayMs: 200 }, '2024-H2');
    expect(result).toMatchObject({ revision: 1, unchanged: false });
    const manifest = JSON.parse((await store.get('reports/2024-H2/r1/manifest.json'))!.toString()) as Manifest;
    const files = await store.list('reports/2024-H2/r1/');
    expect(files.sort()).toEqual([...Object.keys(manifest.files), 'manifest.json'].map((f) => `reports/2024-H2/r1/${f}`).sort());
    // The run that lost its claim finds out before its next write.
    await expect(assertHeld(pool, abandoned)).rejects.toThrow(/taken over by another run/);
  });

  it('marks force-months not closed by the cut-off as provisional, never shows nothing received as 0, and keeps the grid', async () => {
    // Kent sent October and closed it before the cut-off; sent November, closed only after it; Dorset sent nothing.
    const feeder = new Feeder(pool);
    await feeder.apply(syntheticCrimes(seeded(5), { force: 'kent', count: 12, from: '2024-10-01', to: '2024-10-31', refPrefix: 'K10-' }), '2024-11-02T09:00:00.000Z');
    await feeder.apply(syntheticCrimes(seeded(6), { force: 'kent', count: 7, from: '2024-11-01', to: '2024-11-30', refPrefix: 'K11-' }), '2024-12-02T09:00:00.000Z');
    const closure = (month: string, occurredAt: string) => ({
      eventId: randomUUID(), type: 'submission.closed', schemaVersion: 1, force: 'kent', occurredAt, producedAt: `${occurredAt}T09:00:00Z`, payload: { dataset: 'crime', month },
    }) as ForceEvent;
    await feeder.apply([closure('2024-10', '2024-11-03')], '2024-11-03T09:00:00.000Z');
    const lateClosure = closure('2024-11', '2025-05-01');
    await feeder.apply([lateClosure], '2025-05-01T09:00:00.000Z');
    // A closure standing at the cut-off but retracted after it still counts as at the cut-off.
    const december = closure('2024-12', '2025-01-05');
    await feeder.apply([december], '2025-01-05T09:00:00.000Z');
    await feeder.apply([{ eventId: randomUUID(), type: 'event.retracted', schemaVersion: 1, force: 'kent', occurredAt: '2025-05-02', producedAt: '2025-05-02T09:00:00Z', payload: { eventId: december.eventId, reason: 'sent in error' } }], '2025-05-02T09:00:00.000Z');
    const result = await publishPeriod(deps(), '2024-H2', { cutoff: new Date('2025-04-30T00:00:00Z') });
    const rows = JSON.parse((await store.get(`${result.prefix}cells.json`))!.toString()) as PublishedRow[];
    const row = (period: string, geography: string) => rows.find((r) => r.period === period && r.geography === geography && r.measure === 'crimes-recorded' && r.split === 'all')!;
    expect(row('2024-10', 'kent')).toMatchObject({ value: 12, provisional: false, forcesIncluded: 1, forcesClosed: 1 });
    expect(row('2024-11', 'kent')).toMatchObject({ value: 7, provisional: true, forcesIncluded: 1, forcesClosed: 0 });
    // December: nothing sent, but closed (a declared nothing) as at the cut-off: a true 0, final.
    expect(row('2024-12', 'kent')).toMatchObject({ value: 0, provisional: false, forcesIncluded: 1, forcesClosed: 1 });
    expect(row('2025-01', 'kent')).toMatchObject({ value: null, suppressed: false, provisional: true, forcesIncluded: 0 });
    expect(row('2024-10', 'dorset')).toMatchObject({ value: null, suppressed: false, provisional: true, forcesIncluded: 0 });
    expect(row('2024-10', 'national')).toMatchObject({ value: 12, provisional: true, forcesIncluded: 1, forcesClosed: 1 });
    // No force sent every month of the half-year: no national figure rather than a partial one.
    expect(row('2024-H2', 'national')).toMatchObject({ value: null, forcesIncluded: 0, forcesClosed: 0 });
    expect(row('2024-H2', 'kent')).toMatchObject({ value: null, forcesIncluded: 0 });
    const csv = (await store.get(`${result.prefix}cells.csv`))!.toString();
    expect(csv.split('\n')[0]).toBe('period,geography,kpi,measure,split,category,value,numerator,denominator,n,suppressed,provisional,forcesIncluded,forcesClosed');
    const manifest = JSON.parse((await store.get(`${result.prefix}manifest.json`))!.toString()) as Manifest;
    expect(manifest.completenessGrid.cells).toHaveLength(44 * 5 * 6);
    const grid = (force: string, month: string) => manifest.completenessGrid.cells.find((c) => c.force === force && c.dataset === 'crime' && c.month === month);
    expect(grid('kent', '2024-10')).toMatchObject({ state: 'closed', closed: true, closedAt: '2024-11-03T09:00:00.000Z' });
    // Closed after the cut-off: as at the cut-off it was not, and months ended long before are late.
    expect(grid('kent', '2024-11')).toMatchObject({ state: 'late', closed: false, closedAt: null });
    expect(grid('kent', '2024-12')).toMatchObject({ state: 'closed', closed: true });
    expect(grid('dorset', '2024-10')).toMatchObject({ state: 'silent' });
    expect(manifest.completenessGrid.states).toMatchObject({ closed: 2, late: 1 });
    const report = (await store.get(`${result.prefix}report.html`))!.toString();
    expect(report).toContain('not received');
    expect(report).toContain('Completeness of the data at the cut-off');
    expect((await store.get(`${result.prefix}forces/dorset.html`))!.toString()).toContain('not received');
    // Made again as at the same cut-off: the same rows, marks and all, so nothing new is written.
    expect(await publishPeriod(deps(), '2024-H2', { cutoff: new Date('2025-04-30T00:00:00Z') })).toMatchObject({ revision: result.revision, unchanged: true });
  });

  it('refuses a period that is not a half-year', async () => {
    await expect(publishPeriod(deps(), '2025-05')).rejects.toBeInstanceOf(PublishError);
  });
});
