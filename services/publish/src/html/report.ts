// report.html and forces/<force>.html (kpis.md, "The published report"): self-contained pages
// (inline CSS and SVG, no script, no network) made only from the published rows, so nothing
// suppressed can reach them. Deterministic: the same rows give the same bytes.
import { forces, qualitativeKpis } from '@vawg/contracts';
import { byKpi, categoryLabels, forceName, monthLabel, periodLabel, pillars, qualitativeTitles, quality, titles } from './labels.ts';
import { isSmallCount, measures, monthsOfHalfYear, NATIONAL, RETURN_RECEIVED, splitCategories, type Measure, type PublishedRow } from '@vawg/kpi';
import type { ReturnDetail } from '../snapshot.ts';
import type { Changes } from '../diff.ts';
import type { PublishedDocument } from '../documents.ts';
import { noEvents, type Completeness, type GridAtCutoff } from '../completeness.ts';
import { gridSection } from './grid-section.ts';
import { completenessNote } from './completeness-note.ts';
import { barChart } from './chart.ts';
import { html, idOf, Markup } from './template.ts';

export interface ReportContext {
  period: string;
  revision: number;
  cutoff: string;
  rows: readonly PublishedRow[];
  returns: readonly ReturnDetail[];
  changes: Changes | null;
  /** What became of the events received by the cut-off: national, and by force for the force pages. */
  completeness: Completeness;
  completenessByForce: ReadonlyMap<string, Completeness>;
  /** Each force × dataset × month as at the cut-off. */
  grid: GridAtCutoff;
  /** The returns' documents as copied under this revision (documents.ts); none linked when absent. */
  documents?: readonly PublishedDocument[];
}

class Rows {
  private readonly index = new Map<string, PublishedRow>();
  constructor(rows: readonly PublishedRow[]) {
    for (const r of rows) this.index.set(`${r.period}|${r.geography}|${r.measure}|${r.split}|${r.category}|${r.kpi}`, r);
  }
  get(period: string, geography: string, measure: Measure | string, split = 'all', category = 'all', kpi?: string): PublishedRow | undefined {
    const id = typeof measure === 'string' ? measure : measure.id;
    const k = kpi ?? (typeof measure === 'string' ? '' : measure.kpi);
    return this.index.get(`${period}|${geography}|${id}|${split}|${category}|${k}`);
  }
}

const formatNumber = (v: number) => v.toLocaleString('en-GB', { maximumFractionDigits: 1 });
const formatOf = (m: Measure) => (m.kind === 'rate' ? (v: number) => `${formatNumber(v)}%` : formatNumber);

/** A row with no value because not every month of it was received (nor closed) from its force, or from any force: never a 0. */
export const notReceived = (row: PublishedRow) => row.value === null && !row.suppressed && row.forcesIncluded === 0;

/**
 * A published value as text: "[c]" when suppressed, "not received" when the force sent nothing,
 * "–" when there is nothing to measure; "(p)" after a provisional one, "(n of 44 forces)" after a
 * national one that leaves forces out.
 */
function cellText(m: Measure, row: PublishedRow | undefined): Markup {
  if (!row) return html`<span class="none">–</span>`;
  if (row.suppressed) return html`<abbr title="suppressed to protect confidentiality">[c]</abbr>`;
  if (notReceived(row)) return html`<abbr class="none" title="not every month of this period was received (or closed) by the cut-off: no figure rather than a partial one">not received</abbr>`;
  const marks = html`${row.geography === NATIONAL && row.forcesIncluded < forces.length ? html` <span class="base">(${row.forcesIncluded} of ${forces.length} forces)</span>` : ''}${row.provisional ? html` <abbr class="base" title="provisional: not every month behind it was closed by the force by the cut-off">(p)</abbr>` : ''}`;
  if (row.value === null) return html`<span class="none" title="no value: nothing to measure">–</span>${marks}`;
  const value = formatOf(m)(row.value);
  if (m.kind === 'rate') return html`${value} <span class="base">(${formatNumber(row.numerator!)} of ${formatNumber(row.denominator!)})</span>${marks}`;
  if (m.kind === 'median') return html`${value} <span class="base">(n = ${formatNumber(row.n!)})</span>${marks}`;
  return html`${value}${marks}`;
}

