// A deliberately poisoned message, on both buses: aggregate cannot store one crime (a simulated bug,
// a constraint it breaks), so that message alone is dead-lettered, counted and alerted on, while
// the rest of its partition is counted. After the fix, the redrive counts it exactly once, even
// when the redriven message arrives twice.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCredential } from '@vawg/ingest';
import { compareWithReference } from '@vawg/aggregate';
import { listDeadLetters, readAccounting, redriveDeadLetters } from '@vawg/pipeline';
import { REDRIVE_HEADER, type DeadLetterRecord } from '@vawg/contracts';
import { seeded, syntheticCrimes } from '@vawg/synthetic';
import { eventually } from '@vawg/testing';
import { startStackFixture, type BusKind, type StackFixture } from './stack-fixture.ts';

describe.each<BusKind>(['postgres', 'kafka'])('a poisoned message on the %s bus', (kind) => {
  let stack: StackFixture;
  let token: string;
  beforeAll(async () => {
    stack = await startStackFixture(kind);
    token = await createCredential(stack.pool, { role: 'force', force: 'kent' });
  }, 120_000);
  afterAll(async () => stack?.stop());

  const kentCrimes = async () => {
    const { rows } = await stack.pool.query<{ n: number }>(
      `SELECT coalesce(sum(value), 0)::int AS n FROM aggregate.cells WHERE force = 'kent' AND measure = 'crimes-recorded' AND split = 'all'`);
    return rows[0]!.n;
  };

  it('is dead-lettered and alerted while the rest is counted, then redriven and counted exactly once', async () => {
    await stack.pool.query(`ALTER TABLE aggregate.case_events ADD CONSTRAINT simulated_bug CHECK (case_ref <> 'POISON-1')`);
    const crimes = syntheticCrimes(seeded(8), { force: 'kent', count: 200, from: '2025-04-01', to: '2025-06-30', refPrefix: 'D' });
    const poisoned = crimes[117]!;
    if (poisoned.type !== 'crime.recorded') throw new Error('expected a crime');
    poisoned.payload.crimeRef = 'POISON-1';
    const response = await fetch(`${stack.url}/v1/events`, {
      method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/x-ndjson' }, body: crimes.map((c) => JSON.stringify(c)).join('\n'),
    });
    expect(response.status).toBe(202);

    // The partition moves on: everything but the poisoned message is counted.
    await eventually(async () => expect(await readAccounting(stack.pool, new Date())).toMatchObject({ accepted: 200, counted: 199, deadLettered: 1, pending: { validate: 0, aggregate: 0 } }), { timeoutMs: 90_000 });
    expect(await kentCrimes()).toBe(199);
    const [letter, ...others] = await listDeadLetters(stack.pool);
    expect(others).toEqual([]);
    expect(letter).toMatchObject({ stage: 'aggregate', force: 'kent', status: 'dead', error: expect.stringContaining('simulated_bug') as unknown });
    expect(letter!.attempts).toBeGreaterThanOrEqual(3);
    // Metrics are for operators: a force, or nobody, is refused them.
    expect((await fetch(`${stack.url}/metrics`, { headers: { authorization: `Bearer ${token}` } })).status).toBe(403);
    expect((await fetch(`${stack.url}/metrics`)).status).toBe(401);
    const operator = await createCredential(stack.pool, { role: 'operator', force: null });
    const metrics = await (await fetch(`${stack.url}/metrics`, { headers: { authorization: `Bearer ${operator}` } })).text();
    expect(metrics).toMatch(/^vawg_dead_letters_total\{stage="aggregate",force="kent"\} 1$/m);
    // Kept whole on the dead-letter topic too: the original, the stage, the error and the attempts.
    const { rows } = await stack.pool.query<{ record: string }>('SELECT record FROM pipeline.dead_letters');
    const record = JSON.parse(rows[0]!.record) as DeadLetterRecord;
    expect(record).toMatchObject({ type: 'dead-letter', v: 1, stage: 'aggregate', source: { topic: stack.topics.valid }, original: { encoding: 'utf8' } });
    expect(record.original.data).toContain('"crimeRef":"POISON-1"');

    // The fix, then the redrive.
    await stack.pool.query('ALTER TABLE aggregate.case_events DROP CONSTRAINT simulated_bug');
    const bus = stack.bus;
    expect((await redriveDeadLetters(stack.pool, bus, {})).map((l) => l.id)).toEqual([letter!.id]);
    await eventually(async () => expect((await listDeadLetters(stack.pool, { all: true }))[0]).toMatchObject({ status: 'processed', redrives: 1 }), { timeoutMs: 60_000 });
    expect(await kentCrimes()).toBe(200);

    // The same redrive arriving a second time (a redrive repeated after a crash) changes nothing.
    await bus.publish(record.source.topic, [{ key: 'kent', value: record.original.data, headers: { [REDRIVE_HEADER]: record.id } }]);
    expect(await redriveDeadLetters(stack.pool, bus, { again: true })).toEqual([]);
    await eventually(async () => {
      const ends = await bus.endOffsets(stack.topics.valid);
      const { rows: positions } = await stack.pool.query<{ n: number }>('SELECT coalesce(sum(next_offset), 0)::int AS n FROM aggregate.consumer_offsets');
      expect(positions[0]!.n).toBe(ends.reduce((a, b) => a + b, 0));
    }, { timeoutMs: 60_000 });
    expect(await readAccounting(stack.pool, new Date())).toMatchObject({ accepted: 200, counted: 200, deadLettered: 0 });
    expect(await kentCrimes()).toBe(200);
    expect((await compareWithReference(stack.pool)).differences).toEqual([]);
  }, 240_000);
});
