import { availableParallelism } from "node:os";
import { type Command, InvalidArgumentError, Option } from "commander";
import type { CommandContext } from "../cli.js";
import type { ServeOptions } from "./serve-actions.js";

// The default, shown in --help without loading the runtime: what DEFAULT_MAX_IN_FLIGHT computes.
const DEFAULT_MAX_IN_FLIGHT = Math.max(256, 64 * availableParallelism());

// The server, tsx and pino load only when one of these commands runs, so that every other
// command (and --help) starts without them.
const actions = () => import("./serve-actions.js");

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

function atLeastOne(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError("expected a whole number >= 1");
  return n;
}

// A flag that takes a file, with its environment variable as the default.
function fileOption(flags: string, description: string, env: string, ctx: CommandContext): Option {
  const option = new Option(flags, `${description} (env ${env})`);
  const value = ctx.env[env];
  return value ? option.default(value) : option;
}

function addServeOptions(command: Command, ctx: CommandContext): Command {
  return command
    .addOption(
      fileOption(
        "--tls-cert <file>",
        "serve HTTPS only, with this PEM certificate (reloaded when the file changes)",
        "METAHOOK_TLS_CERT",
        ctx,
      ),
    )
    .addOption(
      fileOption("--tls-key <file>", "PEM private key of --tls-cert", "METAHOOK_TLS_KEY", ctx),
    )
    .addOption(
      fileOption(
        "--client-ca <file>",
        "mutual TLS: hook calls need a client certificate signed by this PEM CA",
        "METAHOOK_CLIENT_CA",
        ctx,
      ),
    )
    .addOption(
      fileOption(
        "--auth-bearer-file <file>",
        "hook calls need `Authorization: Bearer <the file's contents>` (re-read on change)",
        "METAHOOK_AUTH_BEARER_FILE",
        ctx,
      ),
    )
    .addOption(
      fileOption(
        "--auth-basic-file <file>",
        "hook calls need basic auth with the file's `user:password` (re-read on change)",
        "METAHOOK_AUTH_BASIC_FILE",
        ctx,
      ),
    )
    .addOption(
      new Option(
        "--protect-metrics",
        "require the same credentials on /metrics (env METAHOOK_PROTECT_METRICS=1)",
      ).default(ctx.env.METAHOOK_PROTECT_METRICS === "1" || undefined),
    )
    .addOption(
      new Option(
        "--max-in-flight <n>",
        `most hook calls at once; past it 429 with Retry-After (env METAHOOK_MAX_IN_FLIGHT, default ${DEFAULT_MAX_IN_FLIGHT} here: 64 per CPU, at least 256)`,
      )
        .argParser(atLeastOne)
        .default(
          ctx.env.METAHOOK_MAX_IN_FLIGHT ? atLeastOne(ctx.env.METAHOOK_MAX_IN_FLIGHT) : undefined,
        ),
    )
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
      new Option(
        "--timeout <ms>",
        "time budget of each hook call, from its arrival (env METAHOOK_TIMEOUT, default 8000)",
      )
        .argParser(milliseconds)
        .default(ctx.env.METAHOOK_TIMEOUT ? milliseconds(ctx.env.METAHOOK_TIMEOUT) : undefined),
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
      .argument("<paths...>", "controller modules (.ts/.js) or directories to search")
      .option(
        "--validate",
        "validate desired children and status against their schemas (kubernetes-models, generated models) and refuse what the API server would refuse; costs a schema check per child",
      ),
    ctx,
  ).action(async (paths: string[], options: ServeOptions) => {
    await (await actions()).serve(paths, options, ctx);
  });

  addServeOptions(
    program
      .command("dev")
      .description(
        "like serve, and reload the modules whenever a file under the given paths changes",
      )
      .argument("<paths...>", "controller modules (.ts/.js) or directories to watch")
      .option("--no-validate", "do not validate answers against their schemas (on in dev)")
      .option(
        "--record <dir>",
        "write every request and answer to <dir> as fixtures, to re-run later with `metahook replay <dir>`",
      ),
    ctx,
  ).action(async (paths: string[], options: ServeOptions) => {
    await (await actions()).dev(paths, options, ctx);
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
        await (await actions()).run(module, requestFile, options, ctx);
      },
    );
}
