export * from './random.ts';
export * from './crimes.ts';
export * from './history.ts';
export * from './documents.ts';
