// Credentials you can account for, through the real `vawg` program and a running system (the
// PostgreSQL bus, the S3 endpoint): create with an expiry, list, send with the token from
// VAWG_TOKEN or a file, each submission naming its credential, revoke (refused within 5 s),
// rotate (the old one kept for a grace period), expire; an operator's reads of refusals on record.
import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCredential } from '@vawg/ingest';
import { eventually } from '@vawg/testing';
import { startStackFixture, type StackFixture } from './stack-fixture.ts';
import { embeddedEnv } from './cli-process.ts';
import { parseExpiry } from '../src/commands/tokens.ts';

const bin = fileURLToPath(new URL('../bin/vawg.js', import.meta.url));
const run = promisify(execFile);
const crime = () => ({
  eventId: randomUUID(), type: 'crime.recorded', schemaVersion: 1, force: 'kent', occurredAt: '2025-05-02', producedAt: '2025-05-02T10:00:00Z',
  payload: { crimeRef: `T-${randomUUID().slice(0, 8)}`, offenceGroup: 'rape', domesticAbuse: false, victim: { sex: 'female', ageBand: '25-34', ethnicity: 'white' } },
});

describe('parsing an expiry', () => {
  it('takes durations and instants, and refuses the past and nonsense', () => {
    const now = new Date('2026-01-01T00:00:00Z');
    expect(parseExpiry('90d', now).toISOString()).toBe('2026-04-01T00:00:00.000Z');
    expect(parseExpiry('12h', now).toISOString()).toBe('2026-01-01T12:00:00.000Z');
    expect(parseExpiry('2026-02-01T00:00:00Z', now).toISOString()).toBe('2026-02-01T00:00:00.000Z');
    expect(() => parseExpiry('2025-12-31T00:00:00Z', now)).toThrow(/past/);
    expect(() => parseExpiry('soon', now)).toThrow(/duration/);
  });
});

