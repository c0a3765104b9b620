export * from './random.ts';
export * from './crimes.ts';
