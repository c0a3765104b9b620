export type * from './port.ts';
export { createKafkaBus, type KafkaBusOptions } from './kafka-bus.ts';
export { createPostgresBus, busMigrations, type PostgresBusOptions } from './postgres-bus.ts';
export { createMemoryBus, type MemoryBusOptions } from './memory-bus.ts';
export { RewindTo } from './rewind.ts';
