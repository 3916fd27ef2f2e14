import { readFileSync } from "node:fs";
import { Command, CommanderError } from "commander";
import { registerGenController } from "./commands/gen-controller.js";
import { registerGenRequest } from "./commands/gen-request.js";
import { registerGenTypes } from "./commands/gen-types.js";
import { registerPlan } from "./commands/plan.js";
import { registerReplay } from "./commands/replay.js";
import { registerScaffold } from "./commands/scaffold.js";
import { registerServe } from "./commands/serve.js";
import { CliError } from "./errors.js";
import { type Output, processOutput } from "./output.js";

const pkg = JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8")) as {
  version: string;
};

/** What every command gets: the output streams and the environment. */
export interface CommandContext {
  readonly output: Output;
  readonly env: NodeJS.ProcessEnv;
  readonly cwd: string;
}

/**
 * Builds the `metahook` program. Exposed for tests, which drive it with an in-memory {@link Output}.
 */
export function createProgram(ctx: CommandContext): Command {
  const program = new Command("metahook")
    .description("Typed Kubernetes controllers as Metacontroller hooks.")
    .version(pkg.version, "-v, --version")
    .showHelpAfterError(false)
    .configureOutput({
      writeOut: (s) => ctx.output.out(s.replace(/\n$/, "")),
      writeErr: (s) => ctx.output.err(s.replace(/\n$/, "")),
    })
    .exitOverride();

  const gen = program
    .command("gen")
    .description("generate TypeScript from CRDs and controller manifests");
  gen.exitOverride();
  registerGenTypes(gen, ctx);
  registerGenController(gen, ctx);
  registerGenRequest(gen, ctx);

  registerScaffold(program, ctx);
  registerServe(program, ctx);
  registerPlan(program, ctx);
  registerReplay(program, ctx);
  for (const command of allCommands(program)) {
    // A usage error prints the usage line of the command that was mistyped, not the whole help.
    command.showHelpAfterError(usageLine(command));
  }
  return program;
}

function allCommands(command: Command): Command[] {
  return [command, ...command.commands.flatMap(allCommands)];
}

/** `usage: metahook gen types [options] <inputs...>` for a command. */
export function usageLine(command: Command): string {
  const names: string[] = [];
  for (let c: Command | null = command; c; c = c.parent) names.unshift(c.name());
  return `usage: ${names.join(" ")} ${command.usage()}`;
}

/**
 * Runs the CLI with `argv` (without `node` and the script) and resolves to the exit code.
 * Errors are printed to stderr; usage errors are followed by the command's usage line.
 */
export async function main(
  argv: readonly string[],
  ctx?: Partial<CommandContext>,
): Promise<number> {
  const context: CommandContext = {
    output: ctx?.output ?? processOutput(),
    env: ctx?.env ?? process.env,
    cwd: ctx?.cwd ?? process.cwd(),
  };
  const program = createProgram(context);
  let running: Command = program;
  program.hook("preAction", (_program, action) => {
    running = action;
  });
  try {
    await program.parseAsync([...argv], { from: "user" });
    return 0;
  } catch (error) {
    return reportError(error, context.output, running);
  }
}

function reportError(error: unknown, output: Output, running: Command): number {
  if (error instanceof CommanderError) {
    // Commander already printed the message (and help for usage errors); help/version exit 0.
    if (error.code === "commander.helpDisplayed" || error.code === "commander.version") return 0;
    if (error.code === "commander.help") return 0;
    return error.exitCode === 0 ? 0 : 2;
  }
  if (error instanceof CliError) {
    output.err(`${output.style("red", "error")} ${error.message}`);
    if (error.code === "USAGE") output.err(usageLine(running));
    return error.exitCode;
  }
  const message = error instanceof Error ? (error.stack ?? error.message) : String(error);
  output.err(`${output.style("red", "internal error")} ${message}`);
  return 1;
}
