// The operators' console in the browser: signs in, then asks the operator routes every few
// seconds and updates the page in place (no reload, the focus kept where it is). Everything shown
// is set as text, never as markup. Type-checked from its JSDoc (tsconfig.json beside it).

/** @typedef {'closed' | 'open' | 'silent' | 'late' | 'anomalous'} State */
/**
 * @typedef {{ force: string, dataset: string, month: string, state: State, closed: boolean, late: boolean, anomalous: boolean,
 *   due: boolean, received: number, duplicates: number, refused: number, counted: number, deadLettered: number,
 *   expected: { median: number, low: number, high: number, months: number } | null,
 *   firstArrival: string | null, lastArrival: string | null, closedAt: string | null }} Cell
 */
/** @typedef {{ period: string, asAt: string, months: string[], datasets: string[], rule: { lateAfterDays: number, anomaly: string }, cells: Cell[] }} Completeness */
/** @typedef {{ stage: string, lag: { messages: number, seconds: number | null } | null, throughput: { eventsPerSecond: number | null, windowSeconds: number } }} StageHealth */
/** @typedef {{ asAt: string, stages: StageHealth[] }} Pipeline */
/**
 * @typedef {{ accepted: number, counted: number, notYetProcessed: number, deadLettered: number, discarded: number,
 *   duplicates: number, refusedLater: number, held: number, complete: boolean }} PublicationCompleteness
 */
/**
 * @typedef {{ period: string, revision: number, status: string, cutoff: string, publishedAt: string | null,
 *   completeness: PublicationCompleteness | null, cellStates: Record<string, number> | null,
 *   files: { name: string, bytes: number | null, href: string }[] }} Publication
 */
/** @typedef {{ period: string, status: string, trigger: string, cutoff: string, startedAt: string, finishedAt: string | null, error: string | null }} Run */
/** @typedef {{ publications: Publication[], runs: Run[] }} Publications */
/** @typedef {{ forces: { id: string, name: string }[], datasets: string[], periods: string[] }} Reference */
/** @typedef {{ code: string, message: string, eventId: string | null, refusedAt: string, stage: string }} Refusal */
/** @typedef {{ id: string, stage: string, error: string, attempts: number, status: string, deadLetteredAt: string }} DeadLetter */

const POLL_MS = 5000;

/** @type {Record<State, { symbol: string, word: string, meaning: string }>} */
const STATES = {
  closed: { symbol: '✓', word: 'closed', meaning: 'the force closed the month' },
  open: { symbol: '◐', word: 'open', meaning: 'events arriving, not closed' },
  silent: { symbol: '○', word: 'silent', meaning: 'nothing received' },
  late: { symbol: '!', word: 'late', meaning: 'not closed in time' },
  anomalous: { symbol: '⚠', word: 'anomalous', meaning: "far from the force's usual volume" },
};

/** @type {Record<string, string>} */
const DATASET_NAMES = {
  crime: 'Crime', orders: 'Protective orders', dvds: 'DVDS applications', allegations: 'Allegations against staff', returns: 'Returns',
};

class Unauthorized extends Error {}

/**
 * @param {string} id
 * @returns {HTMLElement}
 */
function byId(id) {
  const element = document.getElementById(id);
  if (!element) throw new Error(`no #${id}`);
  return element;
}

/**
 * An element with attributes and children (text is set as text).
 * @template {keyof HTMLElementTagNameMap} K
 * @param {K} tag
 * @param {Record<string, string>} [attributes]
 * @param {...(Node | string)} children
 * @returns {HTMLElementTagNameMap[K]}
 */
function h(tag, attributes = {}, ...children) {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) element.setAttribute(name, value);
  element.append(...children);
  return element;
}

const number = new Intl.NumberFormat('en-GB');
const decimal = new Intl.NumberFormat('en-GB', { maximumFractionDigits: 1 });
/** @param {string} iso */
const when = (iso) => new Date(iso).toLocaleString('en-GB', { timeZone: 'Europe/London', day: 'numeric', month: 'short', year: 'numeric', hour: '2-digit', minute: '2-digit' });
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
/** @param {string} month `2025-04` */
const monthName = (month) => `${MONTHS[Number(month.slice(5, 7)) - 1] ?? month} ${month.slice(0, 4)}`;

/**
 * The body of an error answer: a problem document, or nothing usable.
 * @param {Response} response
 * @returns {Promise<string | undefined>}
 */
