// Bearer credentials bound to a force (or an operator). Tokens are shown once and stored hashed.
import { createHash, randomBytes } from 'node:crypto';
import type { Pool, PoolClient } from '@vawg/db';
import type { OperatorCheck } from '@vawg/http';

export type Principal =
  | { role: 'force'; force: string; credentialId?: string }
  | { role: 'operator'; force: null; credentialId?: string };

export function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

export interface CredentialOptions {
  label?: string;
  expiresAt?: Date;
  /** The credential this one replaces (`vawg tokens rotate`). */
  rotatedFrom?: string;
}

export async function createCredential(pool: Pool, principal: Principal, options: CredentialOptions = {}): Promise<string> {
  return (await issueCredential(pool, principal, options)).token;
}

/** A new credential: its token (shown once, stored only as a hash) and its id (to name it by). */
export async function issueCredential(pool: Pool | PoolClient, principal: Principal, options: CredentialOptions = {}): Promise<{ token: string; id: string }> {
  const token = `vawg_${randomBytes(32).toString('base64url')}`;
  const { rows } = await pool.query<{ id: string }>(
    'INSERT INTO ingest.credentials (token_hash, role, force, label, expires_at, rotated_from) VALUES ($1, $2, $3, $4, $5, $6) RETURNING id', [
      hashToken(token), principal.role, principal.force, options.label ?? null, options.expiresAt ?? null, options.rotatedFrom ?? null,
    ]);
  return { token, id: rows[0]!.id };
}

/** How long an answer is remembered: a revocation or an expiry takes effect within this. */
export const CREDENTIAL_CACHE_MS = 5_000;
const NEGATIVE_CACHE_SIZE = 10_000;

/**
 * Looks credentials up, remembering answers for 5 s, unknown tokens too (so guessing costs no
 * query each time; at most 10,000 remembered), and records when each was last used.
 */
export interface CredentialLookup {
  (token: string): Promise<Principal | null>;
  /** What is remembered of a token, without a query: undefined when it must be looked up. */
  cached(token: string): { principal: Principal | null } | undefined;
}

export function createCredentialLookup(pool: Pool): CredentialLookup {
  const cache = new Map<string, { principal: Principal | null; until: number }>();
  const cached = (token: string) => {
    const hit = cache.get(hashToken(token));
    return hit && hit.until > Date.now() ? hit : undefined;
  };
  const lookup = async function lookup(token: string): Promise<Principal | null> {
    const hash = hashToken(token);
    const hit = cache.get(hash);
    if (hit && hit.until > Date.now()) return hit.principal;
    // One statement: valid now (not revoked, not expired), and its last use recorded.
    const { rows } = await pool.query<{ id: string; role: 'force' | 'operator'; force: string | null }>(
      `UPDATE ingest.credentials SET last_used_at = now()
        WHERE token_hash = $1 AND revoked_at IS NULL AND (expires_at IS NULL OR expires_at > now())
        RETURNING id, role, force`, [hash]);
    const row = rows[0];
    const principal: Principal | null = !row ? null
      : row.role === 'force' && row.force ? { role: 'force', force: row.force, credentialId: row.id }
      : { role: 'operator', force: null, credentialId: row.id };
    if (cache.size >= NEGATIVE_CACHE_SIZE) {
      for (const [key, entry] of cache) if (entry.until <= Date.now() || !entry.principal) cache.delete(key);
      if (cache.size >= NEGATIVE_CACHE_SIZE) cache.clear();
    }
    cache.set(hash, { principal, until: Date.now() + CREDENTIAL_CACHE_MS });
    return principal;
  };
  return Object.assign(lookup, { cached });
}

const BEARER = /^Bearer ([A-Za-z0-9_\-.~+/]+=*)$/;

/** Whether an Authorization header carries an operator's credential: who may read /metrics and /readyz's details. */
/** For the probes of ingest's port: an operator's credential, a force's (forbidden), or none. */
export function createOperatorCheck(pool: Pool, maxLookups = 16): (authorization: string | undefined) => Promise<OperatorCheck> {
  const lookup = createCredentialLookup(pool);
  let lookups = 0;
  return async (authorization) => {
    const token = BEARER.exec(authorization ?? '')?.[1];
    if (!token) return false;
    // The probes' port is open to strangers too: past this many lookups at once, a credential not
    // remembered is not looked up (answered as none), so guesses cannot take the pool's connections.
    const known = lookup.cached(token);
    if (!known && lookups >= maxLookups) return false;
    lookups += 1;
    try {
      const principal = known ? known.principal : await lookup(token);
      return principal?.role === 'operator' ? true : principal ? 'forbidden' : false;
    } finally {
      lookups -= 1;
    }
  };
}