const STYLE = `
body{font-family:Arial,Helvetica,sans-serif;color:#0b0c0c;background:#fff;margin:0;line-height:1.45}
a{color:#1d4f91}a:focus{outline:3px solid #fd0;background:#fd0;color:#0b0c0c}
.skip{position:absolute;left:-999px}.skip:focus{left:8px;top:8px}
header,main,footer{max-width:1100px;margin:0 auto;padding:0 16px}
header{border-bottom:4px solid #1d4f91;padding-bottom:8px}
h1{font-size:1.9rem;margin:16px 0 4px}h2{font-size:1.5rem;margin-top:40px;border-top:1px solid #b1b4b6;padding-top:12px}h3{font-size:1.15rem;margin-top:28px}
table{border-collapse:collapse;margin:8px 0 16px;font-size:.9rem}caption{text-align:left;font-weight:bold;padding:4px 0}
th,td{border:1px solid #b1b4b6;padding:4px 8px;text-align:left;vertical-align:top}td.n{text-align:right}
thead th{background:#f3f2f1}.base{color:#505a5f;font-size:.85em}.none{color:#505a5f}
figure{margin:16px 0}figcaption{font-weight:bold;margin-bottom:4px}
.meta{color:#505a5f}.warning{border-left:6px solid #d4351c;padding:8px 12px;background:#fdf0ee}details{margin:4px 0 16px}summary{cursor:pointer;color:#1d4f91}
code{overflow-wrap:anywhere}
`;

function page(title: string, body: Markup): string {
  return `<!DOCTYPE html>\n${html`<html lang="en-GB">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${title}</title>
<style>${new Markup(STYLE)}</style>
</head>
<body>
<a class="skip" href="#main">Skip to the content</a>
${body}
</body>
</html>
`.html}`;
}

function header(ctx: ReportContext, title: string, nav: Markup): Markup {
  return html`<header>
<h1>${title}</h1>
<p class="meta">${periodLabel(ctx.period)} (${ctx.period}). Revision ${ctx.revision}, as at ${ctx.cutoff}: the events received by then.</p>
<nav aria-label="Sections"><p>${nav}</p></nav>
</header>`;
}

function notes(ctx: ReportContext, force?: string): Markup {
  const account = force ? ctx.completenessByForce.get(force) : ctx.completeness;
  return html`<h2 id="notes">Notes on method and suppression</h2>
${gridSection(ctx.grid, force)}
${completenessNote(account ?? noEvents, force ? forceName.get(force) ?? force : 'forces')}
<p>Every figure is counted from the record-level events forces send, under the counting rules of the framework's specification. A crime is counted while its latest offence group is within VAWG, it is not cancelled, and its record is not retracted; its outcome is its latest. Half-year counts are the sums of their months; medians are over all the observations of the period and geography (the national median is never a median of force medians), with linear interpolation between the two middle values. A rate is a percentage rounded to one decimal place, given with its numerator and denominator.</p>
<p>Outstanding suspects are counted as standing at the end of the period's last day, as pairs of a crime and a suspect: a crime with two outstanding suspects counts twice, and one suspect outstanding for two crimes counts twice. National figures are England and Wales: the 43 territorial forces and British Transport Police.</p>
<p>The charge or summons rate (5.2) counts the crimes recorded in each month or half-year that had been charged or summonsed by the cut-off, out of all the crimes recorded then. Crimes recorded in the latest months have had little time to reach a charge, so their rate is low and will rise in later revisions: the last ${PROVISIONAL_CHARGE_MONTHS} months of the half-year are marked provisional in its charts. The women-and-girls breakdown's <em>not-female</em> is every victim not recorded as female: male, other, and sex not recorded; it is not a count of male victims.</p>
<p>To protect the people behind the figures, a force's figure is shown as <abbr title="suppressed to protect confidentiality">[c]</abbr> when, in a breakdown, a count is from 1 to 4 or a rate's numerator is from 1 to 4; when a breakdown has a single such figure, the next smallest is withheld as well, so it cannot be worked out from the total. A force's median on fewer than 10 observations, and a force's rate on a base of fewer than 10, are withheld everywhere. A rate or median is also withheld wherever the count it is based on is. A number a force names in its qualitative return is shown as [c] when it is a whole number from 1 to 4, by the same rule. Zero is shown as 0. National figures are complete.</p>
${ctx.changes ? html`<h2 id="changes">Changes since revision ${ctx.changes.since}</h2>
<p>${ctx.changes.rowsChanged} published figures (or their marks of completeness) changed, ${ctx.changes.rowsAdded} were added and ${ctx.changes.rowsRemoved} removed, after events received late or corrected.</p>
<table><caption>Figures changed, by measure</caption><thead><tr><th scope="col">Measure</th><th scope="col">Figures changed</th></tr></thead>
<tbody>${Object.entries(ctx.changes.byMeasure).map(([m, n]) => html`<tr><th scope="row">${titles[m] ?? m}</th><td class="n">${n}</td></tr>`)}</tbody></table>
${nationalChanges(ctx.changes)}` : ''}`;
}

