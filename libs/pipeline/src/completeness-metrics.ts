// Completeness as Prometheus gauges, judged every minute over the last twelve ended months, for
// the alert rules (infra/prometheus/alerts.yml: late, anomalous, silent).
import type { Pool } from '@vawg/db';
import { gauge, type Registry } from '@vawg/metrics';
import type { Logger } from '@vawg/log';
import { completenessStates, HISTORY_MONTHS } from './completeness-rules.ts';
import { readCompleteness } from './completeness.ts';
import { addMonths } from './completeness-rules.ts';

export interface CompletenessMetrics {
  /** Judges now and sets the gauges. */
  refresh(): Promise<void>;
  stop(): void;
}

/** The last `n` months that have ended by `at`, oldest first. */
export function lastEndedMonths(at: Date, n: number): string[] {
  const current = at.toISOString().slice(0, 7);
  return Array.from({ length: n }, (_, i) => addMonths(current, i - n));
}

export function startCompletenessMetrics(o: { pool: Pool; registry: Registry; log?: Logger; intervalMs?: number; now?: () => Date }): CompletenessMetrics {
  const cells = gauge(o.registry, 'vawg_completeness_cells', 'Force × dataset × month cells of the last 12 ended months, by state', ['state']);
  const late = gauge(o.registry, 'vawg_completeness_late', 'Months of the last 12 in state late (something received, not closed 15 days after the month\'s end), by force and dataset', ['force', 'dataset']);
  const anomalous = gauge(o.registry, 'vawg_completeness_anomalous', 'Months of the last 12 in state anomalous (volume far from the force\'s own history, not late), by force and dataset', ['force', 'dataset']);
  const silent = gauge(o.registry, 'vawg_completeness_silent', 'Months of the last 12 in state silent and owed (nothing received, not closed 15 days after the month\'s end), by force and dataset', ['force', 'dataset']);
  const now = o.now ?? (() => new Date());
  let running: Promise<void> | null = null;

  async function judge(): Promise<void> {
    const at = now();
    const months = lastEndedMonths(at, HISTORY_MONTHS);
    const grid = await readCompleteness(o.pool, { period: months.at(-1)!, months, asAt: at });
    const byState = new Map<string, number>(completenessStates.map((s) => [s, 0]));
    const per = new Map<string, { force: string; dataset: string; late: number; anomalous: number; silent: number }>();
    for (const c of grid.cells) {
      byState.set(c.state, (byState.get(c.state) ?? 0) + 1);
      const key = `${c.force}|${c.dataset}`;
      const p = per.get(key) ?? { force: c.force, dataset: c.dataset, late: 0, anomalous: 0, silent: 0 };
      // By state: one month, one alert (a silent month is also late and far below its history).
      if (c.state === 'late') p.late += 1;
      if (c.state === 'anomalous') p.anomalous += 1;
      // Silent once it is owed: nothing received, not closed, 15 days after the month's end.
      if (c.state === 'silent' && c.late) p.silent += 1;
      per.set(key, p);
    }
    for (const [state, n] of byState) cells.set({ state }, n);
    for (const p of per.values()) {
      const labels = { force: p.force, dataset: p.dataset };
      late.set(labels, p.late);
      anomalous.set(labels, p.anomalous);
      silent.set(labels, p.silent);
    }
  }

  const refresh = () => {
    running ??= judge().finally(() => { running = null; });
    return running;
  };
  const timer = setInterval(() => {
    refresh().catch((err: unknown) => o.log?.warn({ err }, 'completeness metrics: not refreshed'));
  }, o.intervalMs ?? 60_000);
  timer.unref();
  refresh().catch((err: unknown) => o.log?.warn({ err }, 'completeness metrics: not refreshed'));
  return { refresh, stop: () => clearInterval(timer) };
}
