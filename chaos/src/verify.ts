// What a trial checks: every acknowledged event stored exactly once, the cells equal to the SQL
// reference recompute, and every published revision whole (its folder holds exactly the files its
// manifest names, with their hashes).
import { createHash } from 'node:crypto';
import type { Pool } from '@vawg/db';
import type { ObjectStore } from '@vawg/store';
import { liveCells, referenceCells } from '@vawg/aggregate';

/** Of these eventIds, those stored by aggregate (as facts or retractions). */
export async function stored(pool: Pool, ids: readonly string[]): Promise<Set<string>> {
  const found = new Set<string>();
  for (let i = 0; i < ids.length; i += 20_000) {
    const slice = ids.slice(i, i + 20_000);
    const { rows } = await pool.query<{ id: string }>(
      `SELECT event_id::text AS id FROM aggregate.case_events WHERE event_id = ANY($1::uuid[])
       UNION ALL SELECT event_id::text FROM aggregate.retractions WHERE event_id = ANY($1::uuid[])`, [slice]);
    for (const r of rows) found.add(r.id);
  }
  return found;
}

/**
 * Of these eventIds, those with a fate: stored by aggregate, or held, withdrawn or refused by
 * validate (a breach held and retracted before its grant is never stored, and rightly so).
 */
export async function accountedFor(pool: Pool, ids: readonly string[]): Promise<Set<string>> {
  const found = await stored(pool, ids);
  const rest = ids.filter((id) => !found.has(id));
  for (let i = 0; i < rest.length; i += 20_000) {
    const slice = rest.slice(i, i + 20_000);
    const { rows } = await pool.query<{ id: string }>(
      `SELECT event_id::text AS id FROM validate.events WHERE state IN ('held', 'withdrawn') AND event_id = ANY($1::uuid[])
       UNION ALL SELECT event_id FROM ingest.refusals WHERE stage = 'validate' AND event_id = ANY($1::text[])`, [slice]);
    for (const r of rows) found.add(r.id);
  }
  return found;
}

/** Waits until every one of `ids` has a fate; resolves with those still without one when time is up. */
export async function untilAccounted(pool: Pool, ids: readonly string[], timeoutMs: number): Promise<string[]> {
  const deadline = Date.now() + timeoutMs;
  let missing = [...ids];
  for (;;) {
    const found = await accountedFor(pool, missing).catch(() => new Set<string>());
    missing = missing.filter((id) => !found.has(id));
    if (missing.length === 0 || Date.now() > deadline) return missing;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

/** Measures where one event adds exactly one: an excess there is an event counted twice. */
const perEvent = new Set(['crimes-recorded', 'outcomes-assigned', 'orders-applied', 'orders-breached', 'dvds-applications', 'allegations-received']);

export interface CellCheck {
  checked: number;
  differing: number;
  /** Units counted beyond the reference in the per-event measures: events counted twice. */
  excess: number;
  /** Units missing against the reference in those measures. */
  shortfall: number;
}

export async function checkCells(pool: Pool): Promise<CellCheck> {
  const [live, reference] = await Promise.all([liveCells(pool), referenceCells(pool)]);
  const key = (c: { kind: string; force: string; month: string; measure: string; split: string; category: string; days: number | null }) =>
    [c.kind, c.force, c.month, c.measure, c.split, c.category, c.days ?? ''].join('|');
  const l = new Map(live.map((c) => [key(c), c]));
  const r = new Map(reference.map((c) => [key(c), c]));
  let differing = 0;
  let excess = 0;
  let shortfall = 0;
  for (const k of new Set([...l.keys(), ...r.keys()])) {
    const cell = l.get(k) ?? r.get(k)!;
    const diff = (l.get(k)?.value ?? 0) - (r.get(k)?.value ?? 0);
    if (diff === 0) continue;
    differing += 1;
    if (cell.kind === 'count' && cell.split === 'all' && perEvent.has(cell.measure)) {
      if (diff > 0) excess += diff;
      else shortfall -= diff;
    }
  }
  return { checked: new Set([...l.keys(), ...r.keys()]).size, differing, excess, shortfall };
}

export interface RevisionCheck {
  revisions: number;
  /** Revision folders whose files are not exactly their manifest's. */
  mixed: string[];
}

export async function checkRevisions(pool: Pool, store: ObjectStore): Promise<RevisionCheck> {
  const { rows } = await pool.query<{ prefix: string; manifest: { files: Record<string, { sha256: string }> } }>(
    `SELECT prefix, manifest FROM publish.publications WHERE status = 'published' ORDER BY period, revision`);
  const mixed: string[] = [];
  for (const { prefix, manifest } of rows) {
    const files = await store.list(prefix);
    const expected = [...Object.keys(manifest.files), 'manifest.json'].map((f) => `${prefix}${f}`).sort();
    let whole = JSON.stringify(files) === JSON.stringify(expected);
    for (const [name, { sha256 }] of Object.entries(manifest.files)) {
      if (!whole) break;
      const body = await store.get(`${prefix}${name}`);
      whole = body !== null && createHash('sha256').update(body).digest('hex') === sha256;
    }
    if (!whole) mixed.push(prefix);
  }
  return { revisions: rows.length, mixed };
}

/** Live crimes recorded per `force|month` against the independent model: the keys that differ. */
export async function checkModel(pool: Pool, expected: ReadonlyMap<string, number>): Promise<string[]> {
  const { rows } = await pool.query<{ key: string; value: number }>(
    `SELECT force || '|' || month AS key, value FROM aggregate.cells WHERE measure = 'crimes-recorded' AND split = 'all' AND category = 'all' AND value <> 0`);
  const live = new Map(rows.map((r) => [r.key, r.value]));
  return [...new Set([...live.keys(), ...expected.keys()])].filter((k) => (live.get(k) ?? 0) !== (expected.get(k) ?? 0)).sort();
}

export async function deadLetters(pool: Pool): Promise<number> {
  const { rows } = await pool.query<{ n: number }>('SELECT count(*)::int AS n FROM pipeline.dead_letters');
  return rows[0]!.n;
}
