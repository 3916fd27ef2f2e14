#!/usr/bin/env node
// Refreshes test/fixtures from the shared reference folder (METAHOOK_SHARED, else ../shared):
// metacontroller/{fixtures,crds,examples} and crds/. Verbatim copies; see test/fixtures/README.md.
import { cpSync, existsSync, rmSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const shared = process.env.METAHOOK_SHARED ?? resolve(root, "../shared");
if (!existsSync(join(shared, "metacontroller"))) {
  process.stderr.write(`sync-reference: no shared folder at ${shared}; set METAHOOK_SHARED\n`);
  process.exit(2);
}
const target = join(root, "test/fixtures");
for (const dir of [
  "metacontroller/fixtures",
  "metacontroller/crds",
  "metacontroller/examples",
  "crds",
]) {
  rmSync(join(target, dir), { recursive: true, force: true });
  cpSync(join(shared, dir), join(target, dir), { recursive: true });
  process.stdout.write(`${dir}\n`);
}
