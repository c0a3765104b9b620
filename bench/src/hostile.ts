// (f) Hostile fields: how long the contract takes to refuse what one force's credential can send
// to freeze the event loop if any check is slower than linear (issue 10): a 64,000-character
// run with no spaces in a return's summary, and a 1 MiB field in a JSON-array batch, decoded and
// checked as ingest does.
import { performance } from 'node:perf_hooks';
import { parseEvent } from '@vawg/contracts';
import { checkLines, decodeJsonArray } from '@vawg/ingest';

export interface HostileBench { summary64kMs: number; field1MiBMs: number; emailRun1MiBMs: number }

const returnEvent = (summary: string) => ({
  eventId: '0b7c9a4e-2f1d-4c3b-9a8e-7d6c5b4a3f21', type: 'return.submitted', schemaVersion: 1, force: 'kent',
  occurredAt: '2025-10-06', producedAt: '2025-10-06T10:00:00Z', payload: { kpi: '2.1', period: '2025-H1', summary, documents: [] },
});

function best(runs: number, work: () => void): number {
  let fastest = Infinity;
  for (let i = 0; i < runs; i++) {
    const start = performance.now();
    work();
    fastest = Math.min(fastest, performance.now() - start);
  }
  return fastest;
}

export function benchHostile(): HostileBench {
  const ctx = { force: 'kent', receivedAt: new Date('2025-11-01T12:00:00Z') };
  const run = 'a'.repeat(64_000);
  const summary64kMs = best(5, () => parseEvent(returnEvent(run), ctx));
  const body = Buffer.from(JSON.stringify([returnEvent('b'.repeat(1024 * 1024))]));
  const field1MiBMs = best(5, () => {
    const decoded = decodeJsonArray(body);
    if (decoded.ok) checkLines(decoded.lines, ctx);
  });
  const emails = `${'x'.repeat(1024 * 1024 - 10)}@@@.x`;
  const emailRun1MiBMs = best(5, () => parseEvent(returnEvent(emails), ctx));
  return { summary64kMs, field1MiBMs, emailRun1MiBMs };
}
