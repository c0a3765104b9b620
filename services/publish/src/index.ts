export { startPublish, publishMigrations, DEFAULT_SCHEDULE } from './publish-service.ts';
export { publishPeriod, listPublications, PublishError, type PublicationResult, type PublicationSummary, type PublishDeps } from './publish-period.ts';
