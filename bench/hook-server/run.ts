// bench/hook-server: `metahook serve` against a bare node:http floor doing the same hook work,
// both as separate processes on loopback, rounds alternated. See README.md.
//
//   pnpm --filter @metahook/bench hook-server            # 3 rounds of 5 s per case
//   pnpm --filter @metahook/bench hook-server --quick    # 1 round of 2 s per case
//   ... --node-defaults   both servers with Node's defaults instead of the deployed NODE_OPTIONS
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { closeSync, mkdirSync, openSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { get, request as httpRequest } from "node:http";
import { cpus } from "node:os";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { HOOK_SERVER_NODE_OPTIONS } from "@metahook/scaffold";
import autocannon from "autocannon";
import ts from "typescript";
import { blogRequest, podSetRequest } from "./requests.js";

const here = dirname(fileURLToPath(import.meta.url));
const benchDir = resolve(here, "..");
const repoRoot = resolve(benchDir, "..");
const resultsDir = join(benchDir, "results", "hook-server");
const jsDir = join(resultsDir, "js");
const cliBin = join(repoRoot, "packages/cli/dist/bin.js");

const quick = process.argv.includes("--quick");
const roundsArg = process.argv.find((a) => a.startsWith("--rounds="));
const ROUNDS = roundsArg ? Number(roundsArg.slice("--rounds=".length)) : quick ? 1 : 3;
const SECONDS = quick ? 2 : 5;
const COLD_STARTS = quick ? 3 : 7;
// --only=blog runs the cases whose name starts with "blog"; --no-cold skips the cold starts.
const only = process.argv.find((a) => a.startsWith("--only="))?.slice("--only=".length);
const cold = !process.argv.includes("--no-cold");
// Both servers run as the scaffolded Deployment runs the hook server (its NODE_OPTIONS: a larger
// young generation); --node-defaults runs them with Node's defaults instead. The linearity
// section measures both settings either way.
const nodeDefaults = process.argv.includes("--node-defaults");
const DEPLOYED_ENV = { NODE_OPTIONS: HOOK_SERVER_NODE_OPTIONS };
const DEFAULTS_ENV = { NODE_OPTIONS: "" };
const LINEAR_ROUNDS = quick ? 3 : 7;

interface Case {
  readonly name: string;
  readonly path: string;
  readonly body: string;
  readonly connections: number;
  /**
   * Requests per round instead of a duration, for calls so slow that a few seconds hold only a
   * handful of them (autocannon stops counting at the deadline and drops the calls in flight).
   */
  readonly amount?: number;
}

interface Sample {
  readonly rps: number;
  /** Mean latency in ms. */
  readonly mean: number;
  readonly p50: number;
  readonly p99: number;
  readonly cpuMsPerRequest: number;
  readonly failures: number;
}

interface Server {
  readonly name: string;
  readonly process: ChildProcess;
  readonly base: string;
}

const median = (values: readonly number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1
    ? (sorted[mid] as number)
    : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
};

/** Transpiles the bench's servers and controllers to plain JS, as a user would deploy them. */
function compile(): void {
  rmSync(jsDir, { recursive: true, force: true });
  for (const file of ["floor.ts", "requests.ts", "controllers/blog.ts", "controllers/podset.ts"]) {
    const source = readFileSync(join(here, file), "utf8");
    const out = ts.transpileModule(source, {
      compilerOptions: {
        module: ts.ModuleKind.ESNext,
        target: ts.ScriptTarget.ES2023,
        verbatimModuleSyntax: true,
      },
      fileName: file,
    });
    const target = join(jsDir, file.replace(/\.ts$/, ".js"));
    mkdirSync(dirname(target), { recursive: true });
    writeFileSync(target, out.outputText);
  }
}

function ask(url: string): Promise<number> {
  return new Promise((done) => {
    const req = get(url, (res) => {
      res.resume();
      res.on("end", () => done(res.statusCode ?? 0));
    });
    req.on("error", () => done(0));
    req.setTimeout(1000, () => req.destroy());
  });
}

async function freePort(): Promise<number> {
  const { createServer } = await import("node:net");
  return new Promise((done, fail) => {
    const s = createServer();
    s.on("error", fail);
    s.listen(0, "127.0.0.1", () => {
      const address = s.address();
      s.close(() => done(typeof address === "object" && address ? address.port : 0));
    });
  });
}

/** Starts a server and resolves once `/readyz` answers 200, with the time that took. */
async function start(
  name: string,
  command: readonly string[],
  port: number,
  logFile?: string,
  nodeEnv: { NODE_OPTIONS: string } = nodeDefaults ? DEFAULTS_ENV : DEPLOYED_ENV,
): Promise<Server & { readyMs: number }> {
  const started = performance.now();
  const log = logFile ? openSync(logFile, "w") : "ignore";
  const child = spawn(command[0] as string, command.slice(1), {
    cwd: repoRoot,
    env: { ...process.env, PORT: String(port), NO_COLOR: "1", ...nodeEnv },
    stdio: ["ignore", "ignore", log],
  });
  if (typeof log === "number") closeSync(log);
  const base = `http://127.0.0.1:${port}`;
  let exited = false;
  child.once("exit", () => {
    exited = true;
  });
  for (;;) {
    if (exited) throw new Error(`${name} exited before it was ready (${command.join(" ")})`);
    if ((await ask(`${base}/readyz`)) === 200) break;
    if (performance.now() - started > 30_000) throw new Error(`${name} not ready after 30 s`);
    await new Promise((r) => setTimeout(r, 2));
  }
  return { name, process: child, base, readyMs: performance.now() - started };
}

async function stop(server: Server): Promise<void> {
  if (server.process.exitCode !== null) return;
  const exited = new Promise((r) => server.process.once("exit", r));
  server.process.kill("SIGTERM");
  await exited;
}

function procStatus(pid: number, field: string): number {
  const line = readFileSync(`/proc/${pid}/status`, "utf8")
    .split("\n")
    .find((l) => l.startsWith(`${field}:`));
  return Number(line?.split(/\s+/)[1] ?? 0) * 1024;
}

function cpuMs(pid: number): number {
  // utime and stime, fields 14 and 15 of /proc/<pid>/stat, in clock ticks (100 Hz on Linux).
  const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]?.split(" ") ?? [];
  return (Number(fields[11]) + Number(fields[12])) * 10;
}

