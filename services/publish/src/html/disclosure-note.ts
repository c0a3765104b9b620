// The notes' account of disclosure control: the rule, and what protecting the figures cost.
import type { DisclosureReport } from '@vawg/kpi/disclosure';
import { titles } from './labels.ts';
import { html, type Markup } from './template.ts';

const percent = (share: number) => `${(share * 100).toFixed(1)}%`;

export function disclosureNote(report: DisclosureReport | undefined): Markup {
  return html`<p>To protect the people behind the figures, a force's figure is shown as <abbr title="suppressed to protect confidentiality">[c]</abbr> when, in a breakdown, a count is from 1 to 4 or a rate's numerator is from 1 to 4. A force's median on fewer than 10 observations, and a force's rate on a base of fewer than 10, are withheld everywhere; a rate or median is also withheld wherever the count it is based on is. More figures are then withheld so that none of these can be worked out exactly from the others: national figures are the sums of the forces', half-years of their months, a breakdown's categories add up to its total, and some measures are parts of others. Every publication is checked for this before it is written: for every withheld figure, other values are found that agree with everything published and differ in it. A withheld count is at least 1, except beside a force that holds a whole national figure alone, where zeros are withheld too, so that the force cannot be told. A number a force names in its qualitative return is shown as [c] when it is a whole number from 1 to 4, by the same rule as a count. Zero is shown as 0. National figures are complete.</p>
${report ? costTable(report) : ''}`;
}

function costTable(report: DisclosureReport): Markup {
  const rows = report.cost.filter((c) => c.withheld > 0);
  return html`<p>In this revision ${report.withheld.toLocaleString('en-GB')} force figures are withheld: ${report.primary.toLocaleString('en-GB')} by the rules above and ${report.secondary.toLocaleString('en-GB')} more so that those cannot be worked out${report.released > 0 ? html`; ${report.released.toLocaleString('en-GB')} that the rules would withhold are shown, because the complete national figures give them away${report.releasedUnchecked > 0 ? html` (for ${report.releasedUnchecked.toLocaleString('en-GB')} of them the search for another way was cut short, not proved impossible)` : ''}` : ''}. The check before publication found every withheld figure protected.</p>
<table><caption>The cost of protection, by measure: figures withheld, and the share of the half-year's force figures (in every breakdown) they hide</caption>
<thead><tr><th scope="col">Measure</th><th scope="col">Withheld</th><th scope="col">of which to protect others</th><th scope="col">Share hidden</th></tr></thead>
<tbody>${rows.map((c) => html`<tr><th scope="row">${titles[c.measure] ?? c.measure} (${c.kpi})</th><td class="n">${c.withheld.toLocaleString('en-GB')}</td><td class="n">${c.secondary.toLocaleString('en-GB')}</td><td class="n">${percent(c.hiddenShare)}</td></tr>`)}</tbody></table>`;
}
