import { kafkaBrokers } from '@vawg/testing';
import { createKafkaBus } from '../src/index.ts';
import { busContract } from './bus-contract.ts';

busContract('kafka', () => Promise.resolve(createKafkaBus({ brokers: kafkaBrokers(), clientId: 'bus-contract' })));
