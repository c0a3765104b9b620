// Timing for benchmarks: the best of several rounds, so a busy shared machine distorts less.
import { performance } from 'node:perf_hooks';

export interface Rate {
  name: string;
  events: number;
  seconds: number;
  eventsPerSecond: number;
}

export async function bestOf(name: string, events: number, rounds: number, run: () => Promise<void> | void): Promise<Rate> {
  let best = Infinity;
  for (let i = 0; i < rounds; i++) {
    const start = performance.now();
    await run();
    best = Math.min(best, (performance.now() - start) / 1000);
  }
  return { name, events, seconds: best, eventsPerSecond: Math.round(events / best) };
}

export function printRates(title: string, rates: Rate[]): void {
  console.log(`\n${title}`);
  const width = Math.max(...rates.map((r) => r.name.length));
  for (const r of rates) {
    console.log(`  ${r.name.padEnd(width)}  ${String(r.eventsPerSecond).padStart(10)} events/s  (${r.events} events in ${r.seconds.toFixed(3)} s)`);
  }
}
