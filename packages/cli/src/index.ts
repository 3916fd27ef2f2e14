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
export {
  type CustomResourceNames,
  type RequestFixtureInput,
  requestFixture,
} from "./commands/request-fixture.js";
export { packageManagerFromUserAgent } from "./commands/scaffold.js";
export {
  dockerfile,
  parseChildren,
  type ScaffoldChild,
  type ScaffoldControllerOptions,
  type ScaffoldedController,
  type ScaffoldFile,
  type ScaffoldHookVersion,
  type ScaffoldPackageManager,
  type ScaffoldParent,
  scaffoldController,
} from "./commands/scaffold-controller.js";
export {
  type ScaffoldCrdOptions,
  type ScaffoldedCrd,
  scaffoldCrd,
} from "./commands/scaffold-crd.js";
export {
  checkGroup,
  checkKind,
  checkLabelName,
  checkPlural,
  checkVersion,
  pluralOf,
} from "./commands/scaffold-names.js";
export { validateManifest, validateScaffold } from "./commands/scaffold-validate.js";
export { type WriteScaffoldOptions, writeScaffold } from "./commands/scaffold-write.js";
export { CliError, type CliErrorCode } from "./errors.js";
export { type LoadedModule, type LoadOptions, type LoadResult, loadModules } from "./load.js";
export { type Output, processOutput } from "./output.js";
