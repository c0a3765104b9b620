export * from './classify.ts';
export * from './stage-runner.ts';
export * from './positions.ts';
export * from './progress.ts';
export * from './dead-letters.ts';
export * from './lag-monitor.ts';

export const pipelineMigrations = { scope: 'pipeline', dir: new URL('../migrations/', import.meta.url) };
export * from './completeness-rules.ts';
export * from './completeness.ts';
export * from './completeness-metrics.ts';
