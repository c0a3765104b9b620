// Completeness driven through the API on the real stack (PostgreSQL bus, real S3 endpoint): one
// force's year of crimes, closed month by month, then a month far above its own history (anomalous),
// orders never closed (late), no DVDS at all (silent), allegations this month (open); read back
// from GET /v1/completeness as an operator and as forces, and from the metrics.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCredential } from '@vawg/ingest';
import { addMonths, isLate, type CompletenessCell, type CompletenessGrid } from '@vawg/pipeline';
import { eventually } from '@vawg/testing';
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { startStackFixture, type StackFixture } from './stack-fixture.ts';
import { embeddedEnv } from './cli-process.ts';

const bin = fileURLToPath(new URL('../bin/vawg.js', import.meta.url));

const today = new Date().toISOString().slice(0, 10);
const current = today.slice(0, 7);
/** Two months back: ended at least a month ago, so over 15 days late when not closed. */
const target = addMonths(current, -2);

const event = (type: string, occurredAt: string, payload: object) =>
  ({ eventId: randomUUID(), type, schemaVersion: 1, force: 'kent', occurredAt, producedAt: `${occurredAt}T10:00:00Z`, payload });
let serial = 0;
const crime = (month: string) => event('crime.recorded', `${month}-03`, {
  crimeRef: `c-${String(serial += 1).padStart(6, '0')}`, offenceGroup: 'rape', domesticAbuse: false, victim: { sex: 'female', ageBand: '25-34', ethnicity: 'white' },
});
const closed = (dataset: string, month: string) => event('submission.closed', addMonths(month, 1) + '-02' > today ? today : `${addMonths(month, 1)}-02`, { dataset, month });

