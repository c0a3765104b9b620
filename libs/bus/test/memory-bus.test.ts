import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createMemoryBus } from '../src/index.ts';
import { busContract } from './bus-contract.ts';

busContract('memory', () => createMemoryBus());
busContract('memory with file journal', async () => createMemoryBus({ dir: await mkdtemp(join(tmpdir(), 'vawg-bus-')) }));
