// The Grafana dashboard, its provisioning, Prometheus's configuration and their place in
// docker-compose.yml, checked by reading (there may be no Docker where the tests run): every
// panel's PromQL is parsed by promtool and asks only for metrics the code emits, and the files
// point at each other the way the containers will see them.
import { mkdtempSync, readFileSync, rmSync, writeFileSync, mkdirSync, copyFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { isEmitted, metricNames, metricNamesInCode } from './support/promql.ts';
import { promtool } from './support/promtool.ts';

const repo = fileURLToPath(new URL('../../', import.meta.url));
const read = (path: string) => readFileSync(join(repo, path), 'utf8');

interface Target { refId: string; expr?: string; datasource?: { type: string; uid: string } }
interface Panel { id: number; type: string; title: string; description?: string; datasource?: { type: string; uid: string }; gridPos: { x: number; y: number; w: number; h: number }; targets?: Target[]; panels?: Panel[] }
interface Dashboard { uid: string; title: string; panels: Panel[] }
interface ComposeService { image?: string; build?: unknown; command?: string[]; ports?: string[]; volumes?: string[]; depends_on?: Record<string, unknown> }
interface Compose { services: Record<string, ComposeService>; volumes: Record<string, unknown> }
interface ScrapeConfig { job_name: string; static_configs: { targets: string[] }[]; authorization?: { type?: string; credentials_file?: string } }
interface PrometheusConfig { rule_files: string[]; scrape_configs: ScrapeConfig[] }

const dashboard = JSON.parse(read('infra/grafana/dashboards/vawg.json')) as Dashboard;
const panels = dashboard.panels.flatMap((p) => [p, ...(p.panels ?? [])]).filter((p) => p.type !== 'row');
const queries = panels.flatMap((p) => (p.targets ?? []).map((t) => ({ panel: p, target: t, expr: t.expr ?? '' })));
const compose = parse(read('docker-compose.yml')) as Compose;
const prometheusConfig = parse(read('infra/prometheus/prometheus.yml')) as PrometheusConfig;
const datasources = (parse(read('infra/grafana/provisioning/datasources/prometheus.yml')) as { datasources: { uid: string; type: string; url: string }[] }).datasources;
const providers = (parse(read('infra/grafana/provisioning/dashboards/vawg.yml')) as { providers: { type: string; options: { path: string } }[] }).providers;

/** A compose bind mount `./host:/container[:ro]` of this service, by its host path. */
function mountOf(service: ComposeService, host: string): string | undefined {
  const mount = (service.volumes ?? []).map((v) => v.split(':')).find(([from]) => from === host);
  return mount?.[1];
}

const temp = mkdtempSync(join(tmpdir(), 'vawg-monitoring-'));
afterAll(() => rmSync(temp, { recursive: true, force: true }));

describe('the Grafana dashboard', () => {
  it('has panels with a query each, unique ids, inside the 24-column grid and not overlapping', () => {
    expect(dashboard.uid).toBe('vawg-operations');
    expect(panels.length).toBeGreaterThan(10);
    for (const p of panels) {
      expect(p.targets?.length, `panel "${p.title}"`).toBeGreaterThan(0);
      for (const t of p.targets!) expect(t.expr?.trim(), `panel "${p.title}" ${t.refId}`).toBeTruthy();
      expect(p.description?.trim(), `panel "${p.title}" says what it shows`).toBeTruthy();
    }
    const all = dashboard.panels.flatMap((p) => [p, ...(p.panels ?? [])]);
    expect(new Set(all.map((p) => p.id)).size).toBe(all.length);
    for (const a of all) {
      expect(a.gridPos.x + a.gridPos.w, `panel "${a.title}"`).toBeLessThanOrEqual(24);
      for (const b of all) {
        if (a === b) continue;
        const overlap = a.gridPos.x < b.gridPos.x + b.gridPos.w && b.gridPos.x < a.gridPos.x + a.gridPos.w
          && a.gridPos.y < b.gridPos.y + b.gridPos.h && b.gridPos.y < a.gridPos.y + a.gridPos.h;
        expect(overlap, `panels "${a.title}" and "${b.title}" overlap`).toBe(false);
      }
    }
  });

  it('reads the provisioned Prometheus data source in every panel and query', () => {
    const [source] = datasources;
    expect(source).toMatchObject({ type: 'prometheus', uid: expect.any(String) as string });
    for (const { panel, target } of queries) {
      expect(panel.datasource, `panel "${panel.title}"`).toEqual({ type: 'prometheus', uid: source!.uid });
      expect(target.datasource, `panel "${panel.title}" ${target.refId}`).toEqual({ type: 'prometheus', uid: source!.uid });
    }
  });

  it('shows completeness states, late, anomalous and silent months per force, refusals, dead letters, lag in messages and seconds, throughput and publication', () => {
    const used = new Set(queries.flatMap((q) => metricNames(q.expr)));
    for (const name of [
      'vawg_completeness_cells', 'vawg_completeness_late', 'vawg_completeness_anomalous', 'vawg_completeness_silent',
      'vawg_ingest_events_total', 'vawg_dead_letters_waiting', 'vawg_dead_letters_total', 'vawg_consumer_lag_messages',
      'vawg_consumer_lag_seconds', 'vawg_validate_events_total', 'vawg_aggregate_events_total', 'vawg_publish_failed_slots',
      'vawg_publish_runs_total',
    ]) expect(used, name).toContain(name);
    for (const metric of ['vawg_completeness_late', 'vawg_completeness_anomalous', 'vawg_completeness_silent']) {
      expect(queries.some((q) => q.expr.includes(metric) && /by \(force, dataset\)/.test(q.expr)), `${metric} per force`).toBe(true);
    }
  });

  it('asks only for metrics the services and libraries emit', () => {
    const inCode = metricNamesInCode([join(repo, 'services'), join(repo, 'libs')]);
    const missing = queries.flatMap((q) => metricNames(q.expr).filter((n) => !isEmitted(n, inCode)).map((n) => `${n} (panel "${q.panel.title}")`));
    expect(missing).toEqual([]);
  });

  it('has only expressions Prometheus parses (each checked by promtool as a recording rule)', async () => {
    const rules = queries.map((q) => ({ record: `vawg_dashboard:panel_${q.panel.id}_${q.target.refId}`, expr: q.expr }));
    writeFileSync(join(temp, 'dashboard-rules.yml'), stringify({ groups: [{ name: 'dashboard', rules }] }));
    expect(await promtool(temp, 'check', 'rules', 'dashboard-rules.yml')).toContain(`SUCCESS: ${rules.length} rules found`);
  });

  it('promtool would notice an expression that does not parse', async () => {
    writeFileSync(join(temp, 'broken-rules.yml'), stringify({ groups: [{ name: 'broken', rules: [{ record: 'vawg_dashboard:broken', expr: 'sum(rate(vawg_ingest_events_total[5m])' }] }] }));
    await expect(promtool(temp, 'check', 'rules', 'broken-rules.yml')).rejects.toThrow(/broken-rules\.yml/);
  });
});

describe('Prometheus and Grafana in docker-compose.yml', () => {
  const prometheus = compose.services.prometheus!;
  const grafana = compose.services.grafana!;

  it('Prometheus mounts infra/prometheus as its configuration, and the configuration is valid with the alert rules', async () => {
    expect(prometheus.image).toMatch(/^prom\/prometheus:v\d/);
    expect(mountOf(prometheus, './infra/prometheus')).toBe('/etc/prometheus');
    expect(prometheus.command).toContain('--config.file=/etc/prometheus/prometheus.yml');
    expect(prometheus.volumes).toContain('prometheus-data:/prometheus');
    expect(compose.volumes).toHaveProperty('prometheus-data');
    expect(prometheusConfig.rule_files).toEqual(['alerts.yml']);
    // A copy of the folder as the container sees it, with a credential in place of the operator's.
    const etc = join(temp, 'etc-prometheus');
    mkdirSync(join(etc, 'secrets'), { recursive: true });
    for (const file of ['prometheus.yml', 'alerts.yml']) copyFileSync(join(repo, 'infra/prometheus', file), join(etc, file));
    writeFileSync(join(etc, 'secrets/operator-token'), 'not-a-real-credential\n');
    const out = await promtool(etc, 'check', 'config', 'prometheus.yml');
    expect(out).toContain('SUCCESS: prometheus.yml is valid prometheus config file syntax');
    expect(out).toMatch(/SUCCESS: \d+ rules found/);
  });

  it('Prometheus scrapes every service of the stack on its port, ingest with an operator credential, as jobs VawgServiceDown watches', () => {
    const jobs = new Map(prometheusConfig.scrape_configs.map((c) => [c.job_name, c]));
    const services = Object.entries(compose.services).filter(([, s]) => s.build !== undefined).map(([name]) => name);
    expect(services.sort()).toEqual(['aggregate', 'ingest', 'publish', 'validate']);
    for (const name of services) {
      const main = read(`services/${name}/src/main.ts`);
      const port = /\b(?:METRICS_PORT|PORT): envTypes\.port\.default\((\d+)\)/.exec(main)?.[1];
      expect(port, `${name}'s port`).toBeDefined();
      const job = jobs.get(`vawg-${name}`);
      expect(job, `job vawg-${name}`).toBeDefined();
      expect(job!.static_configs.flatMap((s) => s.targets)).toEqual([`${name}:${port}`]);
    }
    const ingest = jobs.get('vawg-ingest')!;
    expect(ingest.authorization).toEqual({ type: 'Bearer', credentials_file: 'secrets/operator-token' });
    // The credential's folder is in the repository, its content never is.
    expect(read('infra/prometheus/secrets/.gitignore')).toMatch(/^\*$/m);
  });

  it('Grafana gets the provisioning, the dashboard where the provider reads it, and a data source at the Prometheus service', () => {
    expect(grafana.image).toMatch(/^grafana\/grafana:\d/);
    expect(mountOf(grafana, './infra/grafana/provisioning')).toBe('/etc/grafana/provisioning');
    const dashboards = mountOf(grafana, './infra/grafana/dashboards');
    expect(providers.map((p) => p.options.path)).toEqual([dashboards]);
    expect(existsSync(join(repo, 'infra/grafana/dashboards/vawg.json'))).toBe(true);
    const url = new URL(datasources[0]!.url);
    expect(Object.keys(compose.services)).toContain(url.hostname);
    expect(prometheus.command).not.toContain('--web.listen-address');
    expect(url.port).toBe('9090');
    expect(prometheus.ports).toContain('9090:9090');
    expect(grafana.depends_on).toHaveProperty('prometheus');
    expect(compose.volumes).toHaveProperty('grafana-data');
  });
});
