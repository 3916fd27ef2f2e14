#!/usr/bin/env node
// `npm run create -- <dir> [options]`: create-metacontroller-hook from this clone, with Node and
// npm alone, until the packages are on the registry. Installs the workspace if needed (pnpm
// through npx), builds, packs the @metahook packages into .packs/, and runs the generator with
// --metahook-source .packs in the directory npm was run from. Everything but the generator's
// own output goes to stderr.
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, rmSync } from "node:fs";
import { delimiter, isAbsolute, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("..", import.meta.url));
const packs = join(root, ".packs");
const bin = join(root, "node_modules/.bin");
// npm runs scripts at the package root; INIT_CWD is where the user typed the command.
// biome-ignore lint/suspicious/noUndeclaredEnvVars: npm's, read outside any turbo task
const cwd = process.env.INIT_CWD ?? process.cwd();
// turbo spawns pnpm from PATH, and relative PATH entries break from its package directories.
const env = {
  ...process.env,
  PATH: [bin, ...(process.env.PATH ?? "").split(delimiter).filter((p) => isAbsolute(p))].join(
    delimiter,
  ),
  TURBO_TELEMETRY_DISABLED: "1",
  DO_NOT_TRACK: "1",
};

function step(what, command, args) {
  process.stderr.write(`create: ${what}\n`);
  const ran = spawnSync(command, args, { cwd: root, env, stdio: ["ignore", 2, 2] });
  if (ran.status !== 0) {
    process.stderr.write(
      `create: ${what} failed (${ran.error?.message ?? `exit ${ran.status}`}): ${command} ${args.join(" ")}\n`,
    );
    process.exit(1);
  }
}

const PACKAGES = [
  "@metahook/runtime",
  "@metahook/cli",
  "@metahook/crd-types",
  "@metahook/gen-controller",
  "@metahook/scaffold",
];

if (!existsSync(join(root, "node_modules/.modules.yaml"))) {
  step("installing the workspace", "npx", ["-y", "pnpm@10.34.8", "install", "--frozen-lockfile"]);
}
// Inside a turbo task (the repository's tests) everything is built already.
// biome-ignore lint/suspicious/noUndeclaredEnvVars: set by turbo itself for its tasks
if (!process.env.TURBO_HASH) {
  step("building", join(bin, "turbo"), [
    "run",
    "build",
    "--filter=create-metacontroller-hook...",
    "--output-logs=errors-only",
  ]);
}
rmSync(packs, { recursive: true, force: true });
mkdirSync(packs, { recursive: true });
step("packing the @metahook packages into .packs/", join(bin, "pnpm"), [
  "-r",
  ...PACKAGES.flatMap((p) => ["--filter", p]),
  "pack",
  "--pack-destination",
  packs,
]);
if (readdirSync(packs).filter((f) => f.endsWith(".tgz")).length !== PACKAGES.length) {
  process.stderr.write(`create: expected ${PACKAGES.length} tarballs in ${packs}\n`);
  process.exit(1);
}
const created = spawnSync(
  process.execPath,
  [
    join(root, "packages/create-metacontroller-hook/bin/create-metacontroller-hook.js"),
    ...process.argv.slice(2),
    "--metahook-source",
    packs,
  ],
  { cwd, stdio: "inherit" },
);
process.exit(created.status ?? 1);