async function problemDetail(response) {
  /** @type {unknown} */
  const body = await response.json().catch(() => null);
  return typeof body === 'object' && body !== null && 'detail' in body && typeof body.detail === 'string' ? body.detail : undefined;
}

/**
 * @param {string} url
 * @returns {Promise<unknown>}
 */
async function getJson(url) {
  const response = await fetch(url, { credentials: 'same-origin', headers: { accept: 'application/json' } });
  if (response.status === 401) throw new Unauthorized('signed out');
  if (!response.ok) throw new Error((await problemDetail(response)) ?? `${url}: HTTP ${response.status}`);
  return response.json();
}

const view = {
  /** @type {Reference | null} */ reference: null,
  /** @type {Map<string, string>} */ names: new Map(),
  /** Which grid is built: `period|dataset`. */ built: '',
  /** @type {string | null} */ force: null,
  /** @type {string} */ publicationsShown: '',
  /** @type {ReturnType<typeof setTimeout> | undefined} */ timer: undefined,
  polling: false,
  /** The status region announces changes only, not every poll. */
  status: '',
};

/** @param {string} text */
function announce(text) {
  if (view.status === text) return;
  view.status = text;
  byId('status').textContent = text;
}

function showSignIn() {
  clearTimeout(view.timer);
  view.polling = false;
  byId('console').hidden = true;
  byId('sign-out').hidden = true;
  byId('sign-in').hidden = false;
  byId('updated').textContent = '';
  announce('Signed out. Sign in with an operator credential.');
}

function showConsole() {
  byId('sign-in').hidden = true;
  byId('console').hidden = false;
  byId('sign-out').hidden = false;
}

// ---- The grid

/** @returns {{ period: string, dataset: string }} */
function chosen() {
  return {
    period: /** @type {HTMLSelectElement} */ (byId('period')).value,
    dataset: /** @type {HTMLSelectElement} */ (byId('dataset')).value,
  };
}

/** @param {Reference} reference */
function fillControls(reference) {
  const period = /** @type {HTMLSelectElement} */ (byId('period'));
  const dataset = /** @type {HTMLSelectElement} */ (byId('dataset'));
  if (period.options.length === 0) {
    const asked = new URLSearchParams(location.search);
    const periods = [...reference.periods];
    const wanted = asked.get('period');
    if (wanted && /^\d{4}-H[12]$/.test(wanted) && !periods.includes(wanted)) periods.push(wanted);
    for (const p of periods) period.append(h('option', { value: p }, p));
    if (wanted && periods.includes(wanted)) period.value = wanted;
    for (const d of reference.datasets) dataset.append(h('option', { value: d }, DATASET_NAMES[d] ?? d));
    const wantedDataset = asked.get('dataset');
    if (wantedDataset && reference.datasets.includes(wantedDataset)) dataset.value = wantedDataset;
  }
  const legend = byId('legend');
  if (legend.childElementCount === 0) {
    for (const [state, s] of Object.entries(STATES)) {
      legend.append(h('li', { class: `state-${state}`, 'data-state': state },
        h('span', { 'aria-hidden': 'true' }, `${s.symbol} `), h('strong', {}, s.word), `: ${s.meaning} `, h('span', { class: 'tally' })));
    }
  }
}

/** @param {Completeness} grid */
function buildGrid(grid) {
  const head = byId('grid-head');
  head.replaceChildren(h('th', { scope: 'col' }, 'Force'));
  for (const month of grid.months) head.append(h('th', { scope: 'col' }, monthName(month)));
  const body = byId('grid-body');
  body.replaceChildren();
  for (const force of view.reference?.forces ?? []) {
    const row = h('tr', { 'data-force': force.id },
      h('th', { scope: 'row' }, h('a', { href: `#force=${force.id}`, 'data-force-link': force.id }, force.name)));
    for (const month of grid.months) row.append(h('td', { 'data-month': month, class: 'cell' }));
    body.append(row);
  }
}

/**
 * @param {number} n
 * @param {string} letter
 * @param {string} word
 */
const count = (n, letter, word) => h('span', {}, h('span', { 'aria-hidden': 'true' }, letter), h('span', { class: 'sr' }, `${word} `), `${number.format(n)} `);

/**
 * @param {HTMLTableCellElement} td
 * @param {Cell} cell
 */
