import type { Command } from "commander";
import type { CommandContext } from "../cli.js";

/**
 * Registers `metahook replay <dir> [--module <file>]`: recorded exchanges (`metahook dev
 * --record <dir>`) run again against the current code, a diff per exchange, exit 1 on any.
 *
 * @example
 * ```sh
 * metahook dev src --record recorded/   # use it, e.g. with a cluster or with curl
 * metahook replay recorded/             # later: did anything change?
 * ```
 */
export function registerReplay(program: Command, ctx: CommandContext): void {
  program
    .command("replay")
    .description(
      "run recorded hook requests (metahook dev --record <dir>) against the current code and print a diff per exchange; exit 1 on any difference",
    )
    .argument("<dir>", "the directory of recorded exchanges (*.json)")
    .option(
      "--module <file>",
      "the controller module to run them against (default: the one that answered each)",
    )
    .action(async (dir: string, options: { module?: string }) => {
      const { replay } = await import("./replay-actions.js");
      await replay(dir, options, ctx);
    });
}
