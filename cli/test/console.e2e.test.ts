// The operators' console in real headless Chromium, on the four services running together (the
// bus on PostgreSQL, the S3 endpoint): an operator signs in, sees the completeness grid (every
// force, each state in words and colour, with its counts), drills down into a force's refusals and
// dead letters from the keyboard, reads the pipeline's health and the publications with their
// files, sees new events arrive without a reload, and signs out. axe-core finds no serious or
// critical fault. Screenshots are kept under artifacts/console/ (collected by CI).
import { mkdir } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromium, type Browser, type Page } from 'playwright-core';
import { createCredential } from '@vawg/ingest';
import { publishPeriod } from '@vawg/publish';
import { readAccounting, type Accounting } from '@vawg/pipeline';
import { forceIds } from '@vawg/contracts';
import { seeded, syntheticCrimes } from '@vawg/synthetic';
import { chromiumPath, eventually } from '@vawg/testing';
import { randomUUID } from 'node:crypto';
import { addMonths } from '@vawg/pipeline';
import { halfYearOf } from '@vawg/kpi';
import { startStackFixture, type StackFixture } from './stack-fixture.ts';

const thisMonth = new Date().toISOString().slice(0, 7);

const artifacts = fileURLToPath(new URL('../../artifacts/console/', import.meta.url));
const axeSource = createRequire(import.meta.url).resolve('axe-core/axe.min.js');

/** What callbacks run in the page see (this file compiles without the DOM's types). */
interface InPage {
  document: {
    activeElement: { id: string; textContent: string | null; getAttribute(name: string): string | null; blur(): void } | null;
    documentElement: { scrollWidth: number };
  };
  scrollTo(x: number, y: number): void;
  getComputedStyle(element: unknown): { backgroundColor: string };
  stillHere?: boolean;
}

interface AxeResult { violations: { id: string; impact: string | null; help: string; nodes: { target: unknown[] }[] }[] }

