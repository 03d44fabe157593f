import { defineConfig } from "vitest/config";

/** End-to-end tests: a production build served by `next start`, driven in Debian's Chromium. */
export default defineConfig({
  test: {
    include: ["tests/e2e/**/*.e2e.ts"],
    globalSetup: ["tests/e2e/global-setup.ts"],
    environment: "node",
    // One browser at a time on a 2-core machine; files share the server and its database.
    fileParallelism: false,
    testTimeout: 90_000,
    hookTimeout: 120_000,
  },
});
