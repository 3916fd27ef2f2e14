import { type ChildProcess, spawn } from "node:child_process";
import { once } from "node:events";
import { mkdir, readFile, rm, writeFile } from "node:fs/promises";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { main } from "../src/cli.js";
import { BIN as bin, memoryOutput, spawnCli } from "./helpers.js";

const here = dirname(fileURLToPath(import.meta.url));
const hooks = join(here, "fixtures/hooks");
const REFERENCE = resolve(here, "../../../test/fixtures");
const catset = join(
  REFERENCE,
  "metacontroller/fixtures/composite-sync-v1-namespaced-catset.request.json",
);

const run = (argv: string[], stdin?: string) =>
  spawnCli(argv, { cwd: here, ...(stdin === undefined ? {} : { stdin }) });

async function startServe(
  argv: string[],
): Promise<{ child: ChildProcess; base: string; stdout: () => string; stderr: () => string }> {
  const child = spawn(process.execPath, [bin, "serve", ...argv], {
    cwd: here,
    env: { ...process.env, NO_COLOR: "1" },
  });
  let stdout = "";
  let stderr = "";
  child.stdout?.on("data", (c) => {
    stdout += c;
  });
  const listening = new Promise<string>((resolveBase, reject) => {
    child.stderr?.on("data", (c) => {
      stderr += c;
      const m = /serving \d+ module\(s\) on (http:\/\/\S+)/.exec(stderr);
      if (m?.[1]) resolveBase(m[1]);
    });
    child.once("exit", (code) => reject(new Error(`serve exited ${code}: ${stderr}`)));
  });
  const base = await listening;
  // stdout and stderr are separate pipes: the route list may arrive a little later.
  for (let i = 0; i < 100 && !stdout.endsWith("\n"); i++)
    await new Promise((r) => setTimeout(r, 20));
  return { child, base, stdout: () => stdout, stderr: () => stderr };
}

describe("metahook serve", () => {
  it("serves a directory of modules, prints the routes, answers hooks and exits 0 on SIGTERM", async () => {
    const { child, base, stdout, stderr } = await startServe([
      hooks,
      "--port",
      "0",
      "--host",
      "127.0.0.1",
    ]);
    try {
      expect(
        stdout()
          .trim()
          .split("\n")
          .map((l) => l.split("\t").slice(0, 2).join(" ")),
      ).toEqual(["POST /echo/sync sync", "POST /echo/finalize finalize", "POST /legacy function"]);
      // A default export that is not a controller is worth a note; a module without one is not.
      expect(stderr()).toMatch(/skipped .*settings\.ts: its default export is not a controller/);
      expect(stderr()).not.toMatch(/helpers\.ts/);
      const body = await readFile(catset, "utf8");
      const res = await fetch(`${base}/echo/sync`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body,
      });
      expect(res.status).toBe(200);
      expect(await res.json()).toMatchObject({ status: { seen: "nginx-backend" } });
      const legacy = await fetch(`${base}/legacy`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body,
      });
      expect(await legacy.json()).toEqual({ status: { legacy: "nginx-backend" }, children: [] });
      expect(stderr()).toMatch(/"msg":"hook call"/);
    } finally {
      child.kill("SIGTERM");
    }
    const [code] = (await once(child, "exit")) as [number];
    expect(code).toBe(0);
  });

  const SERVE_USAGE = "usage: metahook serve [options] <paths...>";
  it.each([
    ["a path that does not exist", ["serve", "nope/"], 1, /nope\/: no such file or directory/, ""],
    [
      "a named module that is not a controller",
      ["serve", join(hooks, "settings.ts")],
      1,
      /settings\.ts: its default export is not a controller/,
      "",
    ],
    [
      "a port that is not a number",
      ["serve", hooks, "--port", "http"],
      2,
      /expected a whole number from 0 to 65535/,
      SERVE_USAGE,
    ],
    ["no paths", ["serve"], 2, /missing required argument 'paths'/, SERVE_USAGE],
    [
      "no module to run",
      ["run"],
      2,
      /missing required argument 'module'/,
      "usage: metahook run [options] <module> [request]",
    ],
    [
      "no CRD to generate from",
      ["gen", "types"],
      2,
      /missing required argument 'inputs'/,
      "usage: metahook gen types [options] <inputs...>",
    ],
  ])("fails clearly on %s", async (_label, argv, code, message, usage) => {
    const res = await run(argv);
    expect(res.code).toBe(code);
    expect(res.stderr).toMatch(message);
    // Usage errors (exit 2) end with the command's usage line; other failures do not print it.
    const last = res.stderr.trim().split("\n").at(-1);
    if (usage === "") expect(res.stderr).not.toMatch(/usage:/);
    else expect(last).toBe(usage);
    expect(res.stdout).toBe("");
  });
});

