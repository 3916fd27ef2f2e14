// The pipeline: parse → validate → model → emit, in memory. Writing happens at the edge (files.ts).
import {
  type Crd,
  type GeneratedFile,
  generateTypes,
  type InputFile,
  readCrds,
} from "@metahook/crd-types";
import { emitTypesModule } from "./emit.js";
import { GenControllerError } from "./errors.js";
import { readControllers } from "./manifest.js";
import { type ControllerModel, modelController } from "./model.js";
import { createSkeleton, createTest, updateSkeleton } from "./skeleton.js";

/** Options of {@link generateController}. */
export interface GenerateControllerOptions {
  /** The command that regenerates the output, named in every generated file's banner. */
  readonly command?: string;
  /**
   * The command named in the banners of the CRD types under `types/`, from the paths of the CRD
   * inputs used; default: {@link GenerateControllerOptions.command}. The CLI names
   * `metahook gen types <crds>` here, so these files are identical to what `gen types` writes.
   */
  readonly typesCommand?: (crdPaths: readonly string[]) => string;
  /** Module base name (only with a single controller); default: its `metadata.name`. */
  readonly name?: string;
  /** Related kinds (`configmaps.v1,namespaces.v1`), overriding the `metahook.dev/related` annotation. */
  readonly related?: string;
  /**
   * Files already in the output directory (path relative to it → content): the skeleton and
   * its test are created only when absent, and an existing skeleton is extended, never replaced.
   */
  readonly existing?: ReadonlyMap<string, string>;
  /**
   * `false`: generate only the types module and CRD types, no skeleton or test (for a
   * controller that lives elsewhere or is written by hand around the generated types).
   * Default `true`.
   */
  readonly skeleton?: boolean;
}

/** A user-owned file: created once, afterwards only extended. */
export interface OwnedFile {
  readonly path: string;
  readonly content: string;
  /** `create`: absent before; `update`: hooks/imports inserted; `keep`: left as it was. */
  readonly action: "create" | "update" | "keep";
  readonly added: readonly string[];
}

/** What {@link generateController} produced. */
export interface GenerateControllerResult {
  /** Regenerated on every run (types module, CRD types): checked by `--check`. */
  readonly generated: readonly GeneratedFile[];
  /** The skeleton and its test, per controller. */
  readonly owned: readonly OwnedFile[];
  readonly models: readonly ControllerModel[];
  readonly notes: readonly string[];
}

/**
 * Generates everything a hook author needs from a controller manifest and the CRDs it names:
 * `<name>.generated.ts` (parent, children/attachments and related types, request/response
 * types for the declared hook versions, the manifest), CRD types under `types/`, and, once, an
 * editable skeleton `<name>.ts` with its vitest test. Pure: reads nothing, writes nothing.
 *
 * @example
 * ```ts
 * const result = generateController(
 *   { path: "controller.yaml", content: readFileSync("controller.yaml", "utf8") },
 *   [{ path: "crd.yaml", content: readFileSync("crd.yaml", "utf8") }],
 *   { command: "metahook gen controller controller.yaml --crd crd.yaml -o src" },
 * );
 * ```
 */
export function generateController(
  controller: InputFile,
  crdInputs: readonly InputFile[],
  options: GenerateControllerOptions = {},
): GenerateControllerResult {
  const command = options.command ?? "metahook gen controller";
  const manifests = readControllers(controller);
  if (options.name !== undefined && manifests.length > 1) {
    throw new GenControllerError(
      "NO_CONTROLLER",
      `${controller.path} has ${manifests.length} controllers; --name applies to one (split the file)`,
    );
  }
  let crds: Crd[] = [];
  if (crdInputs.length > 0) {
    try {
      crds = readCrds(crdInputs).crds;
    } catch (cause) {
      throw new GenControllerError("INVALID_INPUT", (cause as Error).message, { cause });
    }
  }
  const models = manifests.map((m) =>
    modelController(m, crds, {
      file: controller.path,
      ...(options.name !== undefined ? { name: options.name } : {}),
      ...(options.related !== undefined ? { related: options.related } : {}),
    }),
  );
  const names = new Set<string>();
  for (const model of models) {
    if (names.has(model.name)) {
      throw new GenControllerError(
        "NO_CONTROLLER",
        `two controllers would both generate ${model.name}.ts`,
      );
    }
    names.add(model.name);
  }

  const generated: GeneratedFile[] = models.map((model) => ({
    path: `${model.name}.generated.ts`,
    content: emitTypesModule(model, command),
  }));
  // Types of every CRD a controller names, laid out like `metahook gen types -o types`.
  const used = new Set(
    models
      .flatMap((m) => [...m.parents, ...m.children, ...(m.related ?? [])])
      .flatMap((k) => (k.crd ? [k.crd.crd.file] : [])),
  );
  const crdFiles = crdInputs.filter((input) => used.has(input.path));
  if (crdFiles.length > 0) {
    const typesCommand = options.typesCommand?.(crdFiles.map((f) => f.path)) ?? command;
    for (const file of generateTypes(crdFiles, { command: typesCommand }).files) {
      generated.push({ path: `types/${file.path}`, content: file.content });
    }
  }

  const existing = options.existing ?? new Map<string, string>();
  const owned: OwnedFile[] = [];
  const notes = models.flatMap((m) => m.notes);
  for (const model of options.skeleton === false ? [] : models) {
    const skeletonPath = `${model.name}.ts`;
    const current = existing.get(skeletonPath);
    if (current === undefined) {
      owned.push({
        path: skeletonPath,
        content: createSkeleton(model),
        action: "create",
        added: [
          "sync",
          ...(model.hooks.finalize ? ["finalize"] : []),
          ...(model.hooks.customize ? ["customize"] : []),
        ],
      });
    } else {
      const update = updateSkeleton(model, skeletonPath, current);
      notes.push(...update.notes);
      owned.push({
        path: skeletonPath,
        content: update.content,
        action: update.content === current ? "keep" : "update",
        added: update.added,
      });
    }
    const testPath = `${model.name}.test.ts`;
    const currentTest = existing.get(testPath);
    owned.push(
      currentTest === undefined
        ? { path: testPath, content: createTest(model), action: "create", added: [] }
        : { path: testPath, content: currentTest, action: "keep", added: [] },
    );
  }
  generated.sort((a, b) => a.path.localeCompare(b.path));
  return { generated, owned, models, notes };
}
