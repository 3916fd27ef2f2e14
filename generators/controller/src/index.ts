/**
 * `@metahook/gen-controller`: from a CompositeController or DecoratorController manifest and the
 * CRDs it names, the types a hook author needs and an editable, tested controller skeleton.
 *
 * @example
 * ```ts
 * import { readFile } from "node:fs/promises";
 * import { generateController, readExisting, writeResult } from "@metahook/gen-controller";
 *
 * const controller = { path: "controller.yaml", content: await readFile("controller.yaml", "utf8") };
 * const crds = [{ path: "crd.yaml", content: await readFile("crd.yaml", "utf8") }];
 * const existing = await readExisting("src", ["blog-controller"]);
 * await writeResult("src", generateController(controller, crds, { existing }));
 * ```
 *
 * @packageDocumentation
 */
export { GenControllerError, type GenControllerErrorCode } from "./errors.js";
export {
  type ControllerDrift,
  type ControllerWriteReport,
  checkGenerated,
  readExisting,
  writeResult,
} from "./files.js";
export {
  type GenerateControllerOptions,
  type GenerateControllerResult,
  generateController,
  type OwnedFile,
} from "./generate.js";
export { type ControllerManifest, readControllers } from "./manifest.js";
export { type ControllerModel, type HookVersion, RELATED_ANNOTATION } from "./model.js";
export type { ResolvedKind } from "./resolve.js";
export {
  PLACEHOLDER,
  type Sample,
  type SampleTodo,
  sampleFromSchema,
  sampleObject,
  sampleWithTodos,
  validateSample,
} from "./sample.js";
