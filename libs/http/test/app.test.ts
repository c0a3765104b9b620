import { once } from 'node:events';
import { connect, type AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { eventually } from '@vawg/testing';
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { requestForLog, silentLogger } from '@vawg/log';
import { createRegistry, counter } from '@vawg/metrics';
import { createHttpApp } from '../src/index.ts';

describe('the HTTP shell of every service', () => {
  it('answers liveness, readiness per check, metrics, and problem documents without stacks', async () => {
    const registry = createRegistry();
    counter(registry, 'vawg_test_total', 'a test counter').inc(3);
    let brokerUp = true;
    const app = createHttpApp({ logger: silentLogger(), registry, checks: [{ name: 'broker', check: () => Promise.resolve(brokerUp) }] });
    app.get('/boom', () => { throw new Error('secret internals'); });
    app.post('/echo', { bodyLimit: 10 }, (request) => request.body);

    expect((await app.inject('/healthz')).json()).toEqual({ status: 'ok' });
    expect((await app.inject('/readyz')).statusCode).toBe(200);
    brokerUp = false;
    const notReady = await app.inject('/readyz');
    expect(notReady.statusCode).toBe(503);
    expect(notReady.json()).toEqual({ status: 'not-ready', checks: { broker: false } });
    expect((await app.inject('/metrics')).body).toContain('vawg_test_total 3');

    const boom = await app.inject('/boom');
    expect(boom.statusCode).toBe(500);
    expect(boom.headers['content-type']).toContain('application/problem+json');
    expect(boom.body).not.toContain('secret internals');
    const large = await app.inject({ method: 'POST', url: '/echo', payload: { much: 'too long for ten bytes' } });
    expect(large.json()).toMatchObject({ status: 413, type: '/problems/body-too-large' });
    expect((await app.inject('/nowhere')).json()).toMatchObject({ status: 404, type: '/problems/not-found' });
    await app.close();
  });

  it('on a port the outside reaches, gives metrics and the details of readiness to operators only', async () => {
    const registry = createRegistry();
    counter(registry, 'vawg_test_total', 'a test counter').inc(1);
    const app = createHttpApp({
      logger: silentLogger(), registry, checks: [{ name: 'bus', check: () => Promise.resolve(true) }],
      details: () => Promise.resolve({ lag: { validate: { messages: 3 } } }),
      operator: (authorization) => Promise.resolve(authorization === 'Bearer operator-token' ? true : authorization === 'Bearer a-force-token' ? 'forbidden' : false),
    });
    const asOperator = { headers: { authorization: 'Bearer operator-token' } };
    expect((await app.inject('/readyz')).json()).toEqual({ status: 'ready', checks: { bus: true } });
    expect((await app.inject({ url: '/readyz', ...asOperator })).json()).toEqual({ status: 'ready', checks: { bus: true }, lag: { validate: { messages: 3 } } });
    const refused = await app.inject({ url: '/metrics', headers: { authorization: 'Bearer a-force-token' } });
    expect(refused.statusCode).toBe(403);
    expect(refused.json()).toMatchObject({ type: '/problems/operators-only' });
    expect(refused.body).not.toContain('vawg_test_total');
    const anonymous = await app.inject({ url: '/metrics' });
    expect(anonymous.statusCode).toBe(401);
    expect(anonymous.json()).toMatchObject({ type: '/problems/unauthorized' });
    expect((await app.inject({ url: '/readyz', headers: { authorization: 'Bearer a-force-token' } })).json()).toEqual({ status: 'ready', checks: { bus: true } });
    expect((await app.inject({ url: '/metrics', ...asOperator })).body).toContain('vawg_test_total 1');
    await app.close();
  });

  it('takes the client address from X-Forwarded-For only when the connection comes from a trusted proxy', async () => {
    const make = (trustedProxies?: string[]) => {
      const app = createHttpApp({ logger: silentLogger(), registry: createRegistry(), checks: [], trustedProxies });
      app.get('/address', (request) => ({ ip: request.ip }));
      return app;
    };
    const behind = make(['10.0.0.0/8']);
    const ask = (app: ReturnType<typeof make>, remoteAddress: string) =>
      app.inject({ url: '/address', remoteAddress, headers: { 'x-forwarded-for': '203.0.113.7' } }).then((r) => r.json<{ ip: string }>().ip);
    expect(await ask(behind, '10.1.2.3')).toBe('203.0.113.7');
    // Anyone else saying so is not believed: its own address is the one throttled.
    expect(await ask(behind, '198.51.100.9')).toBe('198.51.100.9');
    expect(await ask(make(), '10.1.2.3')).toBe('10.1.2.3');
    await behind.close();
  });

  it('holds one address to its connections at once: the next is answered 429 before its request is read, and a proxy it trusts is not counted', async () => {
    const open = async (port: number) => {
      const socket = connect(port, '127.0.0.1');
      await once(socket, 'connect');
      return socket;
    };
    const app = createHttpApp({ logger: silentLogger(), registry: createRegistry(), checks: [], maxConnectionsPerClient: 2 });
    await app.listen({ port: 0, host: '127.0.0.1' });
    const port = (app.server.address() as AddressInfo).port;
    const held = [await open(port), await open(port)];
    const third = await open(port);
    const answer = await new Promise<string>((resolve) => {
      let text = '';
      third.on('data', (chunk: Buffer) => { text += chunk.toString(); });
      third.on('close', () => resolve(text));
    });
    expect(answer).toMatch(/^HTTP\/1.1 429 /);
    expect(answer).toContain('/problems/too-many-connections');
    // One closed, one more may come.
    held[0]!.destroy();
    await once(held[0]!, 'close');
    await eventually(async () => expect((await fetch(`http://127.0.0.1:${port}/healthz`)).status).toBe(200));
    held[1]!.destroy();
    await app.close();

    const proxied = createHttpApp({ logger: silentLogger(), registry: createRegistry(), checks: [], maxConnectionsPerClient: 1, trustedProxies: ['127.0.0.1'] });
    await proxied.listen({ port: 0, host: '127.0.0.1' });
    const proxyPort = (proxied.server.address() as AddressInfo).port;
    const sockets = [await open(proxyPort), await open(proxyPort)];
    expect((await fetch(`http://127.0.0.1:${proxyPort}/healthz`)).status).toBe(200);
    for (const s of sockets) s.destroy();
    await proxied.close();
  });

  it('answers bytes that are not HTTP, and headers too large, with problem documents', async () => {
    const app = createHttpApp({ logger: silentLogger(), registry: createRegistry(), checks: [] });
    await app.listen({ port: 0, host: '127.0.0.1' });
    const port = (app.server.address() as AddressInfo).port;
    const answer = async (bytes: string) => {
      const socket = connect(port, '127.0.0.1');
      await once(socket, 'connect');
      socket.write(bytes);
      let text = '';
      socket.on('data', (chunk: Buffer) => { text += chunk.toString(); });
      await once(socket, 'close');
      return text;
    };
    const junk = await answer('\u0000\u0001 not http at all\r\n\r\n');
    expect(junk).toMatch(/^HTTP\/1.1 400 /);
    expect(junk).toContain('/problems/bad-request');
    const huge = await answer(`GET /healthz HTTP/1.1\r\nhost: x\r\nx-big: ${'a'.repeat(20_000)}\r\n\r\n`);
    expect(huge).toMatch(/^HTTP\/1.1 431 /);
    expect(huge).toContain('application/problem+json');
    await app.close();
  });

  it('refuses a body where none is read (a GET, a path with no route) before reading it, and closes the connection', async () => {
    const app = createHttpApp({ logger: silentLogger(), registry: createRegistry(), checks: [] });
    await app.listen({ port: 0, host: '127.0.0.1' });
    const port = (app.server.address() as AddressInfo).port;
    for (const head of [`GET /healthz HTTP/1.1\r\nhost: x\r\ncontent-length: 10000000000\r\n\r\n`, `POST /nothing HTTP/1.1\r\nhost: x\r\ntransfer-encoding: chunked\r\n\r\n`]) {
      const socket = connect(port, '127.0.0.1');
      await once(socket, 'connect');
      socket.write(head);
      // Keep sending: the answer must come, and the connection close, whatever follows.
      const junk = setInterval(() => { if (!socket.destroyed) socket.write('x'.repeat(65536)); }, 1);
      let text = '';
      socket.on('data', (chunk: Buffer) => { text += chunk.toString(); });
      socket.on('error', () => undefined);
      await once(socket, 'close');
      clearInterval(junk);
      expect(text).toMatch(/^HTTP\/1.1 400 /);
      expect(text).toContain('/problems/unexpected-body');
    }
    expect((await app.inject({ url: '/healthz' })).statusCode).toBe(200);
    await app.close();
  });

  it('logs a request by its path, never its query', async () => {
    const lines: string[] = [];
    const sink = new Writable({ write(chunk: Buffer, _encoding, done) { lines.push(chunk.toString()); done(); } });
    const app = createHttpApp({ logger: pino({ serializers: { req: requestForLog } }, sink), registry: createRegistry(), checks: [] });
    await app.inject({ url: '/v1/nothing?note=jane.doe%40example.org&phone=07700900123' });
    await app.close();
    const logged = lines.join('');
    expect(logged).toContain('"url":"/v1/nothing"');
    expect(logged).not.toMatch(/jane|07700/);
  });
});