/** Which months' (and the half-year's) national figures changed, for every victim, and by how much. */
function nationalChanges(changes: NonNullable<ReportContext['changes']>): Markup | '' {
  const changed = changes.national.filter((c) => c.split === 'all' && c.category === 'all')
    .sort((a, b) => (a.period < b.period ? -1 : a.period > b.period ? 1 : a.measure < b.measure ? -1 : 1));
  if (changed.length === 0) return '';
  const by = (c: (typeof changed)[number]) => (c.before === null || c.after === null ? '' : `${c.after - c.before > 0 ? '+' : ''}${Math.round((c.after - c.before) * 10) / 10}`);
  return html`<table><caption>National figures that changed (all victims), by month</caption>
<thead><tr><th scope="col">Month or half-year</th><th scope="col">Measure</th><th scope="col">Before</th><th scope="col">Now</th><th scope="col">Change</th></tr></thead>
<tbody>${changed.map((c) => html`<tr><th scope="row">${/-H[12]$/.test(c.period) ? c.period : monthLabel(c.period)}</th><td>${titles[c.measure] ?? c.measure}</td><td class="n">${c.before ?? '–'}</td><td class="n">${c.after ?? '–'}</td><td class="n">${by(c)}</td></tr>`)}</tbody></table>`;
}

/**
 * A number a force names in its return, as published: under the same rule as every other small
 * count (a whole number from 1 to 4 could be a count of people, and nobody has checked that the
 * force withheld it), so shown as [c]; other figures (0, larger counts, percentages) as given.
 * Publishing only text the force has confirmed would need a confirmation step nobody has; the
 * rule needs nothing more than the number, and errs towards protection.
 */
function forceMeasure(value: number): Markup | string {
  return Number.isInteger(value) && isSmallCount(value) ? html`<abbr title="suppressed to protect confidentiality">[c]</abbr>` : formatNumber(value);
}

/** The charge rate's latest months, marked provisional: their crimes have had under a quarter to be charged. */
const PROVISIONAL_CHARGE_MONTHS = 3;

/** What a bar without a value says to a screen reader. */
const spoken = (note: string) => (note === '[c]' ? 'withheld to protect confidentiality' : 'no value');

function monthTrend(rows: Rows, ctx: ReportContext, m: Measure, geography: string, id: string, subject: string): Markup {
  const months = monthsOfHalfYear(ctx.period);
  const bars = months.map((month) => {
    const row = rows.get(month, geography, m);
    // A charge rate's latest months have had little time to reach a charge: marked as provisional.
    const provisional = m.id === 'charge-rate' && months.indexOf(month) >= months.length - PROVISIONAL_CHARGE_MONTHS;
    return { label: `${monthLabel(month)}${provisional ? ' (provisional)' : ''}`, value: row && !row.suppressed ? row.value : null, note: row?.suppressed ? '[c]' : 'none' };
  });
  return barChart({
    id, title: `${titles[m.id]}, ${subject}, by month`, format: formatOf(m), bars,
    description: `${subject}, ${periodLabel(ctx.period)}: ${bars.map((b) => `${b.label} ${b.value === null ? spoken(b.note) : formatOf(m)(b.value)}`).join('; ')}.`,
  });
}

