// The HTTP shell every service shares: liveness, readiness, Prometheus metrics, and errors as
// problem documents. A service adds its own routes to the instance this returns.
import { createServer, type Server } from 'node:http';
import type { Socket } from 'node:net';
import { compile as compileProxies } from '@fastify/proxy-addr';
import Fastify, { LogController, type FastifyError } from 'fastify';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import { problem, sendProblem } from './problem.ts';

/** An operator's credential; `forbidden`: a valid credential that is not an operator's (a force's); false: none. */
export type OperatorCheck = true | false | 'forbidden';

export interface ReadinessCheck {
  name: string;
  check: () => Promise<boolean>;
}

export interface HttpAppOptions {
  logger: Logger;
  registry: Registry;
  checks: ReadinessCheck[];
  bodyLimit?: number;
  /** Longest a request may take to arrive whole, headers and body (default 30 s): then 408. */
  requestTimeoutMs?: number;
  /**
   * The load balancers in front (addresses or CIDR ranges) whose X-Forwarded-For is believed, so a
   * request's address (what bad credentials are throttled by) is the client's, not the balancer's.
   * None by default: the address is the connection's.
   */
  trustedProxies?: readonly string[];
  /** Open connections one address may hold (default 64); a trusted proxy's are not counted (it holds everyone's). */
  maxConnectionsPerClient?: number;
  /** Open connections in all (default 4,096). */
  maxConnections?: number;
  /** More for /readyz to say, such as each stage's lag; never decides readiness. */
  details?: () => Promise<Record<string, unknown>>;
  /**
   * On a port the outside world reaches (ingest's), who may read /metrics and the details of
   * /readyz: they tell of each force's activity. Without it, both are open (an internal ops port).
   */
  operator?: (authorization: string | undefined) => Promise<OperatorCheck>;
}

const CHECK_TIMEOUT_MS = 3000;

export interface RegisteredRoute { method: string; url: string }
const routeLists = new WeakMap<object, RegisteredRoute[]>();

/** Every route registered on an app from createHttpApp, in every scope: what its API description must cover. */
export function registeredRoutes(app: object): readonly RegisteredRoute[] {
  return routeLists.get(app) ?? [];
}

const PROBES = new Set(['/healthz', '/readyz', '/metrics']);

