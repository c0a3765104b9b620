// Bearer authentication for the /v1 routes: finds the principal, slows down repeated failures.
import type { FastifyReply, FastifyRequest } from 'fastify';
import { problem, sendProblem } from '@vawg/http';
import type { Principal } from './credentials.ts';
import { AuthThrottle } from './auth-throttle.ts';

declare module 'fastify' {
  interface FastifyRequest {
    principal: Principal | null;
  }
}

const BEARER = /^Bearer ([A-Za-z0-9_\-.~+/]+=*)$/;

/** Credentials (or console sessions) looked up at once, before anyone is known (default). */
export const MAX_LOOKUPS_IN_FLIGHT = 64;

/**
 * `session`, when given, finds the principal of the operators' console's session cookie
 * (console-session.ts). It stands in for a credential only on reads (GET, HEAD) sent without an
 * Authorization header, never on a POST such as /v1/events: a cookie rides along on requests other
 * sites make, a bearer header does not.
 */
export function createAuthenticate(
  lookup: ((token: string) => Promise<Principal | null>) & { cached?: (token: string) => { principal: Principal | null } | undefined },
  session?: (request: FastifyRequest) => Promise<Principal | null>,
  maxLookups = MAX_LOOKUPS_IN_FLIGHT,
) {
  const throttle = new AuthThrottle();
  let lookups = 0;
  return async function authenticate(request: FastifyRequest, reply: FastifyReply): Promise<void> {
    const token = BEARER.exec(request.headers.authorization ?? '')?.[1];
    const read = request.method === 'GET' || request.method === 'HEAD';
    // A credential remembered (the forces sending now) is known without a lookup, so strangers'
    // guesses never crowd it out. The rest are bounded: past this many credentials being looked
    // up at once, the next is turned away before any work (a flood of guesses cannot queue).
    const known = token ? lookup.cached?.(token) : undefined;
    if (known?.principal) {
      request.principal = known.principal;
      return;
    }
    if (lookups >= maxLookups) {
      reply.header('retry-after', '1');
      reply.header('connection', 'close');
      await sendProblem(reply, problem(429, 'too-many-requests', 'Too many requests', 'too many credentials are being checked at once: send again after Retry-After'));
      return;
    }
    lookups += 1;
    let principal: Principal | null;
    try {
      principal = token ? await lookup(token)
        : session && read && request.headers.authorization === undefined ? await session(request) : null;
    } finally {
      lookups -= 1;
    }
    // A good credential does not clear an address's failures (one good token must not buy endless
    // guesses with others): they fade with the throttle's window.
    if (principal) {
      request.principal = principal;
      return;
    }
    const delay = throttle.fail(request.ip);
    if (delay > 0) await new Promise((resolve) => setTimeout(resolve, delay));
    reply.header('www-authenticate', 'Bearer realm="vawg"');
    // A body still coming is never read: the connection closes after the answer.
    if (request.headers['content-length'] !== undefined || request.headers['transfer-encoding'] !== undefined) reply.header('connection', 'close');
    await sendProblem(reply, problem(401, 'unauthorized', 'Unauthorized', token
      ? 'the bearer token is not a valid credential'
      : 'send a credential as `Authorization: Bearer <token>`'));
  };
}
