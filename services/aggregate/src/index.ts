export { startAggregate, aggregateMigrations, type AggregateDeps } from './aggregate-service.ts';
export { compareWithReference, referenceCells, liveCells, type Comparison, type CellValue } from './reference/compare.ts';
