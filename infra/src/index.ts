export * from './paths.ts';
export * from './free-port.ts';
export * from './processes.ts';
export * from './kafka-broker.ts';
export * from './kafka-cluster.ts';
export * from './postgres.ts';
export * from './s3.ts';
export * from './local-stack.ts';
