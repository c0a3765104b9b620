// Publication is reproducible: the same events and cut-off give byte-identical files, in another
// database and bucket; a cut-off in the past gives exactly what was received by then; late events
// make the next revision, with what changed.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPool, type Pool } from '@vawg/db';
import { createObjectStore, type ObjectStore } from '@vawg/store';
import type { ForceEvent } from '@vawg/contracts';
import { createTestDatabase, s3Endpoint, uniqueName, type TestDatabase } from '@vawg/testing';
import { publishPeriod, sha256, type Manifest } from '../src/index.ts';
import { Feeder, history, migrateAll } from './seed.ts';

const FORCES = ['kent', 'essex', 'surrey', 'cumbria'];
const FIRST_WAVE = '2025-10-20T09:00:00.000Z';
const CUTOFF = new Date('2025-11-01T07:00:00.000Z');
const LATE_WAVE = '2025-11-10T09:00:00.000Z';

interface Stack { db: TestDatabase; pool: Pool; store: ObjectStore; feeder: Feeder }

async function stack(): Promise<Stack> {
  const db = await createTestDatabase();
  const pool = createPool(db.url);
  await migrateAll(pool);
  const store = createObjectStore({ ...s3Endpoint(), bucket: uniqueName('repro').toLowerCase(), forcePathStyle: true });
  await store.ensureBucket();
  return { db, pool, store, feeder: new Feeder(pool) };
}

async function files(store: ObjectStore, prefix: string): Promise<Record<string, string>> {
  const keys = await store.list(prefix);
  return Object.fromEntries(await Promise.all(keys.map(async (k) => [k.slice(prefix.length), sha256((await store.get(k))!)] as const)));
}

describe('reproducible publication', () => {
  const stacks: Stack[] = [];
  const events = history(FORCES, 400);
  // The late wave: one event in ten arrives after the cut-off, and some earlier ones are retracted.
  const late = events.filter((_, i) => i % 10 === 3);
  const early = events.filter((_, i) => i % 10 !== 3);
  const retractions: ForceEvent[] = early.filter((_, i) => i % 50 === 11).map((target, i) => ({
    eventId: `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`, type: 'event.retracted', schemaVersion: 1, force: target.force,
    occurredAt: '2025-11-09', producedAt: '2025-11-09T12:00:00Z', payload: { eventId: target.eventId, reason: 'sent in error' },
  }));

  beforeAll(async () => {
    for (let i = 0; i < 3; i++) stacks.push(await stack());
  }, 120_000);
  afterAll(async () => {
    for (const s of stacks) {
      await s.pool.end();
      s.store.close();
      await s.db.drop();
    }
  });

  it('gives byte-identical files for the same events and cut-off, and as at a past cut-off only what was received by then', async () => {
    const [a, b, c] = stacks as [Stack, Stack, Stack];
    // a and b: the early wave, then the late wave after the cut-off. c: only the early wave.
    for (const s of [a, b]) {
      await s.feeder.apply(early, FIRST_WAVE);
      await s.feeder.apply([...late, ...retractions], LATE_WAVE);
    }
    await c.feeder.apply(early, FIRST_WAVE);

    const deps = (s: Stack) => ({ pool: s.pool, store: s.store, serviceVersion: 'publish@test' });
    const results = await Promise.all([a, b, c].map((s) => publishPeriod(deps(s), '2025-H1', { cutoff: CUTOFF })));
    expect(results.map((r) => r.revision)).toEqual([1, 1, 1]);
    const [fa, fb, fc] = await Promise.all([a, b, c].map((s) => files(s.store, 'reports/2025-H1/r1/')));
    expect(Object.keys(fa!)).toHaveLength(48);
    expect(fb).toEqual(fa);
    // As at the cut-off, a and b had received exactly what c holds: the same bytes, manifest and all
    // but for the log positions and event counts the manifest reports, which differ.
    const { 'manifest.json': _ma, ...dataA } = fa!;
    const { 'manifest.json': _mc, ...dataC } = fc!;
    expect(dataC).toEqual(dataA);
    const manifest = JSON.parse((await a.store.get('reports/2025-H1/r1/manifest.json'))!.toString()) as Manifest;
    expect(manifest).toMatchObject({ period: '2025-H1', revision: 1, cutoff: CUTOFF.toISOString(), source: 'recompute', eventsApplied: early.length, changes: null });
    for (const [name, { sha256: hash }] of Object.entries(manifest.files)) expect(fa![name]).toBe(hash);

    // Now, with the late wave: revision 2, from the live aggregates, with what changed.
    const now = await publishPeriod(deps(a), '2025-H1');
    expect(now).toMatchObject({ revision: 2, unchanged: false });
    const second = JSON.parse((await a.store.get('reports/2025-H1/r2/manifest.json'))!.toString()) as Manifest;
    expect(second.source).toBe('aggregates');
    expect(second.eventsApplied).toBe(early.length + late.length + retractions.length);
    expect(second.changes?.since).toBe(1);
    expect(second.changes!.rowsChanged).toBeGreaterThan(0);
    expect(second.changes!.byMeasure['crimes-recorded']).toBeGreaterThan(0);
    // The notes say which earlier months' national figures changed, and by how much.
    const report = (await a.store.get('reports/2025-H1/r2/report.html'))!.toString();
    expect(report).toContain('National figures that changed (all victims), by month');
    const recorded = second.changes!.national.find((c) => c.split === 'all' && c.measure === 'crimes-recorded' && c.period.length === 7)!;
    expect(report).toContain(`<td>VAWG crimes recorded</td><td class="n">${recorded.before}</td><td class="n">${recorded.after}</td><td class="n">${recorded.after! > recorded.before! ? '+' : ''}${recorded.after! - recorded.before!}</td>`);
    // Revision 1 is untouched.
    expect(await files(a.store, 'reports/2025-H1/r1/')).toEqual(fa);
  }, 300_000);
});
