// The work behind `serve`, `dev` and `run`, loaded only when one of them runs.
import { mkdirSync, writeFileSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { basename, join, relative, resolve } from "node:path";
import {
  type ControllerDefinition,
  createHookServer,
  HookError,
  type HookFunction,
  type HookServer,
  type HookServerOptions,
  isControllerDefinition,
  type RecordedExchange,
} from "@metahook/runtime";
import { invokeHook } from "@metahook/runtime/testing";
import { watch } from "chokidar";
import type { CommandContext } from "../cli.js";
import { CliError } from "../errors.js";
import { type LoadedModule, type LoadResult, loadModules } from "../load.js";

/** Options of `serve` and `dev`. */
export interface ServeOptions {
  port: number;
  host: string;
  timeout?: number;
  logLevel?: string;
  /** Validate answers against their schemas (serve: `--validate`; dev: on unless `--no-validate`). */
  validate?: boolean;
  /** dev `--record <dir>`: write every exchange there, for `metahook replay`. */
  record?: string;
  tlsCert?: string;
  tlsKey?: string;
  clientCa?: string;
  authBearerFile?: string;
  authBasicFile?: string;
  protectMetrics?: boolean;
  maxInFlight?: number;
}

/** The server's `tls` and `auth` options from the flags; refuses half a pair with a fix. */
function securityOf(
  options: ServeOptions,
  ctx: CommandContext,
): Pick<HookServerOptions, "tls" | "auth"> {
  const path = (file: string | undefined) =>
    file === undefined ? undefined : resolve(ctx.cwd, file);
  if ((options.tlsCert === undefined) !== (options.tlsKey === undefined)) {
    throw new CliError(
      "USAGE",
      "--tls-cert and --tls-key go together: give both (cert-manager's tls.crt and tls.key)",
    );
  }
  if (options.clientCa !== undefined && options.tlsCert === undefined) {
    throw new CliError(
      "USAGE",
      "--client-ca needs HTTPS: give --tls-cert and --tls-key too (a client certificate is presented in the TLS handshake)",
    );
  }
  if (options.authBearerFile !== undefined && options.authBasicFile !== undefined) {
    throw new CliError(
      "USAGE",
      "give --auth-bearer-file or --auth-basic-file, not both: Metacontroller sends one Authorization header",
    );
  }
  const out: Pick<HookServerOptions, "tls" | "auth"> = {};
  if (options.tlsCert !== undefined && options.tlsKey !== undefined) {
    out.tls = {
      certFile: resolve(ctx.cwd, options.tlsCert),
      keyFile: resolve(ctx.cwd, options.tlsKey),
      ...(options.clientCa !== undefined
        ? { clientCaFile: resolve(ctx.cwd, options.clientCa) }
        : {}),
    };
  }
  const bearer = path(options.authBearerFile);
  const basic = path(options.authBasicFile);
  if (bearer !== undefined || basic !== undefined || options.protectMetrics) {
    out.auth = {
      ...(bearer !== undefined ? { bearerTokenFile: bearer } : {}),
      ...(basic !== undefined ? { basicAuthFile: basic } : {}),
      ...(options.protectMetrics ? { protectMetrics: true } : {}),
    };
  }
  return out;
}

/** Writes each exchange a server answers as `<dir>/<nnnn>-<controller>-<hook>.json`. */
function recorder(
  dir: string,
  modules: readonly LoadedModule[],
  ctx: CommandContext,
): (exchange: RecordedExchange) => void {
  mkdirSync(dir, { recursive: true });
  const files = new Map(modules.map((m) => [m.name, relative(ctx.cwd, m.file) || m.file]));
  return (exchange) => {
    recorded++;
    const file = join(
      dir,
      `${String(recorded).padStart(4, "0")}-${exchange.controller}-${exchange.hook}.json`,
    );
    const module = files.get(exchange.controller);
    writeFileSync(
      file,
      `${JSON.stringify({ ...exchange, ...(module ? { module } : {}) }, null, 2)}\n`,
    );
  };
}
// Numbered across reloads, so that a recording keeps its order.
let recorded = 0;

function controllersOf(modules: readonly LoadedModule[]): {
  [name: string]: ControllerDefinition | HookFunction;
} {
  return Object.fromEntries(modules.map((m) => [m.name, m.value]));
}

async function startServer(
  modules: readonly LoadedModule[],
  options: ServeOptions,
  ctx: CommandContext,
): Promise<{ server: HookServer; address: string }> {
  let server: HookServer;
  try {
    server = createHookServer({
      controllers: controllersOf(modules),
      ...securityOf(options, ctx),
      ...(options.maxInFlight !== undefined ? { maxInFlight: options.maxInFlight } : {}),
      ...(options.timeout ? { hookTimeoutMs: options.timeout } : {}),
      ...(options.validate ? { validate: true } : {}),
      ...(options.record
        ? { onExchange: recorder(resolve(ctx.cwd, options.record), modules, ctx) }
        : {}),
      // Logs are diagnostics: stderr, leaving stdout to the route list. The server's own
      // logger (batched writes, call lines written directly) at the chosen level.
      logger: { level: options.logLevel ?? ctx.env.LOG_LEVEL ?? "info" },
      logDestination: 2,
    });
  } catch (cause) {
    if (cause instanceof HookError && cause.code === "INVALID_DEFINITION") {
      throw new CliError("USAGE", cause.message, { cause });
    }
    throw cause;
  }
  let address: string;
  try {
    address = await server.listen({ port: options.port, host: options.host });
  } catch (cause) {
    throw new CliError(
      "SERVE_FAILED",
      `cannot listen on ${options.host}:${options.port}: ${(cause as Error).message}`,
      { cause },
    );
  }
  return { server, address };
}

function printRoutes(
  server: HookServer,
  modules: readonly LoadedModule[],
  address: string,
  ctx: CommandContext,
) {
  const fileOf = new Map(modules.map((m) => [m.name, m.file]));
  for (const route of server.routes) {
    ctx.output.out(`POST ${route.path}\t${route.hook}\t${fileOf.get(route.controller) ?? ""}`);
  }
  ctx.output.err(`serving ${modules.length} module(s) on ${address}`);
}

// Files without a default export (types, helpers) are expected in a source tree: listed only at
// debug level, so that a skip worth reading is not lost among them.
function reportSkipped(
  skipped: LoadResult["skipped"],
  options: ServeOptions | undefined,
  ctx: CommandContext,
) {
  const level = options?.logLevel ?? ctx.env.LOG_LEVEL ?? "info";
  const verbose = level === "debug" || level === "trace";
  for (const s of skipped) {
    if (s.meant || verbose)
      ctx.output.err(ctx.output.style("dim", `skipped ${s.file}: ${s.reason}`));
  }
}

/** `metahook serve`: load the modules and serve them until a signal. */
export async function serve(
  paths: string[],
  options: ServeOptions,
  ctx: CommandContext,
): Promise<void> {
  // Loaded once: compiled JS needs no tsx loader, which keeps start-up short.
  const { modules, skipped } = await loadModules(paths, ctx.cwd, { fresh: false });
  reportSkipped(skipped, options, ctx);
  const { server, address } = await startServer(modules, options, ctx);
  printRoutes(server, modules, address, ctx);
  server.closeOnSignals();
}

// Never sources of hooks, and large: not watched.
const IGNORED_DIRS = new Set(["node_modules", ".git", "dist", "coverage"]);

/** `metahook dev`: serve, and reload on change. */
export async function dev(
  paths: string[],
  options: ServeOptions,
  ctx: CommandContext,
): Promise<void> {
  let current = await startDev(paths, options, ctx);
  let timer: NodeJS.Timeout | undefined;
  // One reload at a time: a save during a reload queues another, run after it.
  let reloading = Promise.resolve();
  const reload = () => {
    clearTimeout(timer);
    timer = setTimeout(() => {
      reloading = reloading.then(reloadOnce);
    }, 100);
  };
  const reloadOnce = async () => {
    try {
      const { modules, skipped } = await loadModules(paths, ctx.cwd);
      await current.server.close();
      reportSkipped(skipped, options, ctx);
      current = await startServer(modules, options, ctx);
      ctx.output.err(ctx.output.style("green", "reloaded"));
      printRoutes(current.server, modules, current.address, ctx);
    } catch (error) {
      // Keep serving the last good version; say why the new one was not taken.
      ctx.output.err(`${ctx.output.style("red", "reload failed")} ${(error as Error).message}`);
    }
  };
  // chokidar, not fs.watch: fs.watch follows an inode, so after an editor's atomic save (write a
  // temporary file, rename it over the original) later writes went unnoticed. chokidar watches
  // the directories, and so sees in-place writes, renames, deletions and new files alike.
  const watcher = watch(
    paths.map((p) => resolve(ctx.cwd, p)),
    {
      ignoreInitial: true,
      ignored: (path) => IGNORED_DIRS.has(basename(path)),
    },
  );
  watcher.on("all", reload);
  watcher.on("error", (error) => {
    ctx.output.err(`${ctx.output.style("yellow", "watch error")} ${(error as Error).message}`);
  });
  await new Promise<void>((ready) => watcher.once("ready", () => ready()));
  ctx.output.err(ctx.output.style("dim", "watching for changes"));
  const stop = async () => {
    await watcher.close();
    await current.server.close();
    process.exit(0);
  };
  process.once("SIGINT", () => void stop());
  process.once("SIGTERM", () => void stop());
}

/** `metahook run`: one hook call, in-process, response on stdout. */
export async function run(
  module: string,
  requestFile: string | undefined,
  options: { hook?: "sync" | "finalize" | "customize" },
  ctx: CommandContext,
): Promise<void> {
  const { modules } = await loadModules([module], ctx.cwd, { fresh: false });
  const loaded = modules[0];
  if (!loaded || !isControllerDefinition(loaded.value)) {
    throw new CliError(
      "LOAD_FAILED",
      `${module}: run needs a controller definition as default export`,
    );
  }
  const text =
    requestFile === undefined || requestFile === "-"
      ? await readStdin()
      : await readFile(resolve(ctx.cwd, requestFile), "utf8").catch((cause: unknown) => {
          throw new CliError(
            "INPUT_NOT_FOUND",
            `${requestFile}: cannot be read: ${(cause as Error).message}`,
          );
        });
  let request: unknown;
  try {
    request = JSON.parse(text);
  } catch (cause) {
    throw new CliError(
      "INVALID_INPUT",
      `${requestFile ?? "stdin"}: not valid JSON: ${(cause as Error).message}`,
    );
  }
  try {
    const response = await invokeHook(
      loaded.value,
      request,
      options.hook ? { hook: options.hook } : {},
    );
    ctx.output.out(JSON.stringify(response, null, 2));
  } catch (error) {
    if (error instanceof HookError) {
      throw new CliError(
        "INVALID_INPUT",
        `the server would answer ${error.statusCode} ${error.code}: ${error.message}`,
        { cause: error },
      );
    }
    throw error;
  }
}

async function startDev(paths: string[], options: ServeOptions, ctx: CommandContext) {
  const { modules, skipped } = await loadModules(paths, ctx.cwd);
  reportSkipped(skipped, options, ctx);
  const started = await startServer(modules, options, ctx);
  printRoutes(started.server, modules, started.address, ctx);
  return started;
}

async function readStdin(): Promise<string> {
  if (process.stdin.isTTY) {
    throw new CliError("USAGE", "give a request file, or pipe a request JSON into stdin");
  }
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString("utf8");
}
