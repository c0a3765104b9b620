// Settings every workspace's tests share. Integration tests talk to a real broker, database and
// S3 endpoint, so timeouts are generous; performance is measured by `npm run bench`, not here.
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    testTimeout: 60_000,
    hookTimeout: 120_000,
    include: ['test/**/*.test.ts'],
    // Integration test files share one broker and PostgreSQL: one file at a time per package
    // keeps 2 cores from thrashing (turbo still runs packages side by side).
    fileParallelism: false,
    // The AWS SDK's notice that its 2027 releases need Node 22 (see the README), once per process.
    env: { AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
  },
});
