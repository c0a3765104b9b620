// A batch whose sender hangs up before its answer (attacker's second review): nothing of it is
// written, and its slot is held while it is still being worked on, then given back.
import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seeded, syntheticCrimes } from '@vawg/synthetic';
import { eventually } from '@vawg/testing';
import { createCredential } from '../src/index.ts';
import { startIngestFixture, type IngestFixture } from './ingest-fixture.ts';

describe('a batch whose sender hangs up', () => {
  let fx: IngestFixture;
  let port: number;
  let token: string;
  beforeAll(async () => {
    fx = await startIngestFixture('abandoned', { ingest: { fairShare: { requests: { perForce: 1, total: 4 }, events: { rate: 1e6, burst: 1e6 } } } });
    port = Number(new URL(await fx.app.listen({ port: 0, host: '127.0.0.1' })).port);
    token = await createCredential(fx.pool, { role: 'force', force: 'kent' });
  });
  afterAll(async () => fx?.stop());

  it('is not written, and its slot comes back once its work has stopped', async () => {
    const crimes = syntheticCrimes(seeded(3), { force: 'kent', count: 2000, from: '2025-04-01', to: '2025-04-30' });
    const body = Buffer.from(crimes.map((c) => JSON.stringify(c)).join('\n'));
    const socket = connect(port, '127.0.0.1');
    await new Promise((resolve) => socket.once('connect', resolve));
    socket.on('error', () => undefined);
    socket.write(`POST /v1/events HTTP/1.1\r\nhost: t\r\nauthorization: Bearer ${token}\r\ncontent-type: application/x-ndjson\r\ncontent-length: ${body.length}\r\n\r\n`);
    socket.end(body);
    socket.destroy();
    // Its one slot comes back (an empty batch takes a slot but no event: 400 once it is free).
    await eventually(async () => {
      const probe = await fetch(`http://127.0.0.1:${port}/v1/events`, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/x-ndjson' }, body: '' });
      expect(probe.status).toBe(400);
    }, { timeoutMs: 20_000 });
    // Nothing of the abandoned batch was written or acknowledged.
    const { rows } = await fx.pool.query<{ n: number }>("SELECT count(*)::int AS n FROM ingest.submissions WHERE force = 'kent'");
    expect(rows[0]!.n).toBe(0);
    // And the force sends again as usual.
    const again = await fetch(`http://127.0.0.1:${port}/v1/events`, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/x-ndjson' }, body: body.subarray(0, body.indexOf(0x0a)) });
    expect(again.status).toBe(202);
  });
});
