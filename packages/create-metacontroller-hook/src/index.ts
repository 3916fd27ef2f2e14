/**
 * `create-metacontroller-hook`: from a CRD (or a group and kind) to a typed, tested, deployable
 * Metacontroller hook project. The command as a library, for tests and wrappers.
 *
 * @example
 * ```ts
 * import { run } from "create-metacontroller-hook";
 * process.exitCode = await run(["blog-controller", "--group", "example.com", "--kind", "Blog", "--yes"]);
 * ```
 *
 * @packageDocumentation
 */
export { type CreateFlags, type PackageManager, parseFlags, type Template, USAGE } from "./args.js";
export {
  type CreateContext,
  type CreateOptions,
  type CreateResult,
  createProject,
  type Exec,
  run,
} from "./create.js";
export { CreateError, type CreateErrorCode } from "./errors.js";
export {
  buildProject,
  type ControllerChoices,
  type NewParent,
  type Project,
  type ProjectOptions,
  runCommand,
} from "./project.js";
export {
  type Answer,
  CANCELLED,
  type Choice,
  type ClackStreams,
  clackPrompts,
  type PromptAdapter,
} from "./prompts.js";
export {
  type MetahookDependencies,
  publishedDependencies,
  tarballDependencies,
} from "./source.js";
export {
  METAHOOK_PACKAGES,
  type MetahookPackage,
  PROJECT_DEPENDENCIES,
  PROJECT_DEV_DEPENDENCIES,
  PROJECT_OVERRIDES,
} from "./versions.js";