function forcesChart(rows: Rows, ctx: ReportContext, m: Measure, id: string, marked?: string): Markup {
  const national = rows.get(ctx.period, NATIONAL, m)?.value ?? null;
  // A national count is the sum of the forces in it, so the mark for a count is their mean; for a
  // rate or a median, the national figure itself (all those forces' cases together).
  const nationalRow = rows.get(ctx.period, NATIONAL, m);
  const included = nationalRow?.forcesIncluded ?? forces.length;
  const reference = national === null || included === 0 ? undefined : m.kind === 'count' || m.kind === 'stock'
    ? { value: national / included, label: `mean of the ${included} forces in the national figure (national total ÷ ${included})` }
    : { value: national, label: `national figure (the ${included} forces' cases together, not an average of force figures)` };
  const bars = forces.map((f) => {
    const row = rows.get(ctx.period, f.id, m);
    return { label: f.name, value: row && !row.suppressed ? row.value : null, note: row?.suppressed ? '[c]' : 'none', marked: f.id === marked };
  });
  return barChart({
    id, title: `${titles[m.id]}, ${ctx.period}, each force`, format: formatOf(m), bars, reference,
    description: `Forces side by side, ${periodLabel(ctx.period)}. ${reference ? `The dashed line marks the ${reference.label}: ${formatOf(m)(reference.value)}. ` : ''}${bars.map((b) => `${b.label} ${b.value === null ? spoken(b.note) : formatOf(m)(b.value)}`).join('; ')}.`,
  });
}

function forceTable(rows: Rows, ctx: ReportContext, ms: readonly Measure[], caption: string, id: string): Markup {
  return html`<table id="${id}"><caption>${caption}</caption>
<thead><tr><th scope="col">Force</th>${ms.map((m) => html`<th scope="col">${m.kpi} ${titles[m.id]}</th>`)}</tr></thead>
<tbody>
${forces.map((f) => html`<tr><th scope="row"><a href="forces/${f.id}.html">${f.name}</a></th>${ms.map((m) => html`<td class="n">${cellText(m, rows.get(ctx.period, f.id, m))}</td>`)}</tr>
`)}<tr><th scope="row">England and Wales</th>${ms.map((m) => html`<td class="n">${cellText(m, rows.get(ctx.period, NATIONAL, m))}</td>`)}</tr>
</tbody></table>`;
}

function returnsSection(ctx: ReportContext, only?: string): Markup {
  const received = new Map(ctx.returns.map((r) => [`${r.force}|${r.kpi}`, r]));
  const list = only ? forces.filter((f) => f.id === only) : forces;
  return html`<h2 id="returns">Qualitative returns (KPIs 2.1, 3.1, 4.1, 9.1, 10.1, 10.2)</h2>
<table><caption>Return for ${ctx.period}, by force and KPI: received or missing</caption>
<thead><tr><th scope="col">Force</th>${qualitativeKpis.map((k) => html`<th scope="col">${k} ${qualitativeTitles[k]}</th>`)}</tr></thead>
<tbody>${list.map((f) => html`<tr><th scope="row">${f.name}</th>${qualitativeKpis.map((k) => html`<td>${received.has(`${f.id}|${k}`) ? 'Received' : 'Missing'}</td>`)}</tr>
`)}</tbody></table>
${ctx.returns.filter((r) => !only || r.force === only).map((r) => html`<h3>${forceName.get(r.force)}: KPI ${r.kpi}</h3>
<p>${r.summary}</p>
${Object.keys(r.measures).length ? html`<table><caption>Measures reported for KPI ${r.kpi}</caption><thead><tr><th scope="col">Measure</th><th scope="col">Value</th></tr></thead><tbody>${Object.entries(r.measures).sort(([a], [b]) => (a < b ? -1 : 1)).map(([k, v]) => html`<tr><th scope="row">${k}</th><td class="n">${forceMeasure(v)}</td></tr>`)}</tbody></table>` : ''}
${r.documents.length ? html`<p>Documents cited:</p><ul>${r.documents.map((d) => documentItem(ctx, r.force, d, only ? '../' : ''))}</ul>` : ''}`)}`;
}

