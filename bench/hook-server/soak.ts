// bench/hook-server soak: 100,000 blog syncs at 64 connections against `metahook serve`, without
// and with bearer auth, in alternated rounds; every answer must be 200 and the server's RSS flat.
//
//   pnpm --filter @metahook/bench soak               # 2 rounds of 100,000 calls per mode
//   pnpm --filter @metahook/bench soak --quick       # 1 round of 20,000
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import autocannon from "autocannon";
import { blogRequest } from "./requests.js";

const here = dirname(fileURLToPath(import.meta.url));
const cliBin = resolve(here, "../../packages/cli/dist/bin.js");
const quick = process.argv.includes("--quick");
const CALLS = quick ? 20_000 : 100_000;
const ROUNDS = quick ? 1 : 2;
const CONNECTIONS = 64;
const TOKEN = "soak-token-0123456789abcdef";

interface Server {
  readonly child: ChildProcess;
  readonly base: string;
}

function rssMiB(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  const kib = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? Number.NaN);
  return kib / 1024;
}

async function start(args: string[]): Promise<Server> {
  const child = spawn(
    process.execPath,
    [
      cliBin,
      "serve",
      join(here, "controllers/blog.ts"),
      "--port",
      "0",
      "--host",
      "127.0.0.1",
      ...args,
    ],
    {
      env: { ...process.env, LOG_LEVEL: "warn", NO_COLOR: "1" },
      stdio: ["ignore", "ignore", "pipe"],
    },
  );
  let stderr = "";
  const base = await new Promise<string>((resolveBase, reject) => {
    child.stderr?.on("data", (c) => {
      stderr += c;
      const m = /serving \d+ module\(s\) on (https?:\/\/\S+)/.exec(stderr);
      if (m?.[1]) resolveBase(m[1]);
    });
    child.once("exit", (code) => reject(new Error(`serve exited ${code}: ${stderr}`)));
  });
  return { child, base };
}

interface Round {
  readonly mode: string;
  readonly rps: number;
  readonly errors: number;
  readonly non2xx: number;
  readonly rss: number[];
}

async function round(
  server: Server,
  mode: string,
  headers: Record<string, string>,
): Promise<Round> {
  const pid = server.child.pid as number;
  const rss = [rssMiB(pid)];
  const sampler = setInterval(() => rss.push(rssMiB(pid)), 1_000);
  const started = performance.now();
  const result = await new Promise<autocannon.Result>((done, fail) => {
    autocannon(
      {
        url: `${server.base}/blog/sync`,
        method: "POST",
        headers: { "content-type": "application/json", ...headers },
        body: blogRequest(),
        connections: CONNECTIONS,
        amount: CALLS,
        timeout: 30,
      },
      (error, value) => (error ? fail(error) : done(value)),
    );
  });
  clearInterval(sampler);
  rss.push(rssMiB(pid));
  return {
    mode,
    rps: result.requests.total / ((performance.now() - started) / 1e3),
    errors: result.errors + result.timeouts,
    non2xx: result.non2xx,
    rss,
  };
}

const dir = mkdtempSync(join(tmpdir(), "metahook-soak-"));
const tokenFile = join(dir, "token");
writeFileSync(tokenFile, TOKEN);
const plain = await start([]);
const authed = await start(["--auth-bearer-file", tokenFile]);
const rounds: Round[] = [];
try {
  // The auth is really on: a call without the token is refused.
  const refused = await fetch(`${authed.base}/blog/sync`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: blogRequest(),
  });
  if (refused.status !== 401)
    throw new Error(`expected 401 without a token, got ${refused.status}`);
  // Warm both up, then alternate which goes first.
  await round(plain, "warm-up", {});
  await round(authed, "warm-up", { authorization: `Bearer ${TOKEN}` });
  for (let i = 0; i < ROUNDS; i++) {
    const order = i % 2 === 0 ? ["plain", "bearer"] : ["bearer", "plain"];
    for (const mode of order) {
      rounds.push(
        mode === "plain"
          ? await round(plain, "plain", {})
          : await round(authed, "bearer", { authorization: `Bearer ${TOKEN}` }),
      );
    }
  }
} finally {
  plain.child.kill("SIGTERM");
  authed.child.kill("SIGTERM");
  rmSync(dir, { recursive: true, force: true });
}

let failed = false;
for (const r of rounds) {
  const growth = Math.max(...r.rss.slice(1)) - (r.rss[0] ?? 0);
  console.log(
    `${r.mode.padEnd(7)} ${CALLS} calls: ${r.rps.toFixed(0)} req/s, errors ${r.errors}, non-2xx ${r.non2xx}, RSS ${r.rss[0]?.toFixed(0)} -> ${r.rss.at(-1)?.toFixed(0)} MiB (max growth ${growth.toFixed(0)} MiB)`,
  );
  if (r.errors > 0 || r.non2xx > 0 || growth > 64) failed = true;
}
const median = (xs: number[]) => xs.sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? Number.NaN;
const ratio =
  median(rounds.filter((r) => r.mode === "bearer").map((r) => r.rps)) /
  median(rounds.filter((r) => r.mode === "plain").map((r) => r.rps));
console.log(`bearer auth / plain throughput: ${ratio.toFixed(3)}`);
if (failed) {
  console.error("soak failed: an error, a non-2xx answer or RSS growth over 64 MiB within a round");
  process.exit(1);
}
