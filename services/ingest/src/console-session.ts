// Sessions of the operators' console: an operator signs in with a credential (POST
// /console/session) and gets a random session id in an HttpOnly, SameSite=Strict cookie, good for
// 8 hours. Only its SHA-256 is stored (ingest.console_sessions, migration 0004), beside the hash of
// the credential that opened it, so revoking the credential ends its sessions. The cookie stands
// in for a credential only on reads of the console and of the operator routes it calls
// (authenticate.ts, sessionAccepted below): never on a POST, so another site cannot make a
// signed-in browser send events or change anything.
import { createHash, randomBytes } from 'node:crypto';
import type { FastifyRequest } from 'fastify';
import type { CookieSerializeOptions } from '@fastify/cookie';
import type { Pool } from '@vawg/db';
import { hashToken, type Principal } from './credentials.ts';
import { CONSOLE_SESSION_COOKIE } from './api-description.ts';

export const SESSION_TTL_MS = 8 * 3600_000;

const SESSION_ID = /^[A-Za-z0-9_-]{43}$/;
/** The paths a session cookie opens, for GET and HEAD only: the console and the operator reads it makes. */
const SESSION_PATHS = /^\/(?:console(?:[/?]|$)|v1\/(?:completeness|refusals|dead-letters|pipeline|publications)(?:[/?]|$))/;

export function sessionAccepted(method: string, url: string): boolean {
  return (method === 'GET' || method === 'HEAD') && SESSION_PATHS.test(url);
}

const sha256 = (value: string) => createHash('sha256').update(value).digest('hex');

/**
 * The cookie's attributes: HttpOnly (no script reads it), SameSite=Strict (no other site's page
 * sends it), Path=/ (the console calls /v1/…), and Secure when the request came over https, or
 * always when a TLS-terminating proxy is in front (`secure`).
 */
export function sessionCookieOptions(o: { https: boolean; secure: boolean; maxAgeMs?: number }): CookieSerializeOptions {
  return {
    httpOnly: true, sameSite: 'strict', path: '/', secure: o.https || o.secure,
    ...(o.maxAgeMs === undefined ? {} : { maxAge: Math.floor(o.maxAgeMs / 1000) }),
  };
}

export interface ConsoleSessions {
  /** Opens a session for the operator credential `token` (already checked); returns the id to put in the cookie. */
  open(token: string): Promise<{ id: string; expiresAt: Date }>;
  /** The principal of the request's session cookie, if it has a live one and the request may use it. */
  principalOf: (request: FastifyRequest) => Promise<Principal | null>;
  /** When the request's session ends, if it has a live one. */
  expiresAt(request: FastifyRequest): Promise<Date | null>;
  /** Ends the request's session (sign-out); nothing if it has none. */
  end(request: FastifyRequest): Promise<void>;
}

export function createConsoleSessions(pool: Pool, ttlMs = SESSION_TTL_MS): ConsoleSessions {
  const idOf = (request: FastifyRequest): string | null => {
    const id = request.cookies[CONSOLE_SESSION_COOKIE];
    return id && SESSION_ID.test(id) ? id : null;
  };
  /** The session's end and its credential, while both stand (a revoked or expired credential ends its sessions). */
  const session = async (id: string): Promise<{ expiresAt: Date; credentialId: string } | null> => {
    const { rows } = await pool.query<{ expires_at: Date; id: string }>(
      `SELECT s.expires_at, c.id FROM ingest.console_sessions s JOIN ingest.credentials c ON c.token_hash = s.credential_hash
        WHERE s.session_hash = $1 AND s.expires_at > now() AND c.revoked_at IS NULL AND (c.expires_at IS NULL OR c.expires_at > now())
          AND c.role = 'operator'`, [sha256(id)]);
    return rows[0] ? { expiresAt: rows[0].expires_at, credentialId: rows[0].id } : null;
  };
  const live = async (id: string): Promise<Date | null> => (await session(id))?.expiresAt ?? null;
  return {
    async open(token) {
      const id = randomBytes(32).toString('base64url');
      // Expired sessions are cleared as new ones open: the table stays the size of the live ones.
      await pool.query('DELETE FROM ingest.console_sessions WHERE expires_at <= now()');
      const { rows } = await pool.query<{ expires_at: Date }>(
        `INSERT INTO ingest.console_sessions (session_hash, credential_hash, expires_at) VALUES ($1, $2, now() + make_interval(secs => $3))
         RETURNING expires_at`, [sha256(id), hashToken(token), ttlMs / 1000]);
      return { id, expiresAt: rows[0]!.expires_at };
    },
    async principalOf(request) {
      const id = idOf(request);
      if (!id || !sessionAccepted(request.method, request.url)) return null;
      const standing = await session(id);
      return standing ? { role: 'operator', force: null, credentialId: standing.credentialId } : null;
    },
    async expiresAt(request) {
      const id = idOf(request);
      return id ? live(id) : null;
    },
    async end(request) {
      const id = idOf(request);
      if (id) await pool.query('DELETE FROM ingest.console_sessions WHERE session_hash = $1', [sha256(id)]);
    },
  };
}
