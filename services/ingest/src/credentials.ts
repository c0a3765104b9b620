// Bearer credentials bound to a force (or an operator). Tokens are shown once and stored hashed.
import { createHash, randomBytes } from 'node:crypto';
import type { Pool } from '@vawg/db';
import type { OperatorCheck } from '@vawg/http';

export type Principal = { role: 'force'; force: string } | { role: 'operator'; force: null };

export function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

export async function createCredential(pool: Pool, principal: Principal): Promise<string> {
  const token = `vawg_${randomBytes(32).toString('base64url')}`;
  await pool.query('INSERT INTO ingest.credentials (token_hash, role, force) VALUES ($1, $2, $3)', [
    hashToken(token), principal.role, principal.force,
  ]);
  return token;
}

const CACHE_MS = 30_000;

/** Looks credentials up, remembering answers briefly so a busy force costs one query per 30 s. */
export function createCredentialLookup(pool: Pool) {
  const cache = new Map<string, { principal: Principal | null; until: number }>();
  return async function lookup(token: string): Promise<Principal | null> {
    const hash = hashToken(token);
    const hit = cache.get(hash);
    if (hit && hit.until > Date.now()) return hit.principal;
    const { rows } = await pool.query<{ role: 'force' | 'operator'; force: string | null }>(
      'SELECT role, force FROM ingest.credentials WHERE token_hash = $1 AND revoked_at IS NULL', [hash]);
    const row = rows[0];
    const principal: Principal | null = !row ? null
      : row.role === 'force' && row.force ? { role: 'force', force: row.force }
      : { role: 'operator', force: null };
    if (principal) cache.set(hash, { principal, until: Date.now() + CACHE_MS });
    return principal;
  };
}

const BEARER = /^Bearer ([A-Za-z0-9_\-.~+/]+=*)$/;

/** Whether an Authorization header carries an operator's credential: who may read /metrics and /readyz's details. */
/** For the probes of ingest's port: an operator's credential, a force's (forbidden), or none. */
export function createOperatorCheck(pool: Pool): (authorization: string | undefined) => Promise<OperatorCheck> {
  const lookup = createCredentialLookup(pool);
  return async (authorization) => {
    const token = BEARER.exec(authorization ?? '')?.[1];
    const principal = token ? await lookup(token) : null;
    return principal?.role === 'operator' ? true : principal ? 'forbidden' : false;
  };
}
