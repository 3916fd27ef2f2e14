/**
 * `@metahook/scaffold`: the starter files of a Metacontroller hook project, in memory. Stages,
 * as in the other generators: parse and check the inputs (names, `--children`, CRDs), model the
 * controller, emit `{path, content}[]` (validated before they are handed out), and write once at
 * the edge ({@link writeScaffold}, all or nothing). No CLI framework, no hook server: the `metahook
 * scaffold` commands and `create-metacontroller-hook` are both thin front ends on it.
 *
 * @example
 * ```ts
 * import { scaffoldController, scaffoldCrd, writeScaffold } from "@metahook/scaffold";
 *
 * const crd = scaffoldCrd({ group: "example.com", kind: "Blog" });
 * const result = scaffoldController({
 *   crds: [{ path: "deploy/crd.yaml", content: crd.yaml }],
 *   children: "deployments.apps/v1,services.v1",
 * });
 * await writeScaffold("my-blog", result.files);
 * ```
 *
 * @packageDocumentation
 */
export { SCAFFOLD_AUTH_MODES, type ScaffoldAuth } from "./auth.js";
export {
  dockerfile,
  HOOK_SERVER_NODE_OPTIONS,
  packageManagerFromUserAgent,
  parseChildren,
  type ScaffoldChild,
  type ScaffoldControllerOptions,
  type ScaffoldedController,
  type ScaffoldFile,
  type ScaffoldHookVersion,
  type ScaffoldPackageManager,
  type ScaffoldParent,
  scaffoldController,
} from "./controller.js";
export { type ScaffoldCrdOptions, type ScaffoldedCrd, scaffoldCrd } from "./crd.js";
export { ScaffoldError, type ScaffoldErrorCode } from "./errors.js";
export { checkGroup, checkKind, checkLabelName, checkPlural, checkVersion } from "./names.js";
export { type CustomResourceNames, type RequestFixtureInput, requestFixture } from "./request.js";
export { validateManifest, validateScaffold } from "./validate.js";
export { type WriteScaffoldOptions, writeScaffold } from "./write.js";