function resetPeakRss(pid: number): void {
  // Writing 5 to clear_refs resets VmHWM (the peak RSS) to the current RSS (Linux >= 4.0).
  writeFileSync(`/proc/${pid}/clear_refs`, "5");
}

async function load(server: Server, c: Case, seconds: number, warmup = false): Promise<Sample> {
  const pid = server.process.pid as number;
  const cpuBefore = cpuMs(pid);
  const started = performance.now();
  let last = started;
  const result = await new Promise<autocannon.Result>((done, fail) => {
    const instance = autocannon(
      {
        url: `${server.base}${c.path}`,
        method: "POST",
        headers: { "content-type": "application/json" },
        body: c.body,
        connections: c.connections,
        ...(c.amount === undefined
          ? { duration: seconds }
          : { amount: warmup ? c.connections : c.amount }),
        timeout: 60,
      },
      (error, value) => (error ? fail(error) : done(value)),
    );
    instance.on("response", () => {
      last = performance.now();
    });
  });
  const cpu = cpuMs(pid) - cpuBefore;
  // autocannon ends a fixed-count round on its next one-second tick, so a short round is
  // timed from its start to its last response instead.
  const rps =
    c.amount === undefined
      ? result.requests.total / seconds
      : (result.requests.total * 1000) / (last - started);
  return {
    rps,
    mean: result.latency.mean,
    p50: result.latency.p50,
    p99: result.latency.p99,
    cpuMsPerRequest: result.requests.total > 0 ? cpu / result.requests.total : Number.NaN,
    failures: result.non2xx + result.errors + result.timeouts,
  };
}

interface Row {
  readonly server: string;
  readonly rps: number;
  readonly mean: number;
  readonly p50: number;
  readonly p99: number;
  readonly cpu: number;
  readonly peakRss: number;
  readonly failures: number;
  readonly rounds: readonly number[];
}

