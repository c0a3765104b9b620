// Checks the live aggregates against the reference recompute (recompute-sql.ts), cell for cell.
import { withTransaction, type Pool, type PoolClient } from '@vawg/db';
import { allegationOutcomes, outcomeCodes } from '@vawg/contracts';
import { recomputeSql, standingSql, standingTableSql } from './recompute-sql.ts';


export interface CellValue {
  kind: 'count' | 'histogram';
  force: string;
  month: string;
  measure: string;
  split: string;
  category: string;
  days: number | null;
  value: number;
}

export const cellKey = (c: Omit<CellValue, 'value'>) => [c.kind, c.force, c.month, c.measure, c.split, c.category, c.days ?? ''].join('|');

/**
 * The reference cells, computed inside the caller's transaction from the events standing as at
 * `cutoff` (all of them when none is given).
 */
export async function referenceCellsIn(client: PoolClient, cutoff?: Date): Promise<CellValue[]> {
  // Room to hash and sort in memory: the recompute reads every stored event once.
  await client.query(`SET LOCAL work_mem = '256MB'`);
  await client.query(standingTableSql);
  await client.query(standingSql, [cutoff ?? 'infinity']);
  await client.query('ANALYZE ref_standing');
  const { rows } = await client.query<CellValue>(recomputeSql, [
    outcomeCodes.map((o) => o.code), outcomeCodes.map((o) => o.group), outcomeCodes.map((o) => o.cjOutcome),
    allegationOutcomes.map((o) => o.id), allegationOutcomes.map((o) => o.group),
  ]);
  return rows;
}

export async function referenceCells(pool: Pool, cutoff?: Date): Promise<CellValue[]> {
  return withTransaction(pool, (client) => referenceCellsIn(client, cutoff));
}

export async function liveCells(db: Pool | PoolClient): Promise<CellValue[]> {
  const { rows } = await db.query<CellValue>(
    `SELECT 'count' AS kind, force, month, measure, split, category, NULL::int AS days, value FROM aggregate.cells WHERE value <> 0
     UNION ALL
     SELECT 'histogram', force, month, measure, split, category, days, count FROM aggregate.histograms WHERE count <> 0`);
  return rows;
}

export interface Comparison {
  /** Cells in either: all of them compared. */
  checked: number;
  /** Cells whose live value is not the reference's, first few only. */
  differences: { key: string; live: number; reference: number }[];
  differing: number;
}

/** Compares live and reference cells; `fromMonth` (YYYY-MM) limits the check to months from it. */
export async function compareWithReference(pool: Pool, fromMonth?: string): Promise<Comparison> {
  const keep = (c: CellValue) => !fromMonth || c.month >= fromMonth;
  // One snapshot for both sides, so a comparison made while aggregate runs is still of one state.
  const [liveRows, referenceRows] = await withTransaction(pool, async (client) => [await liveCells(client), await referenceCellsIn(client)] as const, 'repeatable read');
  const live = new Map(liveRows.filter(keep).map((c) => [cellKey(c), c.value]));
  const reference = new Map(referenceRows.filter(keep).map((c) => [cellKey(c), c.value]));
  const keys = new Set([...live.keys(), ...reference.keys()]);
  const differences: Comparison['differences'] = [];
  let differing = 0;
  for (const key of [...keys].sort()) {
    const l = live.get(key) ?? 0;
    const r = reference.get(key) ?? 0;
    if (l === r) continue;
    differing += 1;
    if (differences.length < 20) differences.push({ key, live: l, reference: r });
  }
  return { checked: keys.size, differences, differing };
}
