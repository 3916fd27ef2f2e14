import { type ChildProcess, spawn } from "node:child_process";
import { once } from "node:events";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import {
  createHookServer,
  defineCompositeController,
  defineDecoratorController,
} from "@metahook/runtime";
import { FIXTURES, fixture, REPO_ROOT } from "@metahook/test-support";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const root = REPO_ROOT;
const read = (name: string): unknown => fixture(name);

// Which example serves which fixture scenario (the file name's last part).
const EXAMPLE_OF: Record<string, string> = {
  catset: "catset",
  globalconfigmap: "globalconfigmap",
  configmaplist: "configmap-list",
  "service-per-pod": "service-per-pod",
  "pod-name-label": "pod-name-label",
};

interface Case {
  request: string;
  path: string;
  want: unknown;
}

function cases(): Case[] {
  const files = readdirSync(FIXTURES);
  return files
    .filter((f) => f.endsWith(".request.json"))
    .sort()
    .map((request) => {
      const m =
        /^(composite|decorator)-(sync|finalize|customize)-(v1|v2)-(?:(namespaced|cluster)-)?(.+)\.request\.json$/.exec(
          request,
        );
      if (!m) throw new Error(`unexpected fixture name ${request}`);
      const [, , hook, version, , scenario = ""] = m;
      const example = EXAMPLE_OF[scenario];
      if (!example) throw new Error(`no example serves ${scenario}`);
      const response = request.replace(".request.json", ".response.json");
      // The v2 catset request has no response file: keying differs, the answer does not.
      const wantFile = files.includes(response)
        ? response
        : response.replace(`-${version}-`, "-v1-");
      return { request, path: `/${example}/${hook}`, want: read(wantFile) };
    });
}

let child: ChildProcess;
let base = "";
let stdout = "";

beforeAll(async () => {
  // The README's main job: the real CLI serving every example.
  child = spawn(
    process.execPath,
    [
      join(root, "packages/cli/dist/bin.js"),
      "serve",
      "examples",
      "--port",
      "0",
      "--host",
      "127.0.0.1",
    ],
    {
      cwd: root,
      env: { ...process.env, NO_COLOR: "1", LOG_LEVEL: "warn" },
    },
  );
  child.stdout?.on("data", (c) => {
    stdout += c;
  });
  let stderr = "";
  base = await new Promise<string>((resolveBase, reject) => {
    child.stderr?.on("data", (c) => {
      stderr += c;
      const m = /serving \d+ module\(s\) on (http:\/\/\S+)/.exec(stderr);
      if (m?.[1]) resolveBase(m[1]);
    });
    child.once("exit", (code) => reject(new Error(`metahook serve exited ${code}:\n${stderr}`)));
  });
});

afterAll(async () => {
  child.kill("SIGTERM");
  const [code] = (await once(child, "exit")) as [number];
  expect(code).toBe(0);
});

describe("every fixture request, through `metahook serve examples` on loopback", () => {
  const table = cases();
  it("covers every request fixture", () =>
    expect(table.length).toBe(
      readdirSync(FIXTURES).filter((f) => f.endsWith(".request.json")).length,
    ));

  it.each(table)("$request → POST $path", async ({ request, path, want }) => {
    const res = await fetch(`${base}${path}`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: readFileSync(join(FIXTURES, request), "utf8"),
    });
    const text = await res.text();
    expect(res.status, text).toBe(200);
    expect(res.headers.get("content-type")).toMatch(/^application\/json/);
    expect(JSON.parse(text)).toEqual(want);
  });

  it("printed every route it serves", () => {
    for (const { path } of table) expect(stdout).toContain(`POST ${path}\t`);
  });
});

describe("every invalid.* response, produced by a hook, is refused by the guards", () => {
  const invalid = readdirSync(FIXTURES)
    .filter((f) => f.startsWith("invalid."))
    .sort();
  it("has invalid fixtures", () => expect(invalid.length).toBeGreaterThanOrEqual(3));

  it.each(invalid)("%s", async (name) => {
    const bad = read(name);
    const server = createHookServer({
      logger: false,
      controllers: {
        composite: defineCompositeController({ sync: () => bad as never }),
        decorator: defineDecoratorController({ sync: () => bad as never }),
      },
    });
    const address = await server.listen({ port: 0, host: "127.0.0.1" });
    try {
      for (const [path, request] of [
        ["/composite/sync", "composite-sync-v1-namespaced-catset.request.json"],
        ["/composite/sync", "composite-sync-v2-namespaced-catset.request.json"],
        ["/decorator/sync", "decorator-sync-v1-service-per-pod.request.json"],
      ] as const) {
        const res = await fetch(`${address}${path}`, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: readFileSync(join(FIXTURES, request), "utf8"),
        });
        expect(res.status).toBe(500);
        expect(await res.json()).toMatchObject({ error: { code: "INVALID_RESPONSE" } });
      }
    } finally {
      await server.close();
    }
  });
});
