export { startAggregate, aggregateMigrations, type AggregateDeps } from './aggregate-service.ts';
export { applyBatch, type BatchOutcome } from './apply-batch.ts';
export { compareWithReference, referenceCells, referenceCellsIn, liveCells, cellKey, type Comparison, type CellValue } from './reference/compare.ts';
