export { startIngest, ingestMigrations, type IngestDeps } from './ingest-service.ts';
export { createCredential, createOperatorCheck, hashToken, issueCredential, type Principal } from './credentials.ts';
export type { Receipt } from './submit.ts';
/** The decoding and stateless checks of a batch, for the benchmarks. */
export { decodeJsonArray, decodeNdjson } from './decode-body.ts';
export { checkLines } from './check-lines.ts';