describe('completeness through the API', () => {
  let stack: StackFixture;
  let kent: string;
  let dorset: string;
  let operator: string;
  let submissionId = '';

  async function send(token: string, events: object[]): Promise<{ submissionId: string; accepted: number; refused: number }> {
    const response = await fetch(`${stack.url}/v1/events`, {
      method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/x-ndjson' }, body: events.map((e) => JSON.stringify(e)).join('\n'),
    });
    expect(response.status).toBe(202);
    return await response.json() as { submissionId: string; accepted: number; refused: number };
  }
  const get = (path: string, token: string) => fetch(`${stack.url}${path}`, { headers: { authorization: `Bearer ${token}` } });
  async function grid(period: string, token: string, query = ''): Promise<CompletenessGrid> {
    const response = await get(`/v1/completeness?period=${period}${query}`, token);
    expect(response.status).toBe(200);
    return await response.json() as CompletenessGrid;
  }
  const cell = (g: CompletenessGrid, dataset: string, month: string, force = 'kent'): CompletenessCell =>
    g.cells.find((c) => c.force === force && c.dataset === dataset && c.month === month)!;

  beforeAll(async () => {
    stack = await startStackFixture('postgres', { completenessMetricsMs: 500 });
    kent = await createCredential(stack.pool, { role: 'force', force: 'kent' });
    dorset = await createCredential(stack.pool, { role: 'force', force: 'dorset' });
    operator = await createCredential(stack.pool, { role: 'operator', force: null });
    const history: object[] = [];
    for (let i = 12; i >= 1; i -= 1) {
      const month = addMonths(target, -i);
      for (let n = 0; n < 20 + (i % 3); n += 1) history.push(crime(month));
      history.push(closed('crime', month));
    }
    await send(kent, history);
    const spike = Array.from({ length: 200 }, () => crime(target));
    const bad = { ...crime(target), payload: { ...crime(target).payload, victim: { sex: 'unknown', ageBand: '25-34', ethnicity: 'white' } } };
    const receipt = await send(kent, [...spike, spike[0]!, bad, closed('crime', target),
      event('order.applied', `${target}-05`, { orderRef: 'o-1', orderType: 'dvpo' }),
      event('order.decided', `${target}-06`, { orderRef: 'o-1', decision: 'granted' }),
      event('allegation.received', `${current}-01`, { allegationRef: 'a-1', kind: 'complaint', category: 'sexual-harassment', subjectRole: 'officer' }),
    ]);
    expect(receipt).toMatchObject({ accepted: 205, refused: 1 });
    submissionId = receipt.submissionId;
  }, 120_000);
  afterAll(async () => stack?.stop());

  it('judges each state, with its counts, as the stages count', async () => {
    await eventually(async () => expect(cell(await grid(target, operator, '&force=kent'), 'crime', target).counted).toBe(200), { timeoutMs: 60_000 });
    const g = await grid(target, operator, '&force=kent');
    expect(g.months).toEqual([target]);
    expect(g.cells).toHaveLength(5);
    expect(cell(g, 'crime', target)).toMatchObject({
      state: 'anomalous', closed: true, anomalous: true, late: false, due: true,
      received: 202, duplicates: 1, refused: 1, counted: 200, volume: 200, deadLettered: 0, expected: { median: 21, months: 12 },
    });
    expect(cell(g, 'crime', target).closedAt).not.toBeNull();
    expect(cell(g, 'orders', target)).toMatchObject({ state: 'late', closed: false, late: true, received: 2, counted: 2 });
    expect(cell(g, 'dvds', target)).toMatchObject({ state: 'silent', received: 0, firstArrival: null });
    const before = await grid(addMonths(target, -1), operator, '&force=kent&dataset=crime');
    expect(before.cells.map((c) => [c.state, c.volume, c.anomalous])).toEqual([['closed', 20 + (1 % 3), false]]);
    const now = await grid(current, operator, '&force=kent&dataset=allegations');
    expect(now.cells[0]).toMatchObject({ state: 'open', received: 1, due: false, late: false });
    // The half-year view holds every force, dataset and month.
    const half = await grid(`${target.slice(0, 4)}-H1`, operator);
    expect(half.cells).toHaveLength(44 * 5 * 6);
  });

  it('a force reads only its own completeness and submissions', async () => {
    const own = await grid(target, kent);
    expect(new Set(own.cells.map((c) => c.force))).toEqual(new Set(['kent']));
    expect((await get(`/v1/completeness?period=${target}&force=kent`, dorset)).status).toBe(403);
    const theirs = await grid(target, dorset);
    expect(theirs.cells.every((c) => c.force === 'dorset' && c.state === 'silent')).toBe(true);
    expect((await get(`/v1/submissions/${submissionId}`, dorset)).status).toBe(404);
    for (const period of ['2025-13', '0000-H1', '9999-H2', '2025-H3']) expect((await get(`/v1/completeness?period=${period}`, kent)).status).toBe(400);
    expect((await fetch(`${stack.url}/v1/completeness?period=${target}`)).status).toBe(401);
  });

  it("shows a submission's progress to its force", async () => {
    const response = await get(`/v1/submissions/${submissionId}`, kent);
    expect(response.status).toBe(200);
    const body = await response.json() as { accepted: number; progress: Record<string, unknown> };
    expect(body.accepted).toBe(205);
    expect(body.progress).toMatchObject({ accepted: 205, validated: 205, duplicates: 1, counted: 204, refusedLater: 0, deadLettered: 0, pending: { validate: 0, aggregate: 0 }, complete: true });
  });

  it('sets the completeness gauges the alerts watch', async () => {
    await eventually(async () => {
      const text = await (await get('/metrics', operator)).text();
      expect(text).toContain('vawg_completeness_late{force="kent",dataset="orders"} 1');
      expect(text).toContain('vawg_completeness_anomalous{force="kent",dataset="crime"} 1');
      // Of the last 12 ended months: kent never sent DVDS (silent, once owed: all but last month
      // before the 16th), closed 10 months of crime, and sent orders for one month, not closed (late).
      const owed = isLate(addMonths(current, -1), false, new Date()) ? 12 : 11;
      expect(text).toContain(`vawg_completeness_silent{force="kent",dataset="dvds"} ${owed}`);
      expect(text).toContain(`vawg_completeness_silent{force="kent",dataset="orders"} ${owed - 1}`);
      expect(text).toContain('vawg_completeness_late{force="dorset",dataset="crime"} 0');
      expect(text).toContain('vawg_completeness_cells{state="closed"} 10');
    }, { timeoutMs: 20_000 });
    expect((await get('/metrics', kent)).status).toBe(403);
  });

  it('vawg completeness prints the grid in words, and refuses a bad period in one line', async () => {
    const run = promisify(execFile);
    const env = { ...embeddedEnv('/nonexistent-vawg-home'), DATABASE_URL: stack.databaseUrl, ...s3Env() };
    const { stdout } = await run(process.execPath, [bin, 'completeness', '--period', target, '--force', 'kent'], { env });
    expect(stdout).toContain(`Completeness of ${target}`);
    const line = (dataset: string) => stdout.split('\n')[stdout.split('\n').indexOf(dataset) + 2];
    expect(line('crime')).toMatch(/^Kent Police\s+anomalous\s+200/);
    expect(line('orders')).toMatch(/^Kent Police\s+late\s+2/);
    expect(line('dvds')).toMatch(/^Kent Police\s+silent\s+-/);
    const failed = await run(process.execPath, [bin, 'completeness', '--period', '2025-H3'], { env }).catch((error: { code: number; stderr: string }) => error);
    expect(failed).toMatchObject({ code: 1 });
    expect((failed as { stderr: string }).stderr.trim().split('\n')).toHaveLength(1);
  });
});

function s3Env(): Record<string, string> {
  return Object.fromEntries(Object.entries(process.env).filter(([k]) => k.startsWith('S3_')).map(([k, v]) => [k, v ?? '']));
}