/** The answer of `work`, or `otherwise` if it fails or takes over 3 s: a probe never hangs. */
async function within<T>(work: () => Promise<T>, otherwise: T): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<T>((resolve) => { timer = setTimeout(() => resolve(otherwise), CHECK_TIMEOUT_MS); });
  try {
    return await Promise.race([work().catch(() => otherwise), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

function problemFor(error: FastifyError) {
  switch (error.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return problem(413, 'body-too-large', 'Request body too large', error.message);
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return problem(415, 'unsupported-media-type', 'Unsupported media type', error.message);
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
      return problem(400, 'malformed-body', 'Malformed body', error.message);
    default:
      if (error.statusCode !== undefined && error.statusCode >= 400 && error.statusCode < 500) {
        return problem(error.statusCode, 'bad-request', 'Bad request', error.message);
      }
      return null;
  }
}

export function createHttpApp(options: HttpAppOptions) {
  const app = Fastify({
    loggerInstance: options.logger,
    bodyLimit: options.bodyLimit ?? 1024 * 1024,
    // Probes and scrapes every few seconds would drown the log; requests are logged as usual.
    logController: new LogController({ disableRequestLogging: (request) => PROBES.has(request.url) }),
    return503OnClosing: true,
    // Errors before a request reaches fastify (a request not in whole in time, headers too large,
    // bytes that are not HTTP) are answered as problem documents too, and the connection closed.
    clientErrorHandler: answerClientError,
    trustProxy: options.trustedProxies && options.trustedProxies.length > 0 ? [...options.trustedProxies] : false,
    // A request whose headers and body are not all in within 30 s is answered 408 and its
    // connection closed (a 25 MiB document needs about 7 Mbit/s); a connection silent for a minute
    // is closed; a kept-alive one idles 5 s and serves 1,000 requests at most. A dripping sender
    // holds nothing for long.
    // Node checks the request timeout every connectionsCheckingInterval (30 s by default): once a
    // second here, so a request is cut at its limit, not up to 30 s after.
    serverFactory: (handler) => {
      const requestTimeout = options.requestTimeoutMs ?? 30_000;
      const server = createServer({
        requestTimeout, headersTimeout: requestTimeout, keepAliveTimeout: 5_000,
        connectionsCheckingInterval: Math.min(1_000, requestTimeout),
      }, handler);
      server.maxRequestsPerSocket = 1_000;
      server.setTimeout(60_000);
      limitConnectionsPerClient(server, options.maxConnectionsPerClient ?? 64, options.trustedProxies ?? []);
      // And in all, whoever they come from: past this, Node closes new connections at once.
      server.maxConnections = options.maxConnections ?? 4_096;
      return server;
    },
  });
  const routes: RegisteredRoute[] = [];
  routeLists.set(app, routes);
  // A body where none is read (a GET, a HEAD, a path with no route) is refused before a byte of it
  // is read, and the connection closed: otherwise Node drains it, gigabytes from anyone.
  app.addHook('onRequest', (request, reply, done) => {
    const length = request.headers['content-length'];
    const body = (length !== undefined && length !== '0') || request.headers['transfer-encoding'] !== undefined;
    if (body && (request.method === 'GET' || request.method === 'HEAD' || request.is404)) {
      reply.header('connection', 'close');
      void sendProblem(reply, problem(400, 'unexpected-body', 'Unexpected body', `${request.is404 ? 'no such route' : `a ${request.method}`} takes no body`));
      return;
    }
    done();
  });
  app.addHook('onRoute', (route) => { for (const method of [route.method].flat()) routes.push({ method, url: route.url }); });

  app.setErrorHandler((error: FastifyError, request, reply) => {
    const known = problemFor(error);
    if (known) return sendProblem(reply, known);
    request.log.error({ err: error }, 'unhandled error');
    return sendProblem(reply, problem(500, 'internal', 'Internal error', 'The request could not be completed; it is safe to retry.'));
  });
  app.setNotFoundHandler((request, reply) =>
    sendProblem(reply, problem(404, 'not-found', 'Not found', `No route ${request.method} ${request.url.split('?')[0]}`)),
  );

  app.get('/healthz', () => ({ status: 'ok' }));
  app.get('/readyz', async (_request, reply) => {
    const results = await Promise.all(options.checks.map(async (c) => [c.name, await within(c.check, false)] as const));
    const ready = results.every(([, ok]) => ok);
    const allowed = !options.operator || (await options.operator(_request.headers.authorization).catch(() => false)) === true;
    const details = options.details && allowed ? await within(options.details, { details: 'unavailable: not answered within 3 s' }) : {};
    return reply.code(ready ? 200 : 503).send({ status: ready ? 'ready' : 'not-ready', checks: Object.fromEntries(results), ...details });
  });
  app.get('/metrics', async (request, reply) => {
    const who = options.operator ? await options.operator(request.headers.authorization).catch(() => false as const) : true;
    if (who === 'forbidden') {
      return sendProblem(reply, problem(403, 'operators-only', 'Operators only', 'the metrics are for operators; a force\'s credential does not read them'));
    }
    if (who !== true) {
      reply.header('www-authenticate', 'Bearer realm="vawg"');
      return sendProblem(reply, problem(401, 'unauthorized', 'Unauthorized', 'the metrics are for operators: send an operator credential as `Authorization: Bearer <token>`'));
    }
    return reply.type(options.registry.contentType).send(await options.registry.metrics());
  });
  return app;
}

export type HttpApp = ReturnType<typeof createHttpApp>;

/**
 * At most `max` open connections from one address: the next is answered 429 and closed before a
 * byte of its request is read, so one client cannot hold every socket the process can open. A
 * trusted proxy carries every client's connections, so its own are not counted.
 */
export function limitConnectionsPerClient(server: Server, max: number, trustedProxies: readonly string[]): void {
  const trusted = trustedProxies.length > 0 ? compileProxies([...trustedProxies]) : () => false;
  const open = new Map<string, number>();
  const refusal = JSON.stringify(problem(429, 'too-many-connections', 'Too many connections', `at most ${max} connections from one address at once: reuse one (keep-alive), or wait for one to close`));
  server.on('connection', (socket: Socket) => {
    const address = socket.remoteAddress ?? '';
    if (trusted(address, 0)) return;
    const mine = open.get(address) ?? 0;
    if (mine >= max) {
      socket.end(`HTTP/1.1 429 Too Many Requests\r\ncontent-type: application/problem+json\r\nretry-after: 1\r\nconnection: close\r\ncontent-length: ${Buffer.byteLength(refusal)}\r\n\r\n${refusal}`);
      socket.destroySoon();
      return;
    }
    open.set(address, mine + 1);
    socket.once('close', () => {
      const left = (open.get(address) ?? 1) - 1;
      if (left === 0) open.delete(address);
      else open.set(address, left);
    });
  });
}

/** Node's own refusals of a connection's request, as problem documents (`408`, `431`, `400`). */
export function answerClientError(error: Error & { code?: string }, socket: Socket): void {
  // As Node's own handler: never into the middle of an answer already being sent on this connection.
  const answering = (socket as Socket & { _httpMessage?: { headersSent?: boolean } })._httpMessage;
  if (!socket.writable || answering?.headersSent) {
    socket.destroy();
    return;
  }
  const [status, type, title, detail] = error.code === 'ERR_HTTP_REQUEST_TIMEOUT'
    ? [408, 'request-timeout', 'Request timeout', 'the request did not arrive in whole in time: send it again, faster']
    : error.code === 'HPE_HEADER_OVERFLOW'
      ? [431, 'headers-too-large', 'Headers too large', 'the request headers are larger than 16 KiB']
      : [400, 'bad-request', 'Bad request', 'the bytes sent are not an HTTP request'];
  const body = JSON.stringify(problem(status, type, title, detail));
  const reason = { 408: 'Request Timeout', 431: 'Request Header Fields Too Large', 400: 'Bad Request' }[status];
  socket.end(`HTTP/1.1 ${status} ${reason}\r\ncontent-type: application/problem+json\r\nconnection: close\r\ncontent-length: ${Buffer.byteLength(body)}\r\n\r\n${body}`);
}
