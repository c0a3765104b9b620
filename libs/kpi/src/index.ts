export * from './periods.ts';
export * from './splits.ts';
export * from './measures.ts';
export * from './contributions.ts';
export * from './disclosure.ts';
export * from './cells.ts';
export * from './count-rows.ts';
