#!/usr/bin/env node
// The `metahook` command. A committed file rather than dist/bin.js so that package managers can
// link it before anything is built (no "Failed to create bin" on install). In a metahook checkout
// it first brings the CLI's build up to date, quietly: stdout is the command's alone.
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { delimiter, isAbsolute } from "node:path";
import { fileURLToPath } from "node:url";

const path = (relative) => fileURLToPath(new URL(relative, import.meta.url));
const root = path("../../../");
// tsconfig.build.json is not packed, so this holds only in a checkout; TURBO_HASH is set inside a
// turbo task, whose dependencies turbo has already built.
const checkout = existsSync(path("../tsconfig.build.json")) && existsSync(`${root}turbo.json`);
if (checkout && !process.env.TURBO_HASH) {
  const bin = `${root}node_modules/.bin`;
  // pnpm puts `./node_modules/.bin` first on PATH; turbo would find pnpm there and then fail to
  // spawn it from each package's directory, so only absolute entries are passed on.
  const PATH = [bin, ...(process.env.PATH ?? "").split(delimiter).filter((p) => isAbsolute(p))];
  const turbo = `${bin}/turbo`;
  const built = spawnSync(
    turbo,
    ["run", "build", "--filter=@metahook/cli...", "--output-logs=errors-only"],
    {
      cwd: root,
      encoding: "utf8",
      env: {
        ...process.env,
        PATH: PATH.join(delimiter),
        TURBO_TELEMETRY_DISABLED: "1",
        DO_NOT_TRACK: "1",
      },
      stdio: ["ignore", "pipe", "pipe"],
    },
  );
  if (built.status !== 0) {
    process.stderr.write(`${built.stdout ?? ""}${built.stderr ?? ""}`);
    process.stderr.write(
      `metahook: building the CLI failed (${built.error?.message ?? `exit ${built.status}`}); run \`pnpm build\` at ${root} to see why\n`,
    );
    process.exit(1);
  }
}
if (!existsSync(path("../dist/bin.js"))) {
  process.stderr.write(
    `metahook: ${path("../dist/bin.js")} is missing: this copy of @metahook/cli was never built; reinstall it, or run \`pnpm build\` in a metahook checkout\n`,
  );
  process.exit(1);
}
await import("../dist/bin.js");
