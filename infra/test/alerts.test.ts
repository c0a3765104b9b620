// The alert rules, checked and unit-tested by Prometheus's own promtool (Debian's `prometheus`
// package; `.ci/run` installs it): each alert fires when it should, and only then. Also: every
// alert has such a test, says what to do, and asks only for metrics the code emits.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { isEmitted, metricNames, metricNamesInCode } from './support/promql.ts';
import { promtool } from './support/promtool.ts';

const dir = fileURLToPath(new URL('../prometheus/', import.meta.url));
const repo = fileURLToPath(new URL('../../', import.meta.url));

interface Rule { alert?: string; record?: string; expr: string; for?: string; labels?: Record<string, string>; annotations?: Record<string, string> }
interface RuleFile { groups: { name: string; rules: Rule[] }[] }
interface AlertCase { eval_time: string; alertname: string; exp_alerts?: unknown[] | null }
interface TestFile { rule_files: string[]; tests: { alert_rule_test?: AlertCase[] }[] }

const rules = (parse(readFileSync(`${dir}alerts.yml`, 'utf8')) as RuleFile).groups.flatMap((g) => g.rules);
const alerts = rules.filter((r): r is Rule & { alert: string } => r.alert !== undefined);
const cases = (parse(readFileSync(`${dir}alerts.test.yml`, 'utf8')) as TestFile).tests.flatMap((t) => t.alert_rule_test ?? []);

describe('alert rules', () => {
  it('are valid rules', async () => {
    expect(await promtool(dir, 'check', 'rules', 'alerts.yml')).toMatch(/SUCCESS: \d+ rules found/);
  });

  it('fire when they should and only then (late, anomalous, rising refusals, lag, a stalled or retrying stage, dead letters, a service down, a failed publication)', async () => {
    expect(await promtool(dir, 'test', 'rules', 'alerts.test.yml')).toContain('SUCCESS');
  });

  it('cover what operations.md asks for', () => {
    expect(alerts.map((a) => a.alert)).toEqual(expect.arrayContaining([
      'VawgCompletenessLate', 'VawgCompletenessAnomalous', 'VawgRefusalRateRising', 'VawgConsumerLagHigh',
      'VawgStageStalled', 'VawgDeadLetters', 'VawgPublicationFailed',
    ]));
  });

  it('each have a test that fires them and one where they stay silent, and no test names an alert that does not exist', () => {
    const names = new Set(alerts.map((a) => a.alert));
    expect(cases.map((c) => c.alertname).filter((n) => !names.has(n))).toEqual([]);
    for (const { alert } of alerts) {
      const mine = cases.filter((c) => c.alertname === alert);
      expect(mine.some((c) => (c.exp_alerts ?? []).length > 0), `${alert} has no test in which it fires`).toBe(true);
      expect(mine.some((c) => (c.exp_alerts ?? []).length === 0), `${alert} has no test in which it stays silent`).toBe(true);
    }
  });

  it('each have a severity, a summary and a description, naming the force, dataset or stage they are about', () => {
    for (const a of alerts) {
      expect(['page', 'ticket'], `${a.alert}'s severity`).toContain(a.labels?.severity);
      expect(a.annotations?.summary?.trim(), `${a.alert}'s summary`).toBeTruthy();
      expect((a.annotations?.description ?? '').length, `${a.alert}'s description`).toBeGreaterThan(60);
      const grouping = [...a.expr.matchAll(/\bby\s*\(([^)]*)\)/g)].flatMap((m) => m[1]!.split(',').map((l) => l.trim()));
      for (const label of ['force', 'dataset', 'stage']) {
        if (grouping.includes(label)) expect(`${a.annotations!.summary} ${a.annotations!.description}`, `${a.alert} is per ${label}`).toContain(`$labels.${label}`);
      }
    }
  });

  it('ask only for metrics the services and libraries emit', () => {
    const inCode = metricNamesInCode([`${repo}services`, `${repo}libs`]);
    const used = [...new Set(rules.flatMap((r) => metricNames(r.expr)))];
    expect(used).toEqual(expect.arrayContaining(['vawg_completeness_late', 'vawg_completeness_anomalous', 'vawg_ingest_events_total']));
    expect(used.filter((name) => !isEmitted(name, inCode))).toEqual([]);
  });
});

describe('reading PromQL for metric names', () => {
  it('finds the selected metrics, not functions, labels or durations', () => {
    expect(metricNames('sum by (stage) (rate(vawg_a_total{status="refused",job=~"x"}[5m] offset 1d)) / on () max(vawg_b) > 0 and up == 1')).toEqual(['vawg_a_total', 'vawg_b', 'up']);
    expect(metricNames('histogram_quantile(0.95, sum by (le) (rate(vawg_c_bucket[5m])))')).toEqual(['vawg_c_bucket']);
  });

  it('refuses what it cannot read and selectors without a name', () => {
    expect(() => metricNames('sum(rate(vawg_a[5m])')).toThrow(/cannot read/);
    expect(() => metricNames('{job="vawg-ingest"}')).toThrow(/without a metric name/);
  });

  it('counts a histogram\'s series and Prometheus\'s own as emitted, and nothing else', () => {
    const inCode = new Set(['vawg_c_seconds', 'vawg_a_total']);
    expect(['vawg_c_seconds_bucket', 'vawg_c_seconds_count', 'vawg_a_total', 'up'].every((n) => isEmitted(n, inCode))).toBe(true);
    expect(['vawg_a', 'vawg_d_bucket', 'vawg_a_total_sum_x'].some((n) => isEmitted(n, inCode))).toBe(false);
  });
});
