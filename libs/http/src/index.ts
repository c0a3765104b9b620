export * from './app.ts';
export * from './problem.ts';
export * from './openapi.ts';