async function benchCase(c: Case, servers: readonly Server[]): Promise<Row[]> {
  const samples = new Map<string, Sample[]>(servers.map((s) => [s.name, []]));
  const peak = new Map<string, number>(servers.map((s) => [s.name, 0]));
  for (const s of servers) resetPeakRss(s.process.pid as number);
  // Warm up both (JIT, connection pools) before anything is measured.
  for (const s of servers) await load(s, c, 1, true);
  for (let round = 0; round < ROUNDS; round++) {
    const order = round % 2 === 0 ? servers : [...servers].reverse();
    for (const s of order) {
      const sample = await load(s, c, SECONDS);
      samples.get(s.name)?.push(sample);
      peak.set(
        s.name,
        Math.max(peak.get(s.name) ?? 0, procStatus(s.process.pid as number, "VmHWM")),
      );
      process.stderr.write(
        `  ${c.name} round ${round + 1}/${ROUNDS} ${s.name}: ${Math.round(sample.rps)} req/s, p99 ${sample.p99} ms\n`,
      );
    }
  }
  return servers.map((s) => {
    const list = samples.get(s.name) ?? [];
    return {
      server: s.name,
      rps: median(list.map((x) => x.rps)),
      mean: median(list.map((x) => x.mean)),
      p50: median(list.map((x) => x.p50)),
      p99: median(list.map((x) => x.p99)),
      cpu: median(list.map((x) => x.cpuMsPerRequest)),
      peakRss: peak.get(s.name) ?? 0,
      failures: list.reduce((n, x) => n + x.failures, 0),
      rounds: list.map((x) => Math.round(x.rps)),
    };
  });
}

async function coldStart(
  name: string,
  command: (port: number) => readonly string[],
): Promise<{ name: string; ms: number; all: number[] }> {
  const all: number[] = [];
  for (let i = 0; i < COLD_STARTS; i++) {
    const port = await freePort();
    const server = await start(name, command(port), port);
    all.push(server.readyMs);
    await stop(server);
  }
  return { name, ms: median(all), all: all.map((x) => Math.round(x)) };
}

/** POSTs one body and resolves when the whole answer is read; rejects on a non-200. */
function post(base: string, path: string, body: string): Promise<void> {
  return new Promise((done, fail) => {
    const req = httpRequest(
      `${base}${path}`,
      {
        method: "POST",
        headers: { "content-type": "application/json", "content-length": Buffer.byteLength(body) },
      },
      (res) => {
        res.resume();
        res.on("end", () =>
          res.statusCode === 200 ? done() : fail(new Error(`${path}: ${res.statusCode}`)),
        );
      },
    );
    req.on("error", fail);
    req.end(body);
  });
}

interface Linearity {
  server: string;
  /** Median server CPU of one call, in ms, by number of children. */
  one: number;
  five: number;
  rounds: number[];
}

// The cost of one call alone (c=1, sequential) with 1,000 and 5,000 children, in server CPU:
// neither the load generator nor 16 concurrent 5 MB bodies count. Every server runs as its own
// process; rounds alternate between them.
async function linearity(servers: readonly Server[]): Promise<Linearity[]> {
  const bodies = { one: podSetRequest(1000), five: podSetRequest(5000) };
  const calls = { one: 40, five: 8 };
  const per = servers.map(() => ({ one: [] as number[], five: [] as number[] }));
  const callCpu = async (server: Server, body: string, n: number) => {
    const pid = server.process.pid as number;
    const before = cpuMs(pid);
    for (let i = 0; i < n; i++) await post(server.base, "/podset/sync", body);
    return (cpuMs(pid) - before) / n;
  };
  for (const server of servers)
    for (const size of ["one", "five"] as const) await callCpu(server, bodies[size], 3);
  for (let round = 0; round < LINEAR_ROUNDS; round++) {
    const order = servers.map((_, i) => i);
    if (round % 2 === 1) order.reverse();
    for (const i of order) {
      const server = servers[i] as Server;
      const into = per[i] as { one: number[]; five: number[] };
      for (const size of ["one", "five"] as const)
        into[size].push(await callCpu(server, bodies[size], calls[size]));
    }
  }
  return servers.map((server, i) => {
    const { one, five } = per[i] as { one: number[]; five: number[] };
    return {
      server: server.name,
      one: median(one),
      five: median(five),
      rounds: five.map((f, k) => f / (one[k] as number)),
    };
  });
}

const fmt = (n: number, digits = 0): string =>
  n.toLocaleString("en-US", { minimumFractionDigits: digits, maximumFractionDigits: digits });
const mib = (bytes: number): string => `${fmt(bytes / 1024 / 1024)} MiB`;

