// The note on processing in every page's notes: what became of the events received by the
// cut-off (all periods), and a warning when any are not reflected in the figures.
import type { Completeness } from '../completeness.ts';
import { html, type Markup } from './template.ts';

const count = (n: number, one: string, many = `${one}s`) => `${n.toLocaleString('en-GB')} ${n === 1 ? one : many}`;

export function completenessNote(c: Completeness, whose: string): Markup {
  const lines = [
    `${count(c.counted, 'was', 'were')} stored and applied to the figures (each counts in a measure only as its rules say)`,
    `${count(c.duplicates, 'was a repeat', 'were repeats')} of an event already received`,
    `${count(c.refusedLater, 'was', 'were')} refused on checks against other events (a conflicting re-use of an event id, a retraction of a retraction, or a breach or retraction whose order grant or target did not come within 30 days)`,
    `${count(c.held, 'is', 'are')} waiting for the event ${c.held === 1 ? 'it depends' : 'they depend'} on (a breach for its order's grant, a retraction for its target)`,
    `${count(c.withdrawn, 'was', 'were')} retracted while waiting`,
    ...(c.discarded > 0 ? [`${count(c.discarded, 'was', 'were')} discarded by an operator as impossible to process, each with its reason on record`] : []),
  ];
  const warning = c.notYetProcessed + c.deadLettered > 0
    ? html`<p class="warning"><strong>This publication is incomplete.</strong> When it was made, ${count(c.notYetProcessed, 'accepted event was', 'accepted events were')} not yet processed and ${count(c.deadLettered, 'event', 'events')} could not be processed (kept whole for correction and reprocessing). The figures do not reflect them, whichever way they would move them; a later revision will, once they are processed.</p>`
    : '';
  return html`<h3 id="completeness">Processing of the events received by the cut-off</h3>
<p>By the cut-off, ${whose} had sent ${count(c.accepted, 'event')} that ${c.accepted === 1 ? 'was' : 'were'} accepted, for any period${c.withoutReceipt > 0 ? html` (and ${count(c.withoutReceipt, 'event')} reached the system although the sender was told to send ${c.withoutReceipt === 1 ? 'it' : 'them'} again)` : ''}. Of these, when this revision was made:</p>
<ul>${lines.map((l) => html`<li>${l};</li>`)}</ul>
${warning}`;
}
