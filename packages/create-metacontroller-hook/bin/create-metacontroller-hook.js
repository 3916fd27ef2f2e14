#!/usr/bin/env node
// The `create-metacontroller-hook` command. A committed file rather than dist/bin.js so that
// package managers can link it before anything is built (no "Failed to create bin" on install).
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";

const bin = fileURLToPath(new URL("../dist/bin.js", import.meta.url));
if (!existsSync(bin)) {
  process.stderr.write(
    `create-metacontroller-hook: ${bin} is missing: run \`pnpm build\` in the metahook checkout first (or \`npm run create -- <dir>\` at its root, which builds)\n`,
  );
  process.exit(1);
}
await import("../dist/bin.js");
