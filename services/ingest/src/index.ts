export { startIngest, ingestMigrations, type IngestDeps } from './ingest-service.ts';
export { createCredential, hashToken, type Principal } from './credentials.ts';
export type { Receipt } from './submit.ts';
