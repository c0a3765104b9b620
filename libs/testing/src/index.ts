export * from './env.ts';
export * from './database.ts';
export * from './eventually.ts';
