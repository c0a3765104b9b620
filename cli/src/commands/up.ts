import { halfYearEndedBefore } from '@vawg/kpi';
import { londonDate } from '@vawg/contracts';
import { bringUp } from '../bring-up.ts';

export function printUp(url: string, summary: string[]): void {
  console.log(`VAWG data system is up.\n`);
  console.log(`  ingest API     ${url}   (POST /v1/events, GET /v1/submissions/{id})`);
  console.log(`  console        ${url}/console/   (the operators' console: sign in with a credential from \`vawg tokens create --operator\`)`);
  console.log(`  health         ${url}/healthz  ${url}/readyz  ${url}/metrics   (metrics and lag: an operator's credential)`);
  for (const line of summary) console.log(`  ${line}`);
}

export async function upCommand(options: { port?: number }): Promise<void> {
  const up = await bringUp(options);
  printUp(up.state.url, up.summary);
  console.log(`\nNext, in another terminal:
  npx vawg tokens create --force kent          (prints the token alone on stdout)
  npx vawg send --force kent --token <token> events.ndjson
  npx vawg publish --period ${halfYearEndedBefore(londonDate(new Date()))}
Stop with Ctrl-C.`);
  await up.waitForSignal();
  console.log('\nstopping…');
  await up.stop();
}
