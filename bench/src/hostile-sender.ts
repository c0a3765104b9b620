// Kent's side of bench (g), in a process of its own so its work never delays the measurements:
// four batches in flight at once (kent's whole share), each sent again as soon as it is answered:
// a JSON array with one 1 MiB one-word field, and batches of 150 lines of 60 KiB. Until SIGTERM;
// then prints how many batches were answered, and how many of them 202.
import { randomUUID } from 'node:crypto';

const [base, token] = process.argv.slice(2) as [string, string];
const line = (crimeRef: string) => ({
  eventId: randomUUID(), type: 'crime.recorded', schemaVersion: 1, force: 'kent', occurredAt: '2025-04-10', producedAt: '2025-04-10T09:00:00Z',
  payload: { crimeRef, offenceGroup: 'stalking', domesticAbuse: true, victim: { sex: 'female', ageBand: '25-34', ethnicity: 'white' } },
});
const heavy = Array.from({ length: 150 }, () => JSON.stringify(line('w'.repeat(60 * 1024)))).join('\n');
const oneField = JSON.stringify([line('w'.repeat(1 << 20))]);
let stopped = false;
let answered = 0;
let accepted = 0;
process.on('SIGTERM', () => { stopped = true; });

async function sender(k: number): Promise<void> {
  while (!stopped) {
    const body = k === 0 ? oneField : heavy;
    const type = k === 0 ? 'application/json' : 'application/x-ndjson';
    const answer = await fetch(`${base}/v1/events`, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': type }, body }).catch(() => null);
    await answer?.arrayBuffer();
    answered += 1;
    if (answer?.status === 202) accepted += 1;
  }
}

await Promise.all([0, 1, 2, 3].map(sender));
process.stdout.write(`${JSON.stringify({ answered, accepted })}\n`);
