// The operators' console: a page (src/console/: HTML, CSS and one ES module, no framework, nothing
// from elsewhere) served on ingest's port, and its session (console-session.ts). The page holds no
// data: it asks the operator routes for everything, with the session cookie, and shows the
// sign-in form while they answer 401.
import { readFileSync } from 'node:fs';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { problem, sendProblem } from '@vawg/http';
import { datasets, forces } from '@vawg/contracts';
import type { z } from 'zod';
import { consoleSignIn, CONSOLE_SESSION_COOKIE, type consoleReferenceResponse } from './api-description.ts';
import { sessionCookieOptions, SESSION_TTL_MS, type ConsoleSessions } from './console-session.ts';

export interface ConsoleDeps {
  authenticate: (request: FastifyRequest, reply: FastifyReply) => Promise<void>;
  sessions: ConsoleSessions;
  /** Mark the cookie Secure even when the request came over http: a TLS-terminating proxy is in front. */
  secureCookie?: boolean;
}

/**
 * Every console response: scripts and styles from this origin only (no inline script), requests to
 * it only, never framed, no referrer sent, no type sniffing.
 */
export const CONSOLE_HEADERS: Record<string, string> = {
  'content-security-policy': "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; "
    + "form-action 'self'; base-uri 'none'; frame-ancestors 'none'",
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'x-frame-options': 'DENY',
  'cross-origin-opener-policy': 'same-origin',
};

/** The files of the page, beside this module in the source and beside the bundle in a build. */
const folder = new URL('./console/', import.meta.url);
const FILES = {
  '/console/': { name: 'index.html', type: 'text/html; charset=utf-8' },
  '/console/console.js': { name: 'console.js', type: 'text/javascript; charset=utf-8' },
  '/console/console.css': { name: 'console.css', type: 'text/css; charset=utf-8' },
} as const;

/** The financial half-year (`2025-H1`: April to September 2025) of a day, and the `count - 1` before it, newest first. */
export function recentPeriods(today: Date, count = 4): string[] {
  const year = today.getUTCFullYear();
  const month = today.getUTCMonth() + 1;
  let [y, h] = month >= 4 && month <= 9 ? [year, 1] : [month >= 10 ? year : year - 1, 2];
  const periods: string[] = [];
  for (let i = 0; i < count; i += 1) {
    periods.push(`${y}-H${h}`);
    [y, h] = h === 2 ? [y, 1] : [y - 1, 2];
  }
  return periods;
}

export function registerConsoleRoutes(app: FastifyInstance, deps: ConsoleDeps): void {
  const bodies = Object.fromEntries(Object.entries(FILES).map(([path, f]) => [path, readFileSync(new URL(f.name, folder))])) as Record<keyof typeof FILES, Buffer>;

  app.addHook('onSend', (_request, reply, payload, done) => {
    for (const [name, value] of Object.entries(CONSOLE_HEADERS)) reply.header(name, value);
    done(null, payload);
  });

  app.get('/console', (_request, reply) => reply.redirect('/console/'));
  for (const [path, file] of Object.entries(FILES)) {
    app.get(path, (_request, reply) => reply.type(file.type).header('cache-control', 'no-cache').send(bodies[path as keyof typeof FILES]));
  }
  app.get('/console/reference.json', (_request, reply) => {
    const body: z.infer<typeof consoleReferenceResponse> = { forces: forces.map((f) => ({ id: f.id, name: f.name })), datasets: [...datasets], periods: recentPeriods(new Date()) };
    return reply.header('cache-control', 'no-cache').send(body);
  });

  // Sign-in: the credential comes in the body (a form), and is checked like a bearer credential,
  // by the same authenticate with the same throttle on repeated failures.
  const tokenAsCredential = async (request: FastifyRequest, reply: FastifyReply) => {
    const parsed = consoleSignIn.safeParse(request.body);
    if (!parsed.success) {
      await sendProblem(reply, problem(400, 'bad-request', 'Bad request', 'send {"token": "<an operator\'s credential>"} as application/json'));
      return;
    }
    request.headers.authorization = `Bearer ${parsed.data.token.trim()}`;
  };
  // A credential is 49 characters: a sign-in body is read no further than 4 KiB (413 beyond).
  app.post('/console/session', { bodyLimit: 4096, preHandler: [tokenAsCredential, deps.authenticate] }, async (request, reply) => {
    if (request.principal?.role !== 'operator') {
      return sendProblem(reply, problem(403, 'operators-only', 'Operators only',
        "a force's credential does not open the console: it shows every force. Sign in with an operator's credential (`vawg tokens create --operator`)"));
    }
    const token = /^Bearer (.+)$/.exec(request.headers.authorization ?? '')![1]!;
    const session = await deps.sessions.open(token);
    return reply
      .setCookie(CONSOLE_SESSION_COOKIE, session.id, sessionCookieOptions({ https: request.protocol === 'https', secure: deps.secureCookie ?? false, maxAgeMs: SESSION_TTL_MS }))
      .header('cache-control', 'no-store')
      .code(204).send();
  });
  // Sign-out ends the session whatever state it is in; no other site's page can send this (SameSite=Strict, and a DELETE).
  app.delete('/console/session', async (request, reply) => {
    await deps.sessions.end(request);
    return reply
      .clearCookie(CONSOLE_SESSION_COOKIE, sessionCookieOptions({ https: request.protocol === 'https', secure: deps.secureCookie ?? false }))
      .header('cache-control', 'no-store')
      .code(204).send();
  });
}
