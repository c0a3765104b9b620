#!/usr/bin/env node
// The `vawg` command. The project runs TypeScript as source (no build step): tsx compiles on load.
import { register } from 'tsx/esm/api';

register();
await import('../src/main.ts');
