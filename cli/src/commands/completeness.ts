// `vawg completeness --period P` (operations.md): the force × month grid of each dataset in the
// terminal, each cell its state in words and the events it holds once each.
import { datasets, forces, forceIds, type Dataset } from '@vawg/contracts';
import { monthsOfPeriod, readCompleteness, type CompletenessCell } from '@vawg/pipeline';
import { connect } from '../connect.ts';
import { CliError } from '../cli-error.ts';

export interface CompletenessOptions {
  period: string;
  force?: string;
  dataset?: string;
  json?: boolean;
}

const forceName = new Map(forces.map((f) => [f.id, f.name]));

/** A cell in 14 characters: its state in words (never colour alone) and its volume. */
export function cellText(c: CompletenessCell): string {
  const figure = c.state === 'silent' ? '-' : String(c.volume);
  return `${c.state.padEnd(9)} ${figure.padStart(4)}`;
}

export function renderGrid(cells: readonly CompletenessCell[], months: readonly string[], dataset: Dataset): string {
  const mine = cells.filter((c) => c.dataset === dataset);
  const byForce = new Map<string, Map<string, CompletenessCell>>();
  for (const c of mine) {
    const row = byForce.get(c.force) ?? new Map<string, CompletenessCell>();
    row.set(c.month, c);
    byForce.set(c.force, row);
  }
  const lines = [`${dataset}`, `${'force'.padEnd(34)} ${months.map((m) => m.padEnd(14)).join(' ')}`];
  for (const [force, row] of byForce) {
    lines.push(`${(forceName.get(force) ?? force).slice(0, 34).padEnd(34)} ${months.map((m) => (row.get(m) ? cellText(row.get(m)!) : '').padEnd(14)).join(' ')}`);
  }
  const tally = new Map<string, number>();
  for (const c of mine) tally.set(c.state, (tally.get(c.state) ?? 0) + 1);
  lines.push(`cells: ${[...tally].map(([s, n]) => `${n} ${s}`).join(', ')}`);
  return lines.join('\n');
}

export async function completenessCommand(options: CompletenessOptions): Promise<void> {
  let months: string[];
  try {
    months = monthsOfPeriod(options.period);
  } catch (error) {
    throw new CliError(`--period ${options.period}: ${(error as Error).message}`);
  }
  if (options.force && !forceIds.includes(options.force)) throw new CliError(`--force ${options.force} is not a force id of forces.csv (such as kent)`);
  if (options.dataset && !(datasets as readonly string[]).includes(options.dataset)) throw new CliError(`--dataset ${options.dataset} is not a dataset: one of ${datasets.join(', ')}`);
  const connection = await connect();
  try {
    const grid = await readCompleteness(connection.pool, { period: options.period, force: options.force, dataset: options.dataset as Dataset | undefined });
    if (options.json) {
      console.log(JSON.stringify(grid, null, 2));
      return;
    }
    console.log(`Completeness of ${grid.period} as at ${grid.asAt} (each cell: state, then distinct events accepted)`);
    for (const dataset of grid.datasets) console.log(`\n${renderGrid(grid.cells, months, dataset)}`);
    console.log(`\nclosed: the force declared the month complete · open: arriving, not closed · silent: nothing received`
      + ` · late: not closed ${grid.rule.lateAfterDays} days after the month's end · anomalous: ${grid.rule.anomaly}`);
  } finally {
    await connection.close();
  }
}
