// report.html and a force page, published from a year of synthetic data for every force, opened
// in headless Chromium: they render without any network request, a screenshot of each is kept
// (artifacts/, collected by CI), and axe-core finds no serious or critical accessibility fault.
import { mkdir, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromium, type Browser } from 'playwright-core';
import { createPool, type Pool } from '@vawg/db';
import { createObjectStore, type ObjectStore } from '@vawg/store';
import { forceIds } from '@vawg/contracts';
import { chromiumPath, createTestDatabase, s3Endpoint, uniqueName, type TestDatabase } from '@vawg/testing';
import { publishPeriod } from '../src/index.ts';
import { Feeder, history, migrateAll } from './seed.ts';

const artifacts = fileURLToPath(new URL('../../../artifacts/report/', import.meta.url));
const axeSource = createRequire(import.meta.url).resolve('axe-core/axe.min.js');

interface AxeResult { violations: { id: string; impact: string | null; help: string; nodes: { target: unknown[] }[] }[] }

describe('the report in a browser', () => {
  let db: TestDatabase;
  let pool: Pool;
  let store: ObjectStore;
  let browser: Browser;

  beforeAll(async () => {
    db = await createTestDatabase();
    pool = createPool(db.url);
    await migrateAll(pool);
    store = createObjectStore({ ...s3Endpoint(), bucket: uniqueName('html').toLowerCase(), forcePathStyle: true });
    await store.ensureBucket();
    await new Feeder(pool).apply(history(forceIds, 60, 11), '2025-10-30T09:00:00.000Z');
    await publishPeriod({ pool, store, serviceVersion: 'publish@test' }, '2025-H1', { cutoff: new Date('2025-11-01T07:00:00Z') });
    const prefix = 'reports/2025-H1/r1/';
    for (const key of await store.list(prefix)) {
      const path = join(artifacts, key.slice(prefix.length));
      await mkdir(join(path, '..'), { recursive: true });
      await writeFile(path, (await store.get(key))!);
    }
    browser = await chromium.launch({ executablePath: chromiumPath(), args: ['--no-sandbox'] });
  }, 240_000);
  afterAll(async () => {
    await browser?.close();
    await pool?.end();
    store?.close();
    await db?.drop();
  });

  for (const [name, file] of [['report.html', 'report.html'], ['the Kent page', 'forces/kent.html']] as const) {
    it(`shows ${name} with no network, and axe finds no serious fault`, async () => {
      const page = await browser.newPage({ viewport: { width: 1200, height: 900 } });
      const outside: string[] = [];
      page.on('request', (request) => { if (!request.url().startsWith('file:')) outside.push(request.url()); });
      await page.goto(`file://${join(artifacts, file)}`);
      expect(outside).toEqual([]);
      expect(await page.locator('h1').count()).toBe(1);
      expect(await page.locator('svg[role="img"]').count()).toBeGreaterThan(20);
      await page.screenshot({ path: join(artifacts, `${file.replace(/[/.]/g, '-')}.png`), fullPage: true });

      await page.addScriptTag({ path: axeSource });
      const result = await page.evaluate<AxeResult>(async () => (globalThis as unknown as { axe: { run(): Promise<AxeResult> } }).axe.run());
      const serious = result.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical')
        .map((v) => `${v.id} (${v.impact}): ${v.help}, e.g. ${JSON.stringify(v.nodes[0]?.target)}`);
      expect(serious).toEqual([]);
      await page.close();
    }, 120_000);
  }
});