function fillCell(td, cell) {
  const s = STATES[cell.state];
  td.className = `cell state-${cell.state}`;
  td.dataset.state = cell.state;
  const notes = [];
  // A silent month past its deadline is late too, by definition: said once, by its state.
  if (cell.late && cell.state !== 'late' && cell.state !== 'silent') notes.push('also late');
  if (cell.anomalous && cell.state !== 'anomalous') notes.push('also anomalous');
  if (cell.anomalous && cell.expected) notes.push(`expected ${number.format(cell.expected.low)}–${number.format(cell.expected.high)}`);
  if (!cell.due) notes.push('month not ended');
  td.replaceChildren(
    h('span', { class: 'state' }, h('span', { 'aria-hidden': 'true' }, `${s.symbol} `), s.word),
    h('span', { class: 'counts' }, count(cell.received, 'R ', 'received'), count(cell.counted, 'C ', 'counted'),
      count(cell.refused, 'F ', 'refused'), count(cell.deadLettered, 'D ', 'dead-lettered')),
    ...(notes.length ? [h('span', { class: 'note' }, notes.join('; '))] : []),
  );
}

/** @param {Completeness} grid */
function showGrid(grid) {
  const key = `${grid.period}|${chosen().dataset}`;
  if (view.built !== key) {
    buildGrid(grid);
    view.built = key;
  }
  const { dataset } = chosen();
  const months = grid.months;
  byId('grid-caption').textContent = `${DATASET_NAMES[dataset] ?? dataset}, ${grid.period} (${monthName(months[0] ?? '')} to ${monthName(months.at(-1) ?? '')}): `
    + `the state of each force's month, as at ${when(grid.asAt)}`;
  byId('rule').textContent = `Late: not closed ${grid.rule.lateAfterDays} days after the month's end. Anomalous: ${grid.rule.anomaly}`;
  /** @type {Record<string, number>} */
  const tally = { closed: 0, open: 0, silent: 0, late: 0, anomalous: 0 };
  for (const cell of grid.cells) {
    if (cell.dataset !== dataset) continue;
    const td = /** @type {HTMLTableCellElement | null} */ (document.querySelector(`tr[data-force="${CSS.escape(cell.force)}"] td[data-month="${CSS.escape(cell.month)}"]`));
    if (!td) continue;
    fillCell(td, cell);
    tally[cell.state] = (tally[cell.state] ?? 0) + 1;
  }
  for (const li of byId('legend').querySelectorAll('li')) {
    const n = tally[li.dataset.state ?? ''] ?? 0;
    const span = li.querySelector('.tally');
    if (span) span.textContent = `(${number.format(n)})`;
  }
}

// ---- Drill-down: a force's refusals and dead letters

/** @param {string} text */
const empty = (text) => h('p', { class: 'empty' }, text);

/**
 * @param {string} caption
 * @param {string[]} columns
 * @param {string[][]} rows
 * @param {number[]} short the columns of short words, never broken
 */
function table(caption, columns, rows, short) {
  return h('table', {},
    h('caption', {}, caption),
    h('thead', {}, h('tr', {}, ...columns.map((c) => h('th', { scope: 'col' }, c)))),
    h('tbody', {}, ...rows.map((r) => h('tr', {}, ...r.map((c, i) => h('td', short.includes(i) ? { class: 'short' } : {}, c))))));
}

/**
 * @param {string} force
 * @param {{ refusals: Refusal[] }} refusals
 * @param {{ deadLetters: DeadLetter[] }} letters
 */
function showDrill(force, refusals, letters) {
  const name = view.names.get(force) ?? force;
  const title = byId('drill-title');
  title.textContent = `${name}: refusals and dead letters`;
  const body = byId('drill-body');
  body.replaceChildren(
    refusals.refusals.length === 0 ? h('p', { class: 'empty' }, 'No refusals.')
      : table(`Latest refusals (${number.format(refusals.refusals.length)}, newest first)`, ['Refused', 'Code', 'Message', 'Event'],
        refusals.refusals.map((r) => [when(r.refusedAt), r.code, r.message, r.eventId ?? '—']), [0]),
    letters.deadLetters.length === 0 ? empty('No dead letters waiting.')
      : table(`Dead letters waiting (${number.format(letters.deadLetters.length)})`, ['Since', 'Stage', 'Error', 'Attempts', 'Status'],
        letters.deadLetters.map((l) => [when(l.deadLetteredAt), l.stage, l.error, String(l.attempts), l.status]), [0, 1, 3, 4]),
  );
}

/** The force named by the address (`#force=kent`), if it is one. */
function forceOfHash() {
  const match = /^#force=([a-z-]+)$/.exec(location.hash);
  return match && view.names.has(match[1] ?? '') ? (match[1] ?? null) : null;
}

