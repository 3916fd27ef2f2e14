import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    // The corpus tests generate and type-check ~150k lines; on 2 cores that takes a while.
    testTimeout: 180_000,
    hookTimeout: 180_000,
  },
});