const documentKinds: Record<string, string> = {
  'application/pdf': 'PDF', 'application/vnd.oasis.opendocument.text': 'ODT',
  'application/vnd.openxmlformats-officedocument.wordprocessingml.document': 'DOCX', 'text/csv': 'CSV',
};
const formatBytes = (n: number) => (n < 1024 ? `${n} bytes` : n < 1024 * 1024 ? `${formatNumber(n / 1024)} KB` : `${formatNumber(n / 1024 / 1024)} MB`);

/** One cited document: a link to its copy under this revision (from `base`), its type, size and digest. */
function documentItem(ctx: ReportContext, force: string, d: ReturnDetail['documents'][number], base: string): Markup {
  const copy = ctx.documents?.find((p) => p.force === force && p.sha256 === d.sha256);
  const kind = copy?.mediaType ? documentKinds[copy.mediaType.split(';')[0]!] : undefined;
  const about = html`${kind ? `${kind}, ` : ''}${formatBytes(d.bytes)}; SHA-256 <code>${d.sha256}</code>`;
  return copy?.file
    ? html`<li><a href="${base}${copy.file}">${d.name}</a> (${about})</li>`
    : html`<li>${d.name} (${about}): not available in this revision</li>`;
}

/** The national report: overview by pillar, a chart per measure, the force table, data quality, returns, notes. */
function renderReport(ctx: ReportContext, rows: Rows): string {
  const nav = html`<a href="#overview">Overview</a> · <a href="#charts">Charts</a> · <a href="#forces">Forces</a> · <a href="#quality">Data quality</a> · <a href="#returns">Returns</a> · <a href="#notes">Notes</a>`;
  const overview = pillars.map((p) => html`<table><caption>${p.title}: England and Wales, ${ctx.period}</caption>
<thead><tr><th scope="col">KPI</th><th scope="col">Measure</th><th scope="col">Value</th></tr></thead>
<tbody>${byKpi(p.kpis).map((m) => html`<tr><td>${m.kpi}</td><th scope="row">${titles[m.id]}</th><td class="n">${cellText(m, rows.get(ctx.period, NATIONAL, m))}</td></tr>`)}</tbody></table>`);
  const qualitative = html`<table><caption>Qualitative returns received for ${ctx.period}, of ${forces.length} forces</caption>
<thead><tr><th scope="col">KPI</th><th scope="col">Question</th><th scope="col">Forces that returned</th></tr></thead>
<tbody>${qualitativeKpis.map((k) => html`<tr><td>${k}</td><th scope="row">${qualitativeTitles[k]}</th><td class="n">${rows.get(ctx.period, NATIONAL, RETURN_RECEIVED, 'all', 'all', k)?.value ?? 0}</td></tr>`)}</tbody></table>`;
  const charts = pillars.flatMap((p) => byKpi(p.kpis)).map((m) => html`<h3 id="${idOf('chart', m.id)}">${m.kpi} ${titles[m.id]}</h3>
<figure><figcaption>National trend by month</figcaption>${monthTrend(rows, ctx, m, NATIONAL, idOf('trend', m.id), 'England and Wales')}</figure>
<figure><figcaption>Forces side by side, ${ctx.period}</figcaption>${forcesChart(rows, ctx, m, idOf('forces', m.id))}</figure>`);
  const headline = measures.filter((m) => ['crimes-recorded', 'charge-rate', 'median-days-to-outcome', 'outstanding-suspects', 'orders-granted', 'dvds-applications', 'allegations-received'].includes(m.id));
  const body = html`${header(ctx, `Violence against women and girls: police outcomes and performance, ${ctx.period}`, nav)}
<main id="main">
<h2 id="overview">National overview</h2>
${overview}
${qualitative}
<h2 id="charts">Charts</h2>
<p>For each measure: the national figure by month, then every force for the half-year, with a dashed line marking, for a count, the mean of the forces in the national figure (the national total divided by their number) and, for a rate or a median, the national figure itself. A force figure withheld to protect confidentiality is shown as [c].</p>
${charts}
<h2 id="forces">Forces</h2>
${forceTable(rows, ctx, headline, `Headline figures by force, ${ctx.period}`, 'force-table')}
<h2 id="quality">Data quality</h2>
${forceTable(rows, ctx, byKpi(quality), `Victim sex and ethnicity recorded (P1, P2), by force, ${ctx.period}`, 'quality-table')}
${returnsSection(ctx)}
${notes(ctx)}
</main>
<footer><p class="meta">Figures for each month and every breakdown are in cells.csv and cells.json; manifest.json gives the source and a digest of every file.</p></footer>`;
  return page(`VAWG police outcomes and performance, ${ctx.period}`, body);
}

