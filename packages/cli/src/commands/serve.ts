import { watch } from "node:fs";
import { readFile } from "node:fs/promises";
import { resolve } from "node:path";
import {
  type ControllerDefinition,
  createHookServer,
  HookError,
  type HookFunction,
  type HookServer,
  isControllerDefinition,
} from "@metahook/runtime";
import { invokeHook } from "@metahook/runtime/testing";
import { type Command, InvalidArgumentError, Option } from "commander";
import { pino } from "pino";
import type { CommandContext } from "../cli.js";
import { CliError } from "../errors.js";
import { type LoadedModule, loadModules } from "../load.js";

function positiveInt(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 65535) {
    throw new InvalidArgumentError("expected a whole number from 0 to 65535");
  }
  return n;
}

function milliseconds(value: string): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0)
    throw new InvalidArgumentError("expected a number of milliseconds > 0");
  return n;
}

interface ServeOptions {
  port: number;
  host: string;
  timeout?: number;
  logLevel?: string;
}

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
  const server = createHookServer({
    controllers: controllersOf(modules),
    ...(options.timeout ? { hookTimeoutMs: options.timeout } : {}),
    // Logs are diagnostics: stderr, leaving stdout to the route list.
    logger: pino(
      {
        level: options.logLevel ?? ctx.env.LOG_LEVEL ?? "info",
        base: undefined,
        timestamp: pino.stdTimeFunctions.isoTime,
      },
      pino.destination(2),
    ),
  });
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

function reportSkipped(skipped: readonly { file: string; reason: string }[], ctx: CommandContext) {
  for (const s of skipped)
    ctx.output.err(ctx.output.style("dim", `skipped ${s.file}: ${s.reason}`));
}

function addServeOptions(command: Command, ctx: CommandContext): Command {
  return command
    .addOption(
      new Option("-p, --port <port>", "port to listen on (env PORT)")
        .argParser(positiveInt)
        .default(ctx.env.PORT ? positiveInt(ctx.env.PORT) : 8080),
    )
    .addOption(
      new Option("--host <host>", "address to listen on (env HOST)").default(
        ctx.env.HOST ?? "0.0.0.0",
      ),
    )
    .addOption(
      new Option("--timeout <ms>", "time budget of each hook call (default 8000)").argParser(
        milliseconds,
      ),
    )
    .addOption(
      new Option("--log-level <level>", "pino log level (env LOG_LEVEL, default info)").choices([
        "trace",
        "debug",
        "info",
        "warn",
        "error",
        "fatal",
        "silent",
      ]),
    );
}

/** Registers `serve`, `dev` and `run`. */
export function registerServe(program: Command, ctx: CommandContext): void {
  addServeOptions(
    program
      .command("serve")
      .description(
        "serve controller modules: a default-exported controller `blogs.ts` at /blogs/sync, /blogs/finalize, /blogs/customize; a default-exported function `fn.ts` at /fn",
      )
      .argument("<paths...>", "controller modules (.ts/.js) or directories to search"),
    ctx,
  ).action(async (paths: string[], options: ServeOptions) => {
    const { modules, skipped } = await loadModules(paths, ctx.cwd);
    reportSkipped(skipped, ctx);
    const { server, address } = await startServer(modules, options, ctx);
    printRoutes(server, modules, address, ctx);
    server.closeOnSignals();
  });

  addServeOptions(
    program
      .command("dev")
      .description(
        "like serve, and reload the modules whenever a file under the given paths changes",
      )
      .argument("<paths...>", "controller modules (.ts/.js) or directories to watch"),
    ctx,
  ).action(async (paths: string[], options: ServeOptions) => {
    let current = await startDev(paths, options, ctx);
    let timer: NodeJS.Timeout | undefined;
    const reload = () => {
      clearTimeout(timer);
      timer = setTimeout(async () => {
        try {
          const { modules, skipped } = await loadModules(paths, ctx.cwd);
          await current.server.close();
          reportSkipped(skipped, ctx);
          current = await startServer(modules, options, ctx);
          ctx.output.err(ctx.output.style("green", "reloaded"));
          printRoutes(current.server, modules, current.address, ctx);
        } catch (error) {
          // Keep serving the last good version; say why the new one was not taken.
          ctx.output.err(`${ctx.output.style("red", "reload failed")} ${(error as Error).message}`);
        }
      }, 150);
    };
    const watchers = paths.map((p) => watch(resolve(ctx.cwd, p), { recursive: true }, reload));
    const stop = async () => {
      for (const w of watchers) w.close();
      await current.server.close();
      process.exit(0);
    };
    process.once("SIGINT", () => void stop());
    process.once("SIGTERM", () => void stop());
  });

  program
    .command("run")
    .description(
      "run one hook once, in-process with the server's checks: read a request (JSON) from a file or stdin, print the response on stdout",
    )
    .argument("<module>", "the controller module (.ts/.js)")
    .argument("[request]", "request JSON file; - or omitted reads stdin")
    .addOption(
      new Option("--hook <hook>", "which hook (default: from the request)").choices([
        "sync",
        "finalize",
        "customize",
      ]),
    )
    .action(
      async (
        module: string,
        requestFile: string | undefined,
        options: { hook?: "sync" | "finalize" | "customize" },
      ) => {
        const { modules } = await loadModules([module], ctx.cwd);
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
      },
    );
}

async function startDev(paths: string[], options: ServeOptions, ctx: CommandContext) {
  const { modules, skipped } = await loadModules(paths, ctx.cwd);
  reportSkipped(skipped, ctx);
  const started = await startServer(modules, options, ctx);
  printRoutes(started.server, modules, started.address, ctx);
  ctx.output.err(ctx.output.style("dim", "watching for changes"));
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
