// What each entry point loads, measured in a fresh Node process that records every module it
// resolves: the main entry must not start loading ajv (the generated Metacontroller models are on
// `/metacontroller`), and `/resources` and `/requests` load no hook server (fastify, pino), so
// generators and create-metacontroller-hook can use them.
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { afterAll, describe, expect, it } from "vitest";

const tmp = mkdtempSync(join(tmpdir(), "metahook-entry-points-"));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const DIST = fileURLToPath(new URL("../dist/", import.meta.url));

const HOOKS = `import { appendFileSync } from "node:fs";
export async function resolve(specifier, context, next) {
  const result = await next(specifier, context);
  appendFileSync(process.env.METAHOOK_MODULE_LOG, result.url + "\\n");
  return result;
}
`;

function packagesLoadedBy(entry: string): Set<string> {
  const hooks = join(tmp, "hooks.mjs");
  writeFileSync(hooks, HOOKS);
  const log = join(tmp, `${entry.replace(/\W/g, "_")}.log`);
  writeFileSync(log, "");
  const register = `data:text/javascript,import { register } from "node:module"; register(${JSON.stringify(pathToFileURL(hooks).href)});`;
  const ran = spawnSync(
    process.execPath,
    [
      "--import",
      register,
      "--input-type=module",
      "-e",
      `await import(${JSON.stringify(pathToFileURL(join(DIST, entry)).href)});`,
    ],
    { env: { ...process.env, METAHOOK_MODULE_LOG: log }, encoding: "utf8", timeout: 60_000 },
  );
  expect(ran.status, ran.stderr).toBe(0);
  const names = new Set<string>();
  for (const url of readFileSync(log, "utf8").split("\n")) {
    const match = /node_modules\/((?:@[^/]+\/)?[^/]+)\/(?!.*node_modules\/)/.exec(url);
    if (match?.[1]) names.add(match[1]);
  }
  return names;
}

const HEAVY = ["ajv", "@kubernetes-models/validate", "fastify", "pino"];

describe("entry points load only what they need", () => {
  const cases: { entry: string; loads: string[]; never: string[] }[] = [
    {
      entry: "index.js",
      loads: ["fastify", "pino"],
      never: ["ajv", "@kubernetes-models/validate"],
    },
    { entry: "resources.js", loads: [], never: HEAVY },
    { entry: "requests.js", loads: [], never: HEAVY },
    {
      entry: "__generated__/metacontroller/index.js",
      loads: ["ajv", "@kubernetes-models/validate"],
      never: ["fastify", "pino"],
    },
  ];
  it.each(cases)("$entry", ({ entry, loads, never }) => {
    // turbo builds before testing; run `pnpm build` first when calling vitest directly.
    expect(existsSync(join(DIST, entry)), `${entry} is not built`).toBe(true);
    const loaded = packagesLoadedBy(entry);
    // `loads` is the control: the detector does see the packages an entry really imports.
    expect(loads.filter((name) => !loaded.has(name))).toEqual([]);
    expect(never.filter((name) => loaded.has(name))).toEqual([]);
  });
});
