export { startAggregate, aggregateMigrations, aggregateGroup, aggregatePositions, type AggregateDeps } from './aggregate-service.ts';
export { applyBatch, type BatchOutcome } from './apply-batch.ts';
export { insertFacts, insertRetractions, type StoredFact, type Retraction } from './case-store.ts';
export { compareWithReference, referenceCells, liveCells, type Comparison, type CellValue } from './reference/compare.ts';