describe("metahook run", () => {
  it("prints the response of one hook call", async () => {
    const res = await run(["run", join(hooks, "echo.ts"), catset]);
    expect(res.code).toBe(0);
    expect(JSON.parse(res.stdout)).toMatchObject({
      status: { seen: "nginx-backend" },
      children: [{ kind: "Pod" }],
    });
  });

  it("reads the request from stdin", async () => {
    const text = await readFile(catset, "utf8");
    const res = await run(["run", join(hooks, "echo.ts"), "-"], text);
    expect(res.code).toBe(0);
    expect(JSON.parse(res.stdout)).toMatchObject({ status: { seen: "nginx-backend" } });
  });

  it("exits 1 with what the server would have answered for a refused response", async () => {
    const res = await run(["run", join(here, "fixtures/broken/wrong.ts"), catset]);
    expect(res.code).toBe(1);
    expect(res.stdout).toBe("");
    expect(res.stderr).toMatch(
      /would answer 500 INVALID_RESPONSE: .*Secret.v1, which is not among the controller's childResources/s,
    );
  });
});

describe("metahook --help / --version", () => {
  it.each([
    [["--version"], /^\d+\.\d+\.\d+$/],
    [["--help"], /Usage: metahook/],
    [["serve", "--help"], /--port <port>/],
  ])("%j", async (argv, want) => {
    const io = memoryOutput();
    expect(await main(argv, { output: io.output, env: {}, cwd: here })).toBe(0);
    expect(io.out.join("\n")).toMatch(want);
    expect(io.err).toEqual([]);
  });

  it("prints usage only for usage errors", async () => {
    const io = memoryOutput();
    expect(await main(["frobnicate"], { output: io.output, env: {}, cwd: here })).toBe(2);
    expect(io.err.join("\n")).toMatch(/unknown command 'frobnicate'/);
  });
});

describe("metahook dev", () => {
  it("reloads a changed module and keeps serving the last good one when a change breaks it", async () => {
    const dir = join(here, ".tmp-dev");
    await rm(dir, { recursive: true, force: true });
    await mkdir(dir, { recursive: true });
    const file = join(dir, "greeter.ts");
    const write = (greeting: string) =>
      writeFile(
        file,
        `import { defineCompositeController } from "@metahook/runtime";\nexport default defineCompositeController({ sync: () => ({ status: { greeting: ${JSON.stringify(greeting)} }, children: [] }) });\n`,
      );
    await write("hello");
    const child = spawn(process.execPath, [bin, "dev", dir, "--port", "0", "--host", "127.0.0.1"], {
      cwd: here,
      env: { ...process.env, NO_COLOR: "1", LOG_LEVEL: "warn" },
    });
    let stderr = "";
    const waitFor = (pattern: RegExp, from: number) =>
      new Promise<RegExpExecArray>((resolveMatch, reject) => {
        const timer = setTimeout(
          () => reject(new Error(`timed out waiting for ${pattern}: ${stderr}`)),
          20_000,
        );
        const check = () => {
          const m = pattern.exec(stderr.slice(from));
          if (m) {
            clearTimeout(timer);
            child.stderr?.off("data", check);
            resolveMatch(m);
          }
        };
        child.stderr?.on("data", check);
        check();
      });
    child.stderr?.on("data", (c) => {
      stderr += c;
    });
    const body = await readFile(catset, "utf8");
    const greeting = async (base: string) => {
      const res = await fetch(`${base}/greeter/sync`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body,
      });
      return ((await res.json()) as { status: { greeting: string } }).status.greeting;
    };
    try {
      const first = await waitFor(/serving 1 module\(s\) on (http:\/\/\S+)/, 0);
      expect(await greeting(first[1] ?? "")).toBe("hello");
      let mark = stderr.length;
      await write("bonjour");
      const second = await waitFor(/serving 1 module\(s\) on (http:\/\/\S+)/, mark);
      expect(await greeting(second[1] ?? "")).toBe("bonjour");
      mark = stderr.length;
      await writeFile(file, "export default {");
      await waitFor(/reload failed/, mark);
      expect(await greeting(second[1] ?? "")).toBe("bonjour");
    } finally {
      child.kill("SIGTERM");
      await once(child, "exit");
      await rm(dir, { recursive: true, force: true });
    }
  });
});