describe("the operators' console in a browser", () => {
  let stack: StackFixture;
  let browser: Browser;
  let page: Page;
  let operator: string;
  let kent: string;
  let accounting: Accounting;
  const outside: string[] = [];

  const send = async (lines: unknown[], token = kent) => {
    const response = await fetch(`${stack.url}/v1/events`, {
      method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/x-ndjson' }, body: lines.map((l) => JSON.stringify(l)).join('\n'),
    });
    expect(response.status).toBe(202);
  };
  /** The grid's cell of a force and month: its state and its text as a screen reader has it. */
  const cell = (force: string, month: string) => page.locator(`tr[data-force="${force}"] td[data-month="${month}"]`);
  const shot = (name: string) => page.screenshot({ path: join(artifacts, `${name}.png`) });

  beforeAll(async () => {
    await mkdir(artifacts, { recursive: true });
    stack = await startStackFixture('postgres');
    operator = await createCredential(stack.pool, { role: 'operator', force: null });
    kent = await createCredential(stack.pool, { role: 'force', force: 'kent' });

    // Kent: April 2025 sent and closed; May sent, not closed (so late), with one refused line and
    // one crime aggregate cannot store (a simulated bug): a dead letter. Every other force: silent.
    await stack.pool.query(`ALTER TABLE aggregate.case_events ADD CONSTRAINT simulated_bug CHECK (case_ref <> 'POISON-42')`);
    const april = syntheticCrimes(seeded(21), { force: 'kent', count: 30, from: '2025-04-01', to: '2025-04-30', refPrefix: 'CA' });
    const may = syntheticCrimes(seeded(22), { force: 'kent', count: 20, from: '2025-05-01', to: '2025-05-31', refPrefix: 'CM' });
    may[3]!.payload.crimeRef = 'POISON-42';
    const refused = { ...may[4]!, eventId: '5f0c2b1e-9d3a-4c55-8f00-0000000000aa', payload: { ...may[4]!.payload, crimeRef: 'CM-99', victim: { ...may[4]!.payload.victim, sex: 'unstated' } } };
    const closeApril = {
      eventId: '5f0c2b1e-9d3a-4c55-8f00-0000000000ab', type: 'submission.closed', schemaVersion: 1, force: 'kent',
      occurredAt: '2025-05-02', producedAt: '2025-05-02T09:00:00+00:00', payload: { dataset: 'crime', month: '2025-04' },
    };
    await send([...april, ...may, refused, closeApril]);
    // Surrey: ten crimes a month from October 2024, each month closed, then sixty in June 2025
    // (anomalous), nothing after (silent); and two crimes this month, not closed (open).
    const surrey = await createCredential(stack.pool, { role: 'force', force: 'surrey' });
    const closed = (month: string) => ({
      eventId: randomUUID(), type: 'submission.closed', schemaVersion: 1, force: 'surrey', occurredAt: `${addMonths(month, 1)}-03`,
      producedAt: `${addMonths(month, 1)}-03T09:00:00+00:00`, payload: { dataset: 'crime', month },
    });
    const surreyLines = [
      ...['2024-10', '2024-11', '2024-12', '2025-01', '2025-02', '2025-03', '2025-04', '2025-05'].flatMap((month, i) => [
        ...syntheticCrimes(seeded(40 + i), { force: 'surrey', count: 10, from: `${month}-01`, to: `${month}-28`, refPrefix: `S${i}-` }), closed(month)]),
      ...syntheticCrimes(seeded(50), { force: 'surrey', count: 60, from: '2025-06-01', to: '2025-06-30', refPrefix: 'SJ' }), closed('2025-06'),
      ...syntheticCrimes(seeded(51), { force: 'surrey', count: 2, from: `${thisMonth}-01`, to: `${thisMonth}-01`, refPrefix: 'SN' }),
    ];
    await send(surreyLines, surrey);
    await eventually(async () => expect(await readAccounting(stack.pool, new Date())).toMatchObject({ accepted: 51 + surreyLines.length, deadLettered: 1, pending: { validate: 0, aggregate: 0 } }), { timeoutMs: 120_000 });
    accounting = await readAccounting(stack.pool, new Date());
    await publishPeriod({ pool: stack.pool, store: stack.store, serviceVersion: 'publish@test' }, '2025-H1', { allowIncomplete: true });

    browser = await chromium.launch({ executablePath: chromiumPath(), args: ['--no-sandbox'] });
    page = await browser.newPage({ viewport: { width: 1366, height: 768 } });
    page.on('request', (request) => { if (!request.url().startsWith(stack.url)) outside.push(request.url()); });
  }, 240_000);
  afterAll(async () => {
    await browser?.close();
    await stack?.stop();
  });

  it("opens with a sign-in that a force's credential does not pass", async () => {
    // The period in the address: the select offers the last four half-years, and any asked for.
    await page.goto(`${stack.url}/console/?period=2025-H1`);
    await expect.poll(() => page.locator('#sign-in').isVisible()).toBe(true);
    expect(await page.locator('#console').isVisible()).toBe(false);
    await shot('sign-in');
    await page.locator('#token').fill(kent);
    await page.keyboard.press('Enter');
    await expect.poll(() => page.locator('#sign-in-error').textContent()).toContain("a force's credential does not open the console");
    expect(await page.locator('#console').isVisible()).toBe(false);
  });

  it('shows every force × month in words and colour, with the counts, once an operator signs in', async () => {
    await page.locator('#token').fill(operator);
    await page.keyboard.press('Enter');
    await expect.poll(() => page.locator('#console').isVisible(), { timeout: 15_000 }).toBe(true);
    await page.selectOption('#period', '2025-H1');
    await page.selectOption('#dataset', 'crime');
    await expect.poll(() => cell('kent', '2025-04').getAttribute('data-state'), { timeout: 15_000 }).toBe('closed');

    expect(await page.locator('#grid-body tr').count()).toBe(forceIds.length);
    expect(await page.locator('#grid-body th[scope="row"] a').first().textContent()).toBe('Avon and Somerset Constabulary');
    expect(await page.locator('#grid-head th[scope="col"]').allTextContents()).toEqual(['Force', 'Apr 2025', 'May 2025', 'Jun 2025', 'Jul 2025', 'Aug 2025', 'Sep 2025']);
    expect(await page.locator('#grid-caption').textContent()).toContain('Crime, 2025-H1');
    // Each state in words (and a symbol), not colour alone; the counts beside it.
    expect(await cell('kent', '2025-04').textContent()).toMatch(/^✓ closed.*received 30 .*counted 30 .*refused 0 .*dead-lettered 0/);
    expect(await cell('kent', '2025-05').getAttribute('data-state')).toBe('late');
    expect(await cell('kent', '2025-05').textContent()).toMatch(/^! late.*received 21 .*counted 19 .*refused 1 .*dead-lettered 1/);
    expect(await cell('essex', '2025-05').textContent()).toMatch(/^○ silent.*received 0 /);
    expect(await cell('surrey', '2025-06').getAttribute('data-state')).toBe('anomalous');
    expect(await cell('surrey', '2025-06').textContent()).toMatch(/^⚠ anomalous.*received 60 .*counted 60 /);
    expect(await cell('surrey', '2025-05').getAttribute('data-state')).toBe('closed');
    const colour = (force: string, month: string) => cell(force, month).evaluate((td) => (globalThis as unknown as InPage).getComputedStyle(td).backgroundColor);
    expect(new Set([await colour('kent', '2025-04'), await colour('kent', '2025-05'), await colour('essex', '2025-05'), await colour('surrey', '2025-06')]).size).toBe(4);
    expect(await page.locator('#legend li').allTextContents()).toEqual([
      expect.stringMatching(/closed/), expect.stringMatching(/open/), expect.stringMatching(/silent/), expect.stringMatching(/late/), expect.stringMatching(/anomalous/),
    ]);
    await shot('grid');
    // It fits a laptop's screen: nothing to scroll sideways.
    expect(await page.evaluate(() => (globalThis as unknown as InPage).document.documentElement.scrollWidth)).toBeLessThanOrEqual(1366);
  });

  it('shows a month still arriving as open, in the half-year of today', async () => {
    await page.goto(`${stack.url}/console/?period=${halfYearOf(thisMonth)}&dataset=crime`);
    await expect.poll(() => cell('surrey', thisMonth).getAttribute('data-state'), { timeout: 15_000 }).toBe('open');
    expect(await cell('surrey', thisMonth).textContent()).toMatch(/^◐ open.*received 2 .*counted 2 /);
    await page.goto(`${stack.url}/console/?period=2025-H1&dataset=crime`);
    await expect.poll(() => cell('kent', '2025-04').getAttribute('data-state'), { timeout: 15_000 }).toBe('closed');
  });

  it("drills down into a force's refusals and dead letters from the keyboard", async () => {
    // From the top of the page, as a keyboard user arrives (signed in by the session cookie).
    await page.goto(`${stack.url}/console/?period=2025-H1&dataset=crime`);
    await expect.poll(() => cell('kent', '2025-04').getAttribute('data-state'), { timeout: 15_000 }).toBe('closed');
    await page.keyboard.press('Tab');
    expect(await page.evaluate(() => (globalThis as unknown as InPage).document.activeElement?.textContent)).toBe('Skip to the completeness grid');
    await page.keyboard.press('Enter');
    // The skip link lands on the grid; from there, force by force to Kent.
    let steps = 0;
    while ((await page.evaluate(() => (globalThis as unknown as InPage).document.activeElement?.getAttribute('data-force-link'))) !== 'kent') {
      await page.keyboard.press('Tab');
      steps += 1;
      expect(steps).toBeLessThan(forceIds.length + 2);
    }
    await page.keyboard.press('Enter');
    await expect.poll(() => page.evaluate(() => (globalThis as unknown as InPage).document.activeElement?.id)).toBe('drill-title');
    await expect.poll(() => page.locator('#drill-title').textContent()).toBe('Kent Police: refusals and dead letters');
    await expect.poll(() => page.locator('#drill-body').textContent(), { timeout: 15_000 }).toContain('payload.victim.sex.invalid');
    const drill = await page.locator('#drill-body').textContent();
    expect(drill).toContain('aggregate');
    expect(drill).toContain('simulated_bug');
    expect(await page.locator('#drill table th[scope="col"]').count()).toBeGreaterThan(5);
    await shot('drill-down');
  });

  it('shows the pipeline: lag and throughput per stage', async () => {
    await expect.poll(async () => (await page.locator('#pipeline-body tr').allTextContents()).length, { timeout: 15_000 }).toBe(4);
    const stages = await page.locator('#pipeline-body th[scope="row"]').allTextContents();
    expect(stages).toEqual(['ingest', 'validate', 'aggregate', 'refusals']);
    const validate = await page.locator('#pipeline-body tr[data-stage="validate"] td').allTextContents();
    expect(validate[0]).toBe('0');
    expect(validate[2]).toMatch(/measuring…|over \d+ s/);
  });

  it('lists the publication with its status, cut-off, completeness at the cut-off and links to its files', async () => {
    const publication = page.locator('article.publication', { hasText: '2025-H1, revision 1' });
    await expect.poll(() => publication.count(), { timeout: 15_000 }).toBe(1);
    const text = await publication.textContent();
    expect(text).toContain('✓ published');
    expect(text).toContain(`⚠ incomplete: ${accounting.accepted.toLocaleString('en-GB')} events accepted by the cut-off, ${accounting.counted.toLocaleString('en-GB')} counted`);
    expect(text).toContain('1 dead-lettered');
    // The grid at the cut-off, from the manifest: 44 forces × 5 datasets × 6 months.
    // The grid at the cut-off (its states: anomaly is judged on counts, not kept as at a cut-off):
    // kent's April and surrey's April, May and June closed, kent's May late, the rest of the 44 × 5 × 6 silent.
    expect(text).toContain('at the cut-off: 4 closed, 1,315 silent, 1 late');
    const report = publication.locator('a', { hasText: /^report\.html$/ });
    const href = await report.getAttribute('href');
    expect(href).toBe('/v1/publications/2025-H1/1/files/report.html');
    const manifest = await page.evaluate(async () => (await fetch('/v1/publications/2025-H1/1/files/manifest.json')).json() as Promise<{ period: string }>);
    expect(manifest.period).toBe('2025-H1');
    // The report opens from its link, signed in by the session cookie, and its force pages from it.
    await report.click();
    await expect.poll(() => page.url()).toBe(`${stack.url}${href}`);
    await page.locator('a[href="forces/kent.html"]').first().click();
    await expect.poll(() => page.locator('h1').textContent()).toContain('Kent Police');
    await page.goBack();
    await page.goBack();
    await expect.poll(() => page.locator('#console').isVisible(), { timeout: 15_000 }).toBe(true);
  });

  it('updates without a reload as events arrive', async () => {
    await page.selectOption('#period', '2025-H1');
    await expect.poll(() => cell('kent', '2025-06').getAttribute('data-state'), { timeout: 15_000 }).toBe('silent');
    await page.evaluate(() => { (globalThis as unknown as InPage).stillHere = true; });
    await send(syntheticCrimes(seeded(23), { force: 'kent', count: 5, from: '2025-06-01', to: '2025-06-30', refPrefix: 'CJ' }));
    await expect.poll(() => cell('kent', '2025-06').getAttribute('data-state'), { timeout: 30_000 }).toBe('late');
    await expect.poll(() => cell('kent', '2025-06').textContent(), { timeout: 30_000 }).toMatch(/received 5 .*counted 5 /);
    expect(await page.evaluate(() => (globalThis as unknown as InPage).stillHere)).toBe(true);
  });

  it('has no serious or critical accessibility fault (axe-core), signed out and in, and asks nothing of any other origin', async () => {
    // axe is injected as a script, which the console's own policy refuses: a context that bypasses it, for axe alone.
    const context = await browser.newContext({ viewport: { width: 1366, height: 768 }, bypassCSP: true });
    const audited = await context.newPage();
    const axe = async () => {
      await audited.addScriptTag({ path: axeSource });
      const result = await audited.evaluate<AxeResult>(async () => (globalThis as unknown as { axe: { run(): Promise<AxeResult> } }).axe.run());
      return result.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical')
        .map((v) => `${v.id} (${v.impact}): ${v.help}, e.g. ${JSON.stringify(v.nodes[0]?.target)}`);
    };
    await audited.goto(`${stack.url}/console/`);
    await expect.poll(() => audited.locator('#sign-in').isVisible()).toBe(true);
    expect(await axe()).toEqual([]);
    await context.addCookies(await page.context().cookies());
    await audited.goto(`${stack.url}/console/?period=2025-H1&dataset=crime#force=kent`);
    await expect.poll(() => audited.locator('#drill-body').textContent(), { timeout: 15_000 }).toContain('simulated_bug');
    await expect.poll(() => audited.locator('article.publication').count()).toBeGreaterThan(0);
    expect(await axe()).toEqual([]);
    await context.close();
    expect(outside).toEqual([]);
  });

  it('signs out, after which the page asks for a credential again', async () => {
    await page.locator('#sign-out').click();
    await expect.poll(() => page.locator('#sign-in').isVisible()).toBe(true);
    expect(await page.evaluate(async () => (await fetch('/v1/pipeline')).status)).toBe(401);
  });
});