async function loadDrill() {
  const force = view.force;
  if (!force) return;
  const [refusals, letters] = await Promise.all([
    /** @type {Promise<{ refusals: Refusal[] }>} */ (getJson(`/v1/refusals?force=${encodeURIComponent(force)}&limit=50`)),
    /** @type {Promise<{ deadLetters: DeadLetter[] }>} */ (getJson(`/v1/dead-letters?force=${encodeURIComponent(force)}`)),
  ]);
  if (view.force === force) showDrill(force, refusals, letters);
}

async function openDrill() {
  const force = forceOfHash();
  for (const row of document.querySelectorAll('tr.chosen')) row.classList.remove('chosen');
  view.force = force;
  const drill = byId('drill');
  if (!force) {
    drill.hidden = true;
    return;
  }
  document.querySelector(`tr[data-force="${CSS.escape(force)}"]`)?.classList.add('chosen');
  drill.hidden = false;
  byId('drill-title').textContent = `${view.names.get(force) ?? force}: loading…`;
  byId('drill-body').replaceChildren();
  byId('drill-title').focus();
  try {
    await loadDrill();
  } catch (error) {
    if (error instanceof Unauthorized) return showSignIn();
    byId('drill-body').replaceChildren(empty(`Could not load: ${error instanceof Error ? error.message : String(error)}`));
  }
}

function closeDrill() {
  const force = view.force;
  history.replaceState(null, '', `${location.pathname}${location.search}`);
  void openDrill();
  if (force) /** @type {HTMLElement | null} */ (document.querySelector(`[data-force-link="${CSS.escape(force)}"]`))?.focus();
}

// ---- Pipeline health

/** @param {Pipeline} pipeline */
function showPipeline(pipeline) {
  byId('pipeline-caption').textContent = `Lag and throughput per stage, sampled at ${when(pipeline.asAt)}`;
  byId('pipeline-body').replaceChildren(...pipeline.stages.map((s) => {
    const rate = s.throughput.eventsPerSecond === null ? 'measuring…' : `${decimal.format(s.throughput.eventsPerSecond)} over ${s.throughput.windowSeconds} s`;
    return h('tr', { 'data-stage': s.stage },
      h('th', { scope: 'row' }, s.stage),
      h('td', { class: 'num' }, s.lag ? number.format(s.lag.messages) : 'n/a'),
      h('td', { class: 'num' }, s.lag?.seconds === null || s.lag?.seconds === undefined ? 'n/a' : number.format(s.lag.seconds)),
      h('td', { class: 'num' }, rate));
  }));
}

// ---- Publications

/** @param {PublicationCompleteness | null} c */
function completenessText(c) {
  if (!c) return 'not recorded';
  const counted = `${number.format(c.accepted)} events accepted by the cut-off, ${number.format(c.counted)} counted`;
  if (c.complete) return `✓ complete: ${counted}`;
  return `⚠ incomplete: ${counted}; ${number.format(c.notYetProcessed)} not yet processed, ${number.format(c.deadLettered)} dead-lettered`;
}

/**
 * The force × dataset × month cells in each state at the cut-off.
 * @param {Record<string, number>} states
 */
function cellStatesText(states) {
  const parts = Object.keys(STATES).filter((s) => (states[s] ?? 0) > 0).map((s) => `${number.format(states[s] ?? 0)} ${s}`);
  return `at the cut-off: ${parts.join(', ') || 'none'}`;
}

/** @param {Publication['files']} files */
function fileLinks(files) {
  const top = files.filter((f) => !f.name.includes('/'));
  const nested = files.filter((f) => f.name.includes('/'));
  const list = h('ul', { class: 'files' }, ...top.map((f) => h('li', {}, h('a', { href: f.href }, f.name))));
  if (nested.length) {
    list.append(h('li', {}, h('details', {}, h('summary', {}, `${number.format(nested.length)} more files (force pages, documents)`),
      h('ul', {}, ...nested.map((f) => h('li', {}, h('a', { href: f.href }, f.name)))))));
  }
  return list;
}

