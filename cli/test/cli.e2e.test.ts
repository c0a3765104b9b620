// The command line end to end on the embedded defaults (PostgreSQL binaries, s3rver, the memory
// bus with its journal): up, tokens, send, a SIGKILL right after the 202s, up again, publish,
// reports --download; and the README's first command, `vawg demo`, run through and interrupted.
import { createHash } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import pg from 'pg';
import type { PublishedRow } from '@vawg/kpi';
import { seeded, syntheticCrimes } from '@vawg/synthetic';
import { eventually } from '@vawg/testing';
import { portOpen } from '@vawg/infra';
import { spawnVawg, startUp, stopUp, vawg, type UpProcess } from './cli-process.ts';

async function appliedEvents(databaseUrl: string): Promise<number> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const { rows } = await client.query<{ n: string }>('SELECT count(*) AS n FROM aggregate.applied_events');
    return Number(rows[0]?.n);
  } finally {
    await client.end();
  }
}

describe('vawg on the embedded defaults', () => {
  const homes: string[] = [];
  let up: UpProcess | undefined;
  const newHome = async () => {
    const home = await mkdtemp(join(tmpdir(), 'vawg-home-'));
    homes.push(home);
    return home;
  };
  afterAll(async () => {
    if (up) await stopUp(up, 'SIGINT');
    for (const home of homes) await rm(home, { recursive: true, force: true });
  });

  it('keeps every acknowledged event through a SIGKILL, then publishes and downloads exact counts', async () => {
    const home = await newHome();
    up = await startUp(home);
    const token = (await vawg(home, ['tokens', 'create', '--force', 'kent'])).stdout.trim();
    expect(token).toMatch(/^vawg_[A-Za-z0-9_-]{43}$/);

    const crimes = [
      ...syntheticCrimes(seeded(1), { force: 'kent', count: 3000, from: '2025-04-01', to: '2025-06-30', refPrefix: 'A' }),
      ...syntheticCrimes(seeded(2), { force: 'kent', count: 1500, from: '2025-07-01', to: '2025-09-30', refPrefix: 'B' }),
    ];
    const file = join(home, 'kent.ndjson');
    await writeFile(file, `${crimes.map((c) => JSON.stringify(c)).join('\n')}\n`);
    const sent = await vawg(home, ['send', '--force', 'kent', '--token', token, file]);
    expect(sent.stdout).toContain('sent 4500 events in 1 submission: 4500 accepted, 0 refused');

    // Every event was acknowledged; kill the whole system before it can have counted them all.
    await stopUp(up, 'SIGKILL');
    up = await startUp(home);
    await eventually(async () => expect(await appliedEvents(up!.databaseUrl)).toBe(4500), { timeoutMs: 60_000 });

    expect((await vawg(home, ['publish', '--period', '2025-H1'])).stdout).toContain('2025-H1: published revision 1 at s3://vawg/reports/2025-H1/r1/');
    expect((await vawg(home, ['publish', '--period', '2025-H1'])).stdout).toContain('nothing changed since revision 1');
    expect((await vawg(home, ['replay'])).stdout).toMatch(/^\d+ cells checked: the live aggregates equal the recompute\n$/);
    const download = join(home, 'download');
    const listed = await vawg(home, ['reports', '--period', '2025-H1', '--download', download]);
    expect(listed.stdout).toMatch(/2025-H1\s+1\s+/);
    const cells = JSON.parse(await readFile(join(download, '2025-H1', 'r1', 'cells.json'), 'utf8')) as PublishedRow[];
    const kent = (period: string) => cells.find((r) => r.period === period && r.geography === 'kent' && r.measure === 'crimes-recorded' && r.split === 'all')?.value;
    expect(kent('2025-H1')).toBe(4500);
    expect(['2025-04', '2025-05', '2025-06'].reduce((n, m) => n + (kent(m) ?? 0), 0)).toBe(3000);
    const manifest = JSON.parse(await readFile(join(download, '2025-H1', 'r1', 'manifest.json'), 'utf8')) as { files: Record<string, { sha256: string }> };
    expect(Object.keys(manifest.files)).toHaveLength(3 + 44);
    expect(Object.keys(manifest.files)).toEqual(expect.arrayContaining(['cells.csv', 'cells.json', 'report.html', 'forces/kent.html']));
    expect(await readFile(join(download, '2025-H1', 'r1', 'forces', 'kent.html'), 'utf8')).toContain('<h1>Kent Police: ');

    await stopUp(up, 'SIGINT');
    expect(up.child.exitCode).toBe(0);
    up = undefined;
  }, 300_000);

  it('says in one line what to do when a command has nothing to talk to', async () => {
    const home = await newHome();
    await expect(vawg(home, ['publish', '--period', '2025-H1'])).rejects.toMatchObject({
      code: 1,
      stderr: expect.stringMatching(/^vawg: nothing to connect to: start `vawg up` in another terminal, or set DATABASE_URL and S3_ENDPOINT\n$/) as unknown,
    });
  });

  it("runs the README's first command: vawg demo", async () => {
    const home = await newHome();
    const demo = await vawg(home, ['demo', '--exit', '--crimes-per-force-month', '2']);
    expect(demo.stdout).toContain('VAWG data system is up.');
    expect(demo.stdout).toMatch(/Published \d{4}-H[12] revision 1/);
    expect(demo.stdout).toMatch(/all \d+ distinct events counted/);
    // Returns with documents: uploaded, cited, copied under the revision and linked from the report.
    expect(demo.stdout).toMatch(/\d+ documents uploaded for the returns/);
    const folder = /Copied to (.+)\/\n/.exec(demo.stdout)![1]!;
    const manifest = JSON.parse(await readFile(join(folder, 'manifest.json'), 'utf8')) as { documents: { file: string | null; sha256: string }[] };
    expect(manifest.documents.length).toBeGreaterThan(0);
    for (const d of manifest.documents) expect(createHash('sha256').update(await readFile(join(folder, d.file!))).digest('hex')).toBe(d.sha256);
    expect(await readFile(join(folder, 'report.html'), 'utf8')).toMatch(/<a href="documents\/[a-z-]+\/[0-9a-f]{64}\/[a-z-]+-\d{4}-H[12]-summary\.pdf">/);
  }, 300_000);

  it('stops everything the demo started, PostgreSQL last, on Ctrl-C before it waits for one', async () => {
    const home = await newHome();
    const demo = spawnVawg(home, ['demo', '--crimes-per-force-month', '2']);
    let stdout = '';
    demo.stdout!.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    const exited = new Promise<number | null>((resolve) => demo.once('exit', (code) => resolve(code)));
    // Up, and busy sending: Ctrl-C now, long before "Stop with Ctrl-C".
    const port = await eventually(() => {
      const match = /PostgreSQL\s+embedded, data in .+ \(127\.0\.0\.1:(\d+)\)/.exec(stdout);
      if (!match) throw new Error(`not up yet: ${stdout}`);
      return Number(match[1]);
    }, { timeoutMs: 120_000, intervalMs: 100 });
    expect(await portOpen('127.0.0.1', port)).toBe(true);
    demo.kill('SIGINT');
    expect(await exited).toBe(130);
    expect(stdout).not.toContain('Stop with Ctrl-C');
    expect(await portOpen('127.0.0.1', port)).toBe(false);
  }, 300_000);
});
