export * from './env.ts';
export * from './database.ts';
export * from './eventually.ts';
export * from './tcp-proxy.ts';
