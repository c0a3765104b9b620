export { startIngest, ingestMigrations, type IngestDeps } from './ingest-service.ts';
export { createCredential, createOperatorCheck, hashToken, type Principal } from './credentials.ts';
export type { Receipt } from './submit.ts';