/** @param {Publications} data */
function showPublications(data) {
  const shown = JSON.stringify(data);
  // Rebuilt only when something changed: a link with the focus stays.
  if (shown === view.publicationsShown) return;
  view.publicationsShown = shown;
  const items = [
    ...data.runs.map((r) => h('article', { class: `publication ${r.status}` },
      h('h3', {}, `${r.period}: run ${r.status}`),
      h('dl', {},
        h('dt', {}, 'Status'), h('dd', {}, r.status === 'failed' ? `✗ failed: ${r.error ?? 'no reason recorded'}` : `◐ running since ${when(r.startedAt)}`),
        h('dt', {}, 'Cut-off'), h('dd', {}, when(r.cutoff))))),
    ...data.publications.map((p) => h('article', { class: `publication ${p.status}` },
      h('h3', {}, `${p.period}, revision ${p.revision}`),
      h('dl', {},
        h('dt', {}, 'Status'), h('dd', {}, p.status === 'published' ? `✓ published ${p.publishedAt ? when(p.publishedAt) : ''}` : '◐ writing its files'),
        h('dt', {}, 'Cut-off'), h('dd', {}, when(p.cutoff)),
        h('dt', {}, 'Completeness'), h('dd', {}, completenessText(p.completeness)),
        ...(p.cellStates ? [h('dt', {}, 'Months'), h('dd', {}, cellStatesText(p.cellStates))] : []),
        h('dt', {}, 'Files'), h('dd', {}, p.files.length ? fileLinks(p.files) : 'none yet')))),
  ];
  byId('publications').replaceChildren(...(items.length ? items : [empty('No publications yet.')]));
}

// ---- Polling

async function refresh() {
  view.reference ??= await /** @type {Promise<Reference>} */ (getJson('/console/reference.json'));
  view.names = new Map(view.reference.forces.map((f) => [f.id, f.name]));
  fillControls(view.reference);
  const { period, dataset } = chosen();
  const [grid, pipeline, publications] = await Promise.all([
    /** @type {Promise<Completeness>} */ (getJson(`/v1/completeness?period=${encodeURIComponent(period)}&dataset=${encodeURIComponent(dataset)}`)),
    /** @type {Promise<Pipeline>} */ (getJson('/v1/pipeline')),
    /** @type {Promise<Publications>} */ (getJson('/v1/publications')),
    loadDrill(),
  ]);
  showConsole();
  showGrid(grid);
  showPipeline(pipeline);
  showPublications(publications);
  if (view.force && !document.querySelector('tr.chosen')) document.querySelector(`tr[data-force="${CSS.escape(view.force)}"]`)?.classList.add('chosen');
}

async function poll() {
  clearTimeout(view.timer);
  view.polling = true;
  try {
    await refresh();
    announce(`Signed in. Updates every ${POLL_MS / 1000} seconds.`);
    byId('updated').textContent = `Updated ${new Date().toLocaleTimeString('en-GB', { timeZone: 'Europe/London' })}`;
  } catch (error) {
    if (error instanceof Unauthorized) return showSignIn();
    announce(`Could not update (${error instanceof Error ? error.message : String(error)}); trying again.`);
  }
  if (view.polling) view.timer = setTimeout(() => void poll(), POLL_MS);
}

/** @param {SubmitEvent} event */
async function signIn(event) {
  event.preventDefault();
  const input = /** @type {HTMLInputElement} */ (byId('token'));
  const error = byId('sign-in-error');
  const token = input.value.trim();
  if (!token) {
    error.textContent = 'Paste an operator credential first.';
    input.focus();
    return;
  }
  error.textContent = '';
  announce('Signing in…');
  const response = await fetch('/console/session', {
    method: 'POST', credentials: 'same-origin', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ token }),
  });
  if (response.status !== 204) {
    const detail = await problemDetail(response);
    error.textContent = response.status === 401 ? 'That is not a valid credential.' : (detail ?? `Sign-in failed (HTTP ${response.status}).`);
    announce('Not signed in.');
    input.focus();
    return;
  }
  input.value = '';
  await poll();
  if (!byId('console').hidden) byId('grid-title').focus();
}

async function signOut() {
  await fetch('/console/session', { method: 'DELETE', credentials: 'same-origin' });
  showSignIn();
  byId('token').focus();
}

function start() {
  byId('sign-in-form').addEventListener('submit', (event) => void signIn(event));
  byId('sign-out').addEventListener('click', () => void signOut());
  byId('drill-close').addEventListener('click', closeDrill);
  for (const id of ['period', 'dataset']) {
    byId(id).addEventListener('change', () => {
      const { period, dataset } = chosen();
      history.replaceState(null, '', `?period=${encodeURIComponent(period)}&dataset=${encodeURIComponent(dataset)}${location.hash}`);
      void poll();
    });
  }
  window.addEventListener('hashchange', () => void openDrill());
  void poll().then(() => { if (forceOfHash()) void openDrill(); });
}

start();
