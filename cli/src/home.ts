// Where `vawg up` keeps its embedded state (database, objects, bus journal) and tells the other
// commands how to reach it: `.vawg/` at the repository root unless VAWG_HOME says otherwise.
import { chmodSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { processAlive, repoRoot } from '@vawg/infra';

export function vawgHome(): string {
  const home = process.env.VAWG_HOME ?? join(repoRoot, '.vawg');
  // Traversable by others: embedded PostgreSQL runs as the postgres user when we are root.
  mkdirSync(home, { recursive: true });
  chmodSync(home, 0o755);
  return home;
}

const upState = z.object({
  pid: z.number(),
  url: z.string(),
  startedAt: z.string(),
  databaseUrl: z.string(),
  postgresPort: z.number().nullable(),
  bus: z.enum(['postgres', 'kafka']),
  /** The brokers when the bus is Kafka, so the other commands reach the same one. */
  kafkaBrokers: z.array(z.string()).nullable(),
  topicPrefix: z.string(),
  s3: z.object({
    endpoint: z.string().optional(),
    region: z.string(),
    bucket: z.string(),
    accessKeyId: z.string().optional(),
    secretAccessKey: z.string().optional(),
    forcePathStyle: z.boolean(),
  }),
});
export type UpState = z.infer<typeof upState>;

const statePath = () => join(vawgHome(), 'state.json');

/** The state of the `vawg up` that is running now, if one is. */
export function readUpState(): UpState | null {
  const path = statePath();
  if (!existsSync(path)) return null;
  const parsed = upState.safeParse(JSON.parse(readFileSync(path, 'utf8')));
  if (!parsed.success || !processAlive(parsed.data.pid)) return null;
  return parsed.data;
}

/** The port the embedded database had last time, so its data directory keeps one address. */
export function lastPostgresPort(): number | null {
  const path = statePath();
  if (!existsSync(path)) return null;
  const parsed = upState.safeParse(JSON.parse(readFileSync(path, 'utf8')));
  return parsed.success ? parsed.data.postgresPort : null;
}

export function writeUpState(state: UpState): void {
  writeFileSync(statePath(), `${JSON.stringify(state, null, 2)}\n`, { mode: 0o600 });
}

export function clearUpState(): void {
  rmSync(statePath(), { force: true });
}