async function main(): Promise<void> {
  if (!process.argv.includes("--no-build")) {
    process.stderr.write("building @metahook/cli…\n");
    const build = spawnSync(
      join(repoRoot, "node_modules", ".bin", "turbo"),
      ["run", "build", "--filter=@metahook/cli...", "--output-logs=errors-only"],
      { cwd: repoRoot, stdio: "inherit" },
    );
    if (build.status !== 0) throw new Error("building @metahook/cli failed");
  }
  mkdirSync(resultsDir, { recursive: true });
  compile();
  const node = process.execPath;
  const controllers = [join(jsDir, "controllers/blog.js"), join(jsDir, "controllers/podset.js")];
  const serveArgs = (port: number, files = controllers) => [
    node,
    cliBin,
    "serve",
    ...files,
    "--port",
    String(port),
    "--host",
    "127.0.0.1",
  ];
  const floorPort = await freePort();
  const servePort = await freePort();
  const logFile = join(resultsDir, "serve.log");
  const floor = await start("floor", [node, join(jsDir, "floor.js")], floorPort);
  const metahook = await start("metahook serve", serveArgs(servePort), servePort, logFile);
  const servers = [floor, metahook];

  const cases: Case[] = [
    { name: "blog c=4", path: "/blog/sync", body: blogRequest(), connections: 4 },
    { name: "blog c=64", path: "/blog/sync", body: blogRequest(), connections: 64 },
    {
      name: "1,000 children c=16",
      path: "/podset/sync",
      body: podSetRequest(1000),
      connections: 16,
      amount: quick ? 64 : 192,
    },
    {
      name: "1,000 children c=1",
      path: "/podset/sync",
      body: podSetRequest(1000),
      connections: 1,
      amount: quick ? 8 : 32,
    },
    {
      name: "5,000 children c=1",
      path: "/podset/sync",
      body: podSetRequest(5000),
      connections: 1,
      amount: quick ? 4 : 12,
    },
    {
      name: "5,000 children c=16",
      path: "/podset/sync",
      body: podSetRequest(5000),
      connections: 16,
      amount: quick ? 32 : 64,
    },
  ];
  const results: { c: Case; rows: Row[] }[] = [];
  try {
    for (const c of cases.filter((x) => only === undefined || x.name.startsWith(only))) {
      process.stderr.write(`${c.name} (${fmt(c.body.length)} bytes in)…\n`);
      results.push({ c, rows: await benchCase(c, servers) });
    }
  } finally {
    await Promise.all(servers.map(stop));
  }
  const logLines = readFileSync(logFile, "utf8").split("\n").length - 1;
  rmSync(logFile, { force: true });

  let linear: Linearity[] = [];
  if (only === undefined || "linearity".startsWith(only)) {
    process.stderr.write("linearity: one call with 1,000 and with 5,000 children…\n");
    const podset = [join(jsDir, "controllers/podset.js")];
    const four: Server[] = [];
    try {
      for (const [label, env] of [
        [`NODE_OPTIONS=${HOOK_SERVER_NODE_OPTIONS}`, DEPLOYED_ENV],
        ["Node's defaults", DEFAULTS_ENV],
      ] as const) {
        four.push(
          await start(
            `floor, ${label}`,
            [node, join(jsDir, "floor.js")],
            await freePort(),
            undefined,
            env,
          ),
        );
        const port = await freePort();
        four.push(
          await start(`metahook serve, ${label}`, serveArgs(port, podset), port, undefined, env),
        );
      }
      linear = await linearity(four);
    } finally {
      await Promise.all(four.map(stop));
    }
  }

  if (cold) process.stderr.write("cold starts…\n");
  const starts = !cold
    ? []
    : [
        await coldStart("node -e '' (Node itself)", (port) => [
          node,
          "-e",
          `require("http").createServer((q,s)=>s.end()).listen(${port},"127.0.0.1")`,
        ]),
        await coldStart("floor (compiled JS)", (port) => [
          node,
          join(jsDir, "floor.js"),
          String(port),
        ]),
        await coldStart("metahook serve blog.js (compiled JS)", (port) =>
          serveArgs(port, [join(jsDir, "controllers/blog.js")]),
        ),
        await coldStart("metahook serve blog.ts (tsx)", (port) =>
          serveArgs(port, [join(here, "controllers/blog.ts")]),
        ),
      ];

  const lines: string[] = [];
  const cpu = cpus()[0]?.model ?? "unknown";
  lines.push(
    `Machine: ${cpus().length} cores (nproc), ${cpu}, node ${process.version}, ${process.platform}/${process.arch}; ${ROUNDS} round(s) of ${SECONDS} s per server and case, alternated, medians; autocannon ${readVersion("autocannon")} in the driver process.`,
    "",
    "| case | server | req/s | p50 | p99 | CPU/request | peak RSS | rounds (req/s) |",
    "| --- | --- | --- | --- | --- | --- | --- | --- |",
  );
  for (const { c, rows } of results) {
    for (const r of rows) {
      lines.push(
        `| ${c.name} | ${r.server} | ${fmt(r.rps)} | ${fmt(r.p50, 1)} ms | ${fmt(r.p99, 1)} ms | ${fmt(r.cpu, 3)} ms | ${mib(r.peakRss)} | ${r.rounds.join(", ")}${r.failures ? ` (${r.failures} failed)` : ""} |`,
      );
    }
  }
  lines.push(
    "",
    "| case | throughput metahook/floor | p99 metahook/floor |",
    "| --- | --- | --- |",
  );
  const ratio = (c: Case, rows: Row[]) => {
    const [f, m] = rows as [Row, Row];
    return { c, rps: m.rps / f.rps, p99: m.p99 / f.p99, m, f };
  };
  const ratios = results.map(({ c, rows }) => ratio(c, rows));
  for (const r of ratios) {
    // autocannon's latencies are whole milliseconds: a 0 ms p99 has no meaningful ratio.
    const p99 = r.f.p99 === 0 ? "n/a (floor p99 under 1 ms)" : `${fmt(r.p99, 2)}x`;
    lines.push(`| ${r.c.name} | ${fmt(r.rps, 2)}x | ${p99} |`);
  }
  // Linearity: the cost of one call, alone (c=1), so that 16 concurrent 5 MB bodies and
  // the garbage collector's response to them do not count as the server's cost per child.
  const thousand = ratios.find((r) => r.c.name === "1,000 children c=1");
  const fiveThousand = ratios.find((r) => r.c.name === "5,000 children c=1");
  if (thousand && fiveThousand) {
    const ratioOf = (five: Row, one: Row) =>
      `${fmt(five.mean / one.mean, 2)}x time (mean ${fmt(one.mean, 1)} → ${fmt(five.mean, 1)} ms), ${fmt(five.cpu / one.cpu, 2)}x CPU`;
    lines.push(
      "",
      `Cost of one call with 5,000 vs 1,000 children (c=1): metahook ${ratioOf(fiveThousand.m, thousand.m)}; floor ${ratioOf(fiveThousand.f, thousand.f)} (linear would be 5x).`,
    );
  }
  if (linear.length > 0) {
    lines.push(
      "",
      "| one call, alone (c=1): server CPU | 1,000 children | 5,000 children | 5,000 / 1,000 | per round |",
      "| --- | --- | --- | --- | --- |",
    );
    for (const l of linear) {
      lines.push(
        `| ${l.server} | ${fmt(l.one, 1)} ms | ${fmt(l.five, 1)} ms | ${fmt(l.five / l.one, 2)}x | ${l.rounds.map((r) => fmt(r, 2)).join(", ")} |`,
      );
    }
  }
  lines.push(
    "",
    `Servers ran with ${nodeDefaults ? "Node's defaults" : `NODE_OPTIONS=${HOOK_SERVER_NODE_OPTIONS} (as the scaffolded Deployment runs them)`}. metahook serve wrote ${fmt(logLines)} log lines (default level info, to a file).`,
  );
  if (starts.length > 0) {
    lines.push("", "| cold start to first 200 on /readyz | median | runs |", "| --- | --- | --- |");
    for (const s of starts) lines.push(`| ${s.name} | ${fmt(s.ms)} ms | ${s.all.join(", ")} |`);
  }
  const text = `${lines.join("\n")}\n`;
  writeFileSync(join(resultsDir, "report.md"), text);
  process.stdout.write(text);
  process.stderr.write(`report: ${relative(repoRoot, join(resultsDir, "report.md"))}\n`);
}

function readVersion(pkg: string): string {
  try {
    const file = join(benchDir, "node_modules", pkg, "package.json");
    return (JSON.parse(readFileSync(file, "utf8")) as { version: string }).version;
  } catch {
    return "?";
  }
}

await main();