/** One force's page: its figures beside the national ones, each breakdown, its returns. */
function renderForcePage(ctx: ReportContext, rows: Rows, force: string): string {
  const name = forceName.get(force) ?? force;
  const nav = html`<a href="../report.html">National report</a> · <a href="#overview">Overview</a> · <a href="#breakdowns">Breakdowns</a> · <a href="#returns">Returns</a> · <a href="#notes">Notes</a>`;
  const all = [...pillars.flatMap((p) => byKpi(p.kpis)), ...byKpi(quality)];
  const overview = html`<table><caption>${name} and England and Wales, ${ctx.period}</caption>
<thead><tr><th scope="col">KPI</th><th scope="col">Measure</th><th scope="col">${name}</th><th scope="col">England and Wales</th></tr></thead>
<tbody>${all.map((m) => html`<tr><td>${m.kpi}</td><th scope="row">${titles[m.id]}</th><td class="n">${cellText(m, rows.get(ctx.period, force, m))}</td><td class="n">${cellText(m, rows.get(ctx.period, NATIONAL, m))}</td></tr>`)}</tbody></table>`;
  const charts = all.map((m) => html`<h3 id="${idOf('chart', m.id)}">${m.kpi} ${titles[m.id]}</h3>
<figure><figcaption>${name} by month</figcaption>${monthTrend(rows, ctx, m, force, idOf('trend', m.id), name)}</figure>
<figure><figcaption>${name} among the forces, ${ctx.period}</figcaption>${forcesChart(rows, ctx, m, idOf('forces', m.id), force)}</figure>`);
  const breakdowns = all.flatMap((m) => m.splits.filter((s) => s !== 'all').map((split) => html`<table><caption>${m.kpi} ${titles[m.id]}, by ${split}, ${ctx.period}</caption>
<thead><tr><th scope="col">${split}</th><th scope="col">${name}</th><th scope="col">England and Wales</th></tr></thead>
<tbody>${(splitCategories[split] ?? []).map((c) => html`<tr><th scope="row">${categoryLabels[c] ?? c}</th><td class="n">${cellText(m, rows.get(ctx.period, force, m, split, c))}</td><td class="n">${cellText(m, rows.get(ctx.period, NATIONAL, m, split, c))}</td></tr>`)}</tbody></table>`));
  const body = html`${header(ctx, `${name}: violence against women and girls, police outcomes and performance, ${ctx.period}`, nav)}
<main id="main">
<h2 id="overview">${name} compared with England and Wales</h2>
${overview}
<h2 id="charts">Charts</h2>
${charts}
<h2 id="breakdowns">Breakdowns</h2>
${breakdowns}
${returnsSection(ctx, force)}
${notes(ctx, force)}
</main>
<footer><p class="meta">Every figure is in cells.csv and cells.json of this revision.</p></footer>`;
  return page(`${name}: VAWG police outcomes and performance, ${ctx.period}`, body);
}

/** Every page of a revision: `report.html` and `forces/<force>.html` for each of the 44. */
export function renderPages(ctx: ReportContext): Map<string, string> {
  const rows = new Rows(ctx.rows);
  return new Map([['report.html', renderReport(ctx, rows)], ...forces.map((f): [string, string] => [`forces/${f.id}.html`, renderForcePage(ctx, rows, f.id)])]);
}
