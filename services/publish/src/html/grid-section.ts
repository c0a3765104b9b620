// The completeness of the data behind a revision, as at its cut-off: for the national report,
// how many forces were in each state for each dataset and month; for a force's page, its own
// state for each. States are words, never colour alone.
import { forces } from '@vawg/contracts';
import type { GridAtCutoff } from '../completeness.ts';
import { html, type Markup } from './template.ts';

const datasetTitles: Record<string, string> = {
  crime: 'Crimes and outcomes (KPIs 5.1–5.4, 7.1, 7.2, 8.1, P1, P2)',
  orders: 'Protective orders (KPIs 6.1, 6.2)',
  dvds: 'Disclosure scheme (KPIs 6.3, 6.4)',
  allegations: 'Complaints and misconduct (KPIs 1.1–1.3)',
  returns: 'Qualitative returns',
};

const publicationStates = ['closed', 'open', 'silent', 'late'] as const;

const explanation = (grid: GridAtCutoff) => html`<p>Each force declares a month of a dataset complete by sending <code>submission.closed</code>. A figure resting on any month that was not closed by the cut-off is marked <abbr title="provisional">(p)</abbr>, here and in the <code>provisional</code> column of cells.csv and cells.json; a force that sent nothing for a period shows "not received", never 0, and a national figure says how many forces it includes (<code>forcesIncluded</code>). The states: <strong>closed</strong>, the force declared the month complete; <strong>open</strong>, events arriving, not closed; <strong>silent</strong>, nothing received; <strong>late</strong>, not closed ${grid.lateAfterDays} days after the month's end. All as at the cut-off.</p>`;

export function gridSection(grid: GridAtCutoff, force?: string): Markup {
  if (force) {
    const own = grid.cells.filter((c) => c.force === force);
    return html`<h3 id="data-completeness">Completeness of the data at the cut-off</h3>
${explanation(grid)}
<table><caption>State of each month's data at the cut-off</caption>
<thead><tr><th scope="col">Dataset</th>${grid.months.map((m) => html`<th scope="col">${m}</th>`)}</tr></thead>
<tbody>${Object.keys(datasetTitles).map((d) => html`<tr><th scope="row">${datasetTitles[d]}</th>${grid.months.map((m) => html`<td>${own.find((c) => c.dataset === d && c.month === m)?.state ?? 'silent'}</td>`)}</tr>`)}</tbody></table>`;
  }
  return html`<h3 id="data-completeness">Completeness of the data at the cut-off</h3>
${explanation(grid)}
${Object.keys(datasetTitles).map((d) => html`<table><caption>${datasetTitles[d]}: forces in each state, of ${forces.length}</caption>
<thead><tr><th scope="col">Month</th>${publicationStates.map((s) => html`<th scope="col">${s}</th>`)}</tr></thead>
<tbody>${grid.months.map((m) => {
    const cells = grid.cells.filter((c) => c.dataset === d && c.month === m);
    return html`<tr><th scope="row">${m}</th>${publicationStates.map((s) => html`<td class="n">${cells.filter((c) => c.state === s).length}</td>`)}</tr>`;
  })}</tbody></table>`)}`;
}
