// The fault-injection suite, small (CI): each fault once, on about 1,000 events, on brokers,
// PostgreSQL and an S3 endpoint of its own. `npm run chaos` runs it large.
import { describe, expect, it } from 'vitest';
import { runChaos, table } from '../src/run.ts';
import { faults } from '../src/faults.ts';

describe('every fault survived', () => {
  it('loses nothing acknowledged, counts nothing twice, matches the reference and never mixes a revision, whatever fails', async () => {
    const results = await runChaos({ events: 9_000, trialsPerFault: 1, log: (line) => console.log(line) });
    console.log(table(results));
    expect(results.map((r) => r.fault)).toEqual(faults.filter((f) => f.brokers === 1).concat(faults.filter((f) => f.brokers === 3)).map((f) => f.name));
    for (const r of results) {
      expect(r, r.fault).toMatchObject({ lost: 0, countedTwice: 0, cellsDiffering: 0, modelDiffering: 0, mixedRevisions: 0 });
      expect(r.acknowledged, r.fault).toBeGreaterThan(500);
      expect(r.counted, r.fault).toBe(r.acknowledged);
    }
  }, 600_000);
});
