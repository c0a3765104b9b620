#!/usr/bin/env node
// The `vawg` command. The project runs TypeScript as source (no build step): tsx compiles on load.
import { register } from 'tsx/esm/api';

// The AWS SDK warns on every run that its 2027 releases will need Node 22 (see the README):
// worth knowing once, not worth printing in every command's output.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
register();
await import('../src/main.ts');
