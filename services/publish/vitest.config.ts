import { defineConfig, mergeConfig } from 'vitest/config';
import shared from '../../vitest.shared.ts';

// A publication withholds across tables with LPs (libs/kpi/src/audit): minutes on a busy machine.
export default mergeConfig(shared, defineConfig({ test: { testTimeout: 300_000 } }));