describe('credentials you can account for', () => {
  let stack: StackFixture;
  let dir: string;
  const env = () => ({ ...embeddedEnv('/nonexistent-vawg-home'), DATABASE_URL: stack.databaseUrl, ...Object.fromEntries(Object.entries(process.env).filter(([k]) => k.startsWith('S3_'))) });
  const vawg = async (args: string[], extra: Record<string, string> = {}) => run(process.execPath, [bin, ...args], { env: { ...env(), ...extra } });
  const post = (token: string, body: object[]) => fetch(`${stack.url}/v1/events`, {
    method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/x-ndjson' }, body: body.map((e) => JSON.stringify(e)).join('\n'),
  });
  const idOf = async (token: string) => (await stack.pool.query<{ id: string }>(`SELECT id FROM ingest.credentials WHERE token_hash = encode(sha256($1::bytea), 'hex')`, [token])).rows[0]!.id;

  beforeAll(async () => {
    stack = await startStackFixture('postgres');
    dir = await mkdtemp(join(tmpdir(), 'vawg-tokens-'));
  }, 120_000);
  afterAll(async () => {
    await stack?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  it('creates with an expiry and a label, lists without the token, and records which credential sent each submission', async () => {
    const created = await vawg(['tokens', 'create', '--force', 'kent', '--expires', '90d', '--label', 'crime system']);
    const token = created.stdout.trim();
    expect(token).toMatch(/^vawg_[A-Za-z0-9_-]{43}$/);
    const id = await idOf(token);
    const listed = (await vawg(['tokens', 'list', '--force', 'kent'])).stdout;
    expect(listed).toContain(id);
    expect(listed).toContain('crime system');
    expect(listed).not.toContain(token);
    const response = await post(token, [crime()]);
    expect(response.status).toBe(202);
    const { submissionId } = await response.json() as { submissionId: string };
    const { rows } = await stack.pool.query<{ credential_id: string; last_used_at: Date | null }>(
      `SELECT s.credential_id, c.last_used_at FROM ingest.submissions s JOIN ingest.credentials c ON c.id = s.credential_id WHERE s.submission_id = $1`, [submissionId]);
    expect(rows[0]).toMatchObject({ credential_id: id });
    expect(rows[0]!.last_used_at).not.toBeNull();
  });

  it('sends with the token from VAWG_TOKEN or a file, never needing it on the command line', async () => {
    const token = (await vawg(['tokens', 'create', '--force', 'kent'])).stdout.trim();
    const file = join(dir, 'events.ndjson');
    await writeFile(file, `${JSON.stringify(crime())}\n`);
    const viaEnv = await vawg(['send', '--force', 'kent', '--url', stack.url, file], { VAWG_TOKEN: token });
    expect(viaEnv.stdout).toContain('1 accepted');
    const tokenFile = join(dir, 'token');
    await writeFile(tokenFile, `${token}\n`, { mode: 0o600 });
    expect((await vawg(['send', '--force', 'kent', '--url', stack.url, '--token-file', tokenFile, file])).stdout).toContain('1 accepted');
    const none = await vawg(['send', '--force', 'kent', '--url', stack.url, file]).catch((error: { code: number; stderr: string }) => error);
    expect(none).toMatchObject({ code: 1 });
    expect((none as { stderr: string }).stderr).toMatch(/VAWG_TOKEN, --token-file/);
  });

  it('revokes: the token is refused within 5 seconds', async () => {
    const token = (await vawg(['tokens', 'create', '--force', 'kent'])).stdout.trim();
    expect((await post(token, [crime()])).status).toBe(202);
    await vawg(['tokens', 'revoke', '--id', await idOf(token)]);
    await eventually(async () => expect((await post(token, [crime()])).status).toBe(401), { timeoutMs: 6_000 });
    expect((await vawg(['tokens', 'list', '--force', 'kent', '--all'])).stdout).toMatch(/revoked/);
  });

  it('rotates: a new token at once, the old one until its grace ends; an expired one is refused', async () => {
    const old = (await vawg(['tokens', 'create', '--force', 'kent'])).stdout.trim();
    const oldId = await idOf(old);
    const rotated = await vawg(['tokens', 'rotate', '--id', oldId, '--grace', '1h']);
    const fresh = rotated.stdout.trim();
    // Once: a second rotation of the same credential is refused while its successor stands.
    const again = await vawg(['tokens', 'rotate', '--id', oldId]).catch((error: { code: number; stderr: string }) => error);
    expect(again).toMatchObject({ code: 1 });
    expect((again as { stderr: string }).stderr).toMatch(/rotated already/);
    expect(fresh).not.toBe(old);
    expect((await post(fresh, [crime()])).status).toBe(202);
    expect((await post(old, [crime()])).status).toBe(202);
    // The grace over (set in the past here rather than waited for): refused within the cache's 5 s.
    await stack.pool.query(`UPDATE ingest.credentials SET expires_at = now() - interval '1 second' WHERE id = $1`, [oldId]);
    await eventually(async () => expect((await post(old, [crime()])).status).toBe(401), { timeoutMs: 6_000 });
    expect((await post(fresh, [crime()])).status).toBe(202);
  });

  it('carries the expiry over to the successor unless told otherwise', async () => {
    const old = (await vawg(['tokens', 'create', '--force', 'kent', '--expires', '30d'])).stdout.trim();
    const fresh = (await vawg(['tokens', 'rotate', '--id', await idOf(old)])).stdout.trim();
    const { rows } = await stack.pool.query<{ id: string; expires_at: Date | null }>('SELECT id, expires_at FROM ingest.credentials WHERE id = ANY($1)', [[await idOf(old), await idOf(fresh)]]);
    const freshRow = rows.find((r) => r.id !== rows.find((x) => x.expires_at && x.expires_at.getTime() < Date.now() + 2 * 86_400_000)?.id);
    expect(freshRow?.expires_at?.getTime()).toBeGreaterThan(Date.now() + 29 * 86_400_000);
  });

  it("records an operator's reads of forces' refusals", async () => {
    const operator = await createCredential(stack.pool, { role: 'operator', force: null });
    expect((await fetch(`${stack.url}/v1/refusals?force=kent`, { headers: { authorization: `Bearer ${operator}` } })).status).toBe(200);
    const { rows } = await stack.pool.query<{ route: string; force: string | null }>(
      'SELECT route, force FROM ingest.access_log WHERE credential_id = $1', [await idOf(operator)]);
    expect(rows).toEqual([{ route: '/v1/refusals', force: 'kent' }]);
  });
});
