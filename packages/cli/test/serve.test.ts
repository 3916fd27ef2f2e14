import { type ChildProcess, spawn } from "node:child_process";
import { once } from "node:events";
import { mkdir, readFile, rename, rm, writeFile } from "node:fs/promises";
import { request as httpsRequest } from "node:https";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { DEFAULT_MAX_IN_FLIGHT } from "@metahook/runtime";
import { makePki } from "@metahook/test-support/pki";
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
  env: Record<string, string> = {},
): Promise<{ child: ChildProcess; base: string; stdout: () => string; stderr: () => string }> {
  const child = spawn(process.execPath, [bin, "serve", ...argv], {
    cwd: here,
    env: { ...process.env, NO_COLOR: "1", ...env },
  });
  let stdout = "";
  let stderr = "";
  child.stdout?.on("data", (c) => {
    stdout += c;
  });
  const listening = new Promise<string>((resolveBase, reject) => {
    child.stderr?.on("data", (c) => {
      stderr += c;
      const m = /serving \d+ module\(s\) on (https?:\/\/\S+)/.exec(stderr);
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
      // Log lines are written at the end of the event-loop turn, after the answer: wait for it.
      for (let i = 0; i < 100 && !/"msg":"hook call"/.test(stderr()); i++) {
        await new Promise((r) => setTimeout(r, 20));
      }
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
      "--tls-cert without --tls-key",
      ["serve", hooks, "--tls-cert", "tls.crt"],
      2,
      /--tls-cert and --tls-key go together/,
      SERVE_USAGE,
    ],
    [
      "--client-ca without HTTPS",
      ["serve", hooks, "--client-ca", "ca.crt"],
      2,
      /--client-ca needs HTTPS/,
      SERVE_USAGE,
    ],
    [
      "both auth files",
      ["serve", hooks, "--auth-bearer-file", "a", "--auth-basic-file", "b"],
      2,
      /not both/,
      SERVE_USAGE,
    ],
    [
      "a token file that does not exist",
      ["serve", hooks, "--auth-bearer-file", "no-such-token"],
      2,
      /bearer token file .*no-such-token cannot be read \(ENOENT\); mount the Secret there/,
      SERVE_USAGE,
    ],
    [
      "--max-in-flight 0",
      ["serve", hooks, "--max-in-flight", "0"],
      2,
      /expected a whole number >= 1/,
      SERVE_USAGE,
    ],
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

describe("metahook serve on SIGTERM", () => {
  it("answers every one of 200 calls in flight, /readyz 503 meanwhile, then exits 0", async () => {
    const { child, base } = await startServe(
      [join(here, "fixtures/slow"), "--port", "0", "--host", "127.0.0.1"],
      { LOG_LEVEL: "warn" },
    );
    const body = await readFile(catset, "utf8");
    const calls = Array.from({ length: 200 }, () =>
      fetch(`${base}/slow/sync`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body,
      }).then(
        async (res) => ({ status: res.status, json: (await res.json()) as unknown }),
        (error: Error) => ({ status: 0, json: error.message }),
      ),
    );
    // Every call is sent and waiting in the hook well within its 1.5 s.
    await new Promise((r) => setTimeout(r, 600));
    child.kill("SIGTERM");
    await new Promise((r) => setTimeout(r, 200));
    const ready = await fetch(`${base}/readyz`).then(
      (r) => r.status,
      () => 0,
    );
    const answers = await Promise.all(calls);
    const [code] = (await once(child, "exit")) as [number];
    expect(ready).toBe(503);
    expect(answers.filter((a) => a.status !== 200)).toEqual([]);
    expect(answers[0]?.json).toEqual({ status: { seen: "nginx-backend" }, children: [] });
    expect(code).toBe(0);
  });
});

describe("metahook serve over HTTPS with a bearer token", () => {
  it("takes its files from flags and env vars, refuses a call without the token, logs no token", async () => {
    const pki = makePki();
    const token = "cli-token-5b2d7e91";
    const server = pki.server(7);
    const certFile = join(pki.dir, "tls.crt");
    const tokenFile = join(pki.dir, "token");
    await writeFile(certFile, server.cert);
    await writeFile(join(pki.dir, "tls.key"), server.key);
    await writeFile(tokenFile, `${token}\n`);
    const { child, base, stderr } = await startServe(
      [hooks, "--port", "0", "--host", "127.0.0.1", "--tls-cert", certFile, "--log-level", "trace"],
      { METAHOOK_TLS_KEY: join(pki.dir, "tls.key"), METAHOOK_AUTH_BEARER_FILE: tokenFile },
    );
    try {
      expect(base).toMatch(/^https:\/\//);
      const body = await readFile(catset, "utf8");
      const post = (headers: Record<string, string>) =>
        new Promise<number>((resolveStatus, reject) => {
          const req = httpsRequest(
            `${base}/echo/sync`,
            {
              method: "POST",
              ca: pki.ca.cert,
              headers: { "content-type": "application/json", ...headers },
            },
            (res) => {
              res.resume();
              res.on("end", () => resolveStatus(res.statusCode ?? 0));
            },
          );
          req.on("error", reject);
          req.end(body);
        });
      expect(await post({ authorization: `Bearer ${token}` })).toBe(200);
      expect(await post({})).toBe(401);
      expect(await post({ authorization: "Bearer wrong" })).toBe(401);
    } finally {
      child.kill("SIGTERM");
    }
    const [code] = (await once(child, "exit")) as [number];
    expect(code).toBe(0);
    expect(stderr()).toMatch(/"code":"UNAUTHORIZED"/);
    expect(stderr()).not.toContain(token);
    pki.cleanup();
  });
});

describe("metahook --help / --version", () => {
  it.each([
    [["--version"], /^\d+\.\d+\.\d+$/],
    [["--help"], /Usage: metahook/],
    [["serve", "--help"], /--port <port>/],
    // The figure --help shows without loading the runtime is the runtime's default.
    [["serve", "--help"], new RegExp(`default\\s+${DEFAULT_MAX_IN_FLIGHT}\\s+here`)],
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

// A dev server on its own: waits for lines on stderr, asks a module for its greeting.
async function startDev(target: string, cwd: string) {
  const child = spawn(
    process.execPath,
    [bin, "dev", target, "--port", "0", "--host", "127.0.0.1"],
    { cwd, env: { ...process.env, NO_COLOR: "1", LOG_LEVEL: "warn" } },
  );
  let stderr = "";
  child.stderr?.on("data", (c) => {
    stderr += c;
  });
  const waitFor = async (pattern: RegExp, from: number, ms = 20_000) => {
    const deadline = Date.now() + ms;
    for (;;) {
      const m = pattern.exec(stderr.slice(from));
      if (m) return m;
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${pattern}: ${stderr}`);
      await new Promise((r) => setTimeout(r, 20));
    }
  };
  const body = await readFile(catset, "utf8");
  const greeting = async (route: string): Promise<string | undefined> => {
    const servers = [...stderr.matchAll(/serving \d+ module\(s\) on (https?:\/\/\S+)/g)];
    const base = servers.at(-1)?.[1];
    if (base === undefined) return undefined;
    const res = await fetch(`${base}/${route}/sync`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body,
    }).catch(() => undefined);
    if (res?.status !== 200) return undefined;
    return ((await res.json()) as { status: { greeting: string } }).status.greeting;
  };
  await waitFor(/watching for changes/, 0);
  return { child, waitFor, greeting, mark: () => stderr.length };
}

const greeterSource = (greeting: string) =>
  `import { defineCompositeController } from "@metahook/runtime";\nexport default defineCompositeController({ sync: () => ({ status: { greeting: ${JSON.stringify(greeting)} }, children: [] }) });\n`;

// How editors and tools save: in place, atomically (temp file + rename, as vim, VS Code and
// `sed -i` do), by deleting and re-creating, and by adding a new file.
const saves: {
  name: string;
  save: (dir: string, text: string) => Promise<void>;
  route: string;
}[] = [
  {
    name: "an in-place write",
    save: (dir, text) => writeFile(join(dir, "greeter.ts"), text),
    route: "greeter",
  },
  {
    name: "an atomic save (temp file renamed over the module)",
    save: async (dir, text) => {
      await writeFile(join(dir, ".greeter.ts.swp"), text);
      await rename(join(dir, ".greeter.ts.swp"), join(dir, "greeter.ts"));
    },
    route: "greeter",
  },
  {
    name: "an in-place write after the atomic save",
    save: (dir, text) => writeFile(join(dir, "greeter.ts"), text),
    route: "greeter",
  },
  {
    name: "a second atomic save",
    save: async (dir, text) => {
      await writeFile(join(dir, "sedAb12Cd"), text);
      await rename(join(dir, "sedAb12Cd"), join(dir, "greeter.ts"));
    },
    route: "greeter",
  },
  {
    name: "a delete and re-create",
    save: async (dir, text) => {
      await rm(join(dir, "greeter.ts"));
      await new Promise((r) => setTimeout(r, 200));
      await writeFile(join(dir, "greeter.ts"), text);
    },
    route: "greeter",
  },
  {
    name: "a new module in a new subdirectory",
    save: async (dir, text) => {
      await mkdir(join(dir, "more"), { recursive: true });
      await writeFile(join(dir, "more", "welcome.ts"), text);
    },
    route: "welcome",
  },
  {
    name: "an in-place write to the new module",
    save: (dir, text) => writeFile(join(dir, "more", "welcome.ts"), text),
    route: "welcome",
  },
];

// From the end of a save to the new code answering. Generous against a loaded CI machine; the
// reload itself (debounce + import + restart) takes a few hundred milliseconds.
const RELOAD_WITHIN_MS = 3_000;

async function served(
  greeting: (route: string) => Promise<string | undefined>,
  route: string,
  want: string,
): Promise<number> {
  const started = Date.now();
  for (;;) {
    if ((await greeting(route)) === want) return Date.now() - started;
    if (Date.now() - started > RELOAD_WITHIN_MS) return Number.POSITIVE_INFINITY;
    await new Promise((r) => setTimeout(r, 25));
  }
}

describe("metahook dev", () => {
  it("reloads after every kind of save, in order, watching a directory", async () => {
    const dir = join(here, ".tmp-dev-saves");
    await rm(dir, { recursive: true, force: true });
    await mkdir(dir, { recursive: true });
    await writeFile(join(dir, "greeter.ts"), greeterSource("v0"));
    const dev = await startDev(dir, here);
    try {
      expect(await served(dev.greeting, "greeter", "v0")).toBeLessThan(RELOAD_WITHIN_MS);
      for (const [index, { name, save, route }] of saves.entries()) {
        const want = `v${index + 1}`;
        await save(dir, greeterSource(want));
        const took = await served(dev.greeting, route, want);
        expect(took, `${name}: not served within ${RELOAD_WITHIN_MS} ms`).toBeLessThan(
          RELOAD_WITHIN_MS,
        );
      }
    } finally {
      dev.child.kill("SIGTERM");
      await once(dev.child, "exit");
      await rm(dir, { recursive: true, force: true });
    }
  }, 60_000);

  it("reloads after atomic and in-place saves of a module named on the command line", async () => {
    const dir = join(here, ".tmp-dev-file");
    await rm(dir, { recursive: true, force: true });
    await mkdir(dir, { recursive: true });
    await writeFile(join(dir, "greeter.ts"), greeterSource("v0"));
    const dev = await startDev(join(dir, "greeter.ts"), here);
    try {
      const onFile = saves.filter((s) => s.route === "greeter");
      for (const [index, { name, save }] of onFile.entries()) {
        const want = `v${index + 1}`;
        await save(dir, greeterSource(want));
        const took = await served(dev.greeting, "greeter", want);
        expect(took, `${name}: not served within ${RELOAD_WITHIN_MS} ms`).toBeLessThan(
          RELOAD_WITHIN_MS,
        );
      }
    } finally {
      dev.child.kill("SIGTERM");
      await once(dev.child, "exit");
      await rm(dir, { recursive: true, force: true });
    }
  }, 60_000);

  it("keeps serving the last good version when a change breaks the module", async () => {
    const dir = join(here, ".tmp-dev");
    await rm(dir, { recursive: true, force: true });
    await mkdir(dir, { recursive: true });
    await writeFile(join(dir, "greeter.ts"), greeterSource("hello"));
    const dev = await startDev(dir, here);
    try {
      expect(await served(dev.greeting, "greeter", "hello")).toBeLessThan(RELOAD_WITHIN_MS);
      const mark = dev.mark();
      await writeFile(join(dir, "greeter.ts"), "export default {");
      await dev.waitFor(/reload failed/, mark);
      expect(await dev.greeting("greeter")).toBe("hello");
    } finally {
      dev.child.kill("SIGTERM");
      await once(dev.child, "exit");
      await rm(dir, { recursive: true, force: true });
    }
  }, 60_000);
});
