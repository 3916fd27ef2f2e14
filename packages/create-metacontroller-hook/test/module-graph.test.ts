// Creating a project goes through @metahook/scaffold, not the CLI: no commander, no tsx, no pino
// (and no hook server). Measured in a fresh Node process that records every module it loads.
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { afterAll, describe, expect, it } from "vitest";

const tmp = mkdtempSync(join(tmpdir(), "metahook-create-graph-"));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const DIST = fileURLToPath(new URL("../dist/index.js", import.meta.url));
const require = createRequire(import.meta.url);
// The built entry of a dependency (their exports maps have no `require` condition).
const entryOf = (name: string) =>
  pathToFileURL(join(dirname(require.resolve(`${name}/package.json`)), "dist/index.js")).href;

// Resolve hooks see every ESM import; CommonJS packages loaded through import land in
// require.cache too, which the script lists at exit.
const HOOKS = `import { appendFileSync } from "node:fs";
export async function resolve(specifier, context, next) {
  const result = await next(specifier, context);
  appendFileSync(process.env.METAHOOK_MODULE_LOG, result.url + "\\n");
  return result;
}
`;

/** Runs `script` (an ES module body) in a fresh Node and returns the URLs it loaded. */
function loadedBy(name: string, script: string): string[] {
  const hooks = join(tmp, "hooks.mjs");
  writeFileSync(hooks, HOOKS);
  const log = join(tmp, `${name}.log`);
  writeFileSync(log, "");
  const register = `data:text/javascript,import { register } from "node:module"; register(${JSON.stringify(pathToFileURL(hooks).href)});`;
  const tail = `
import { createRequire } from "node:module";
import { appendFileSync } from "node:fs";
const cache = Object.keys(createRequire(import.meta.url).cache);
appendFileSync(process.env.METAHOOK_MODULE_LOG, cache.map((p) => "cjs:" + p).join("\\n") + "\\n");`;
  const ran = spawnSync(
    process.execPath,
    ["--import", register, "--input-type=module", "-e", `${script}\n${tail}`],
    {
      cwd: tmp,
      env: { ...process.env, METAHOOK_MODULE_LOG: log, NO_COLOR: "1" },
      encoding: "utf8",
      timeout: 60_000,
    },
  );
  expect(ran.status, `${ran.stderr}\n${ran.stdout}`).toBe(0);
  return readFileSync(log, "utf8").split("\n").filter(Boolean);
}

function packagesIn(urls: readonly string[]): Set<string> {
  const names = new Set<string>();
  for (const url of urls) {
    // The last node_modules segment names the package, scoped or not; workspace packages are
    // linked, so their real paths are matched by directory below.
    const match = /node_modules\/((?:@[^/]+\/)?[^/]+)\/(?!.*node_modules\/)/.exec(url);
    if (match?.[1]) names.add(match[1]);
    const workspace = /\/(packages|generators)\/([^/]+)\/dist\//.exec(url);
    if (workspace?.[2]) names.add(`workspace:${workspace[2]}`);
  }
  return names;
}

const FORBIDDEN = ["commander", "tsx", "pino", "fastify"];

describe("create-metacontroller-hook's module graph", () => {
  it("creates a project without loading the CLI's stack", () => {
    // turbo builds before testing; run `pnpm build` first when calling vitest directly.
    expect(existsSync(DIST), `${DIST} is missing: build the package first`).toBe(true);
    const dir = join(tmp, "app");
    const loaded = packagesIn(
      loadedBy(
        "create",
        `import { run } from ${JSON.stringify(pathToFileURL(DIST).href)};
const code = await run(${JSON.stringify([dir, "--group", "example.com", "--kind", "Blog", "--yes", "--no-install"])}, { out() {}, err() {}, stdinIsTTY: false });
if (code !== 0) throw new Error("create exited " + code);`,
      ),
    );
    expect(existsSync(join(dir, "deploy/controller.yaml"))).toBe(true);
    // The library did the work (the detector sees it), and none of the CLI's stack came along.
    expect(loaded.has("workspace:scaffold")).toBe(true);
    expect(FORBIDDEN.filter((name) => loaded.has(name))).toEqual([]);
  });

  it("the same detector does see the CLI's stack when the CLI loads", () => {
    // The CLI loads tsx only for a TypeScript module, so the control loads one through it.
    const module = join(tmp, "hook.ts");
    writeFileSync(module, "export default (request: unknown) => request;\n");
    const load = pathToFileURL(
      join(dirname(require.resolve("@metahook/cli/package.json")), "dist/load.js"),
    ).href;
    const loaded = packagesIn(
      loadedBy(
        "cli",
        `await import(${JSON.stringify(entryOf("@metahook/cli"))}); await import(${JSON.stringify(entryOf("@metahook/runtime"))});
const { loadModules } = await import(${JSON.stringify(load)});
await loadModules([${JSON.stringify(module)}], ${JSON.stringify(tmp)});`,
      ),
    );
    expect(FORBIDDEN.filter((name) => loaded.has(name))).toEqual(FORBIDDEN);
  });
});
