/**
 * `@metahook/cli`: the `metahook` command as a library, for tests and wrappers.
 *
 * @example
 * ```ts
 * import { main } from "@metahook/cli";
 * process.exitCode = await main(["serve", "src/controllers", "--port", "8080"]);
 * ```
 *
 * @packageDocumentation
 */
export { type CommandContext, createProgram, main } from "./cli.js";
export { CliError, type CliErrorCode } from "./errors.js";
export { type LoadedModule, type LoadOptions, type LoadResult, loadModules } from "./load.js";
export { type Output, processOutput } from "./output.js";
