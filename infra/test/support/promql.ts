// What the alert rules and the dashboard ask Prometheus for, against what the code emits: the
// metric names in a PromQL expression (read by Prometheus's own PromQL grammar,
// @prometheus-io/lezer-promql), and the metric names registered in the services and libraries.
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { parser } from '@prometheus-io/lezer-promql';

/** Series Prometheus makes itself, never emitted by our code. */
export const PROMETHEUS_OWN = new Set(['up']);

/**
 * The metric names an expression selects, in order of first appearance. Throws on an expression
 * the grammar cannot read, or on a selector without a metric name (`{job="x"}`), which could
 * match anything. promtool remains the judge of the syntax; this only reads the names.
 */
export function metricNames(expr: string): string[] {
  const tree = parser.parse(expr);
  const names: string[] = [];
  const problems: string[] = [];
  tree.iterate({
    enter(node) {
      if (node.type.isError) problems.push(`cannot read "${expr.slice(node.from, node.to + 10)}" at ${node.from}`);
      if (node.name === 'VectorSelector') {
        const identifier = node.node.getChild('Identifier');
        if (!identifier) problems.push(`selector without a metric name: ${expr.slice(node.from, node.to)}`);
        else names.push(expr.slice(identifier.from, identifier.to));
      }
    },
  });
  if (problems.length > 0) throw new Error(`${problems.join('; ')} in: ${expr}`);
  return [...new Set(names)];
}

function sourceFiles(dir: string): string[] {
  const files: string[] = [];
  for (const entry of readdirSync(dir)) {
    if (entry === 'node_modules' || entry === 'dist' || entry === 'test') continue;
    const path = join(dir, entry);
    if (statSync(path).isDirectory()) files.push(...sourceFiles(path));
    else if (/\.(ts|js|mjs)$/.test(entry) && !/\.test\.ts$/.test(entry)) files.push(path);
  }
  return files;
}

/** `counter(registry, 'vawg_…'`, `gauge(…)`, `histogram(…)` (@vawg/metrics), or prom-client's `new Gauge({ name: 'vawg_…'`. */
const REGISTRATION = /\b(?:counter|gauge|histogram|summary)\(\s*[\w.]+\s*,\s*['"`](vawg_[a-z0-9_]+)['"`]|\bname:\s*['"`](vawg_[a-z0-9_]+)['"`]/gi;

/**
 * Every metric name registered (`vawg_…`) in the non-test sources of `<root>/<workspace>/src` for each root
 * (services, libs).
 */
export function metricNamesInCode(roots: string[]): Set<string> {
  const names = new Set<string>();
  for (const root of roots) {
    for (const workspace of readdirSync(root)) {
      const src = join(root, workspace, 'src');
      let files: string[];
      try {
        files = sourceFiles(src);
      } catch {
        continue;
      }
      for (const file of files) {
        for (const match of readFileSync(file, 'utf8').matchAll(REGISTRATION)) names.add(match[1] ?? match[2]!);
      }
    }
  }
  return names;
}

/** Whether a selected name is emitted: by the code (a histogram's too: _bucket, _sum, _count) or by Prometheus. */
export function isEmitted(name: string, inCode: Set<string>): boolean {
  if (PROMETHEUS_OWN.has(name) || inCode.has(name)) return true;
  const histogram = /^(.*)_(bucket|sum|count)$/.exec(name);
  return histogram !== null && inCode.has(histogram[1]!);
}
