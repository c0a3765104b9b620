export { startAggregate, aggregateMigrations, type AggregateDeps } from './aggregate-service.ts';
