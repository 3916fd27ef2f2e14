import { type Command, InvalidArgumentError, Option } from "commander";
import type { CommandContext } from "../cli.js";
import type { ServeOptions } from "./serve-actions.js";

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
