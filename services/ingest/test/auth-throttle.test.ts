import { describe, expect, it } from 'vitest';
import Fastify from 'fastify';
import { eventually } from '@vawg/testing';
import { AuthThrottle } from '../src/auth-throttle.ts';
import { createAuthenticate } from '../src/authenticate.ts';
import type { Principal } from '../src/credentials.ts';

describe('slowing down repeated bad credentials', () => {
  it('lets a few failures through, then doubles the delay up to a ceiling, per client', () => {
    const throttle = new AuthThrottle();
    const delays = Array.from({ length: 10 }, () => throttle.fail('10.0.0.1', 1000));
    expect(delays).toEqual([0, 0, 0, 250, 500, 1000, 2000, 4000, 5000, 5000]);
    expect(throttle.fail('10.0.0.2', 1000)).toBe(0);
  });

  it('forgets failures after a minute (a good credential in between does not clear them)', () => {
    const throttle = new AuthThrottle();
    for (let i = 0; i < 5; i++) throttle.fail('d', 0);
    expect(throttle.fail('d', 61_000)).toBe(0);
  });

  it('bounds the credentials looked up at once: past the bound, 429 before any lookup', async () => {
    const waiting: (() => void)[] = [];
    let looked = 0;
    const lookup = () => new Promise<Principal | null>((resolve) => {
      looked += 1;
      waiting.push(() => resolve({ role: 'force', force: 'kent', credentialId: 'c1' }));
    });
    // A credential already remembered (a force sending now) is known without a lookup.
    const kent: Principal = { role: 'force', force: 'kent', credentialId: 'c0' };
    const remembered = Object.assign(lookup, { cached: (token: string) => (token === 'known' ? { principal: kent } : undefined) });
    const app = Fastify();
    app.decorateRequest('principal', null);
    app.addHook('onRequest', createAuthenticate(remembered, undefined, 2));
    app.get('/x', () => ({ ok: true }));
    const ask = () => app.inject({ url: '/x', headers: { authorization: 'Bearer abc' } });
    const first = [ask(), ask()];
    await eventually(() => expect(looked).toBe(2));
    const third = await ask();
    expect(third.statusCode).toBe(429);
    expect(third.headers['retry-after']).toBe('1');
    expect(looked).toBe(2);
    expect((await app.inject({ url: '/x', headers: { authorization: 'Bearer known' } })).statusCode).toBe(200);
    for (const release of waiting) release();
    expect((await Promise.all(first)).map((r) => r.statusCode)).toEqual([200, 200]);
    // The bound is of lookups in flight: with those answered, the next is looked up.
    const fourth = ask();
    await eventually(() => expect(looked).toBe(3));
    waiting[2]!();
    expect((await fourth).statusCode).toBe(200);
  });
});
