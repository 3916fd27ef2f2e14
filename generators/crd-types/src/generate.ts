// The pipeline: parse → normalise → model → emit, entirely in memory.

import {
  emitBarrel,
  emitRuntime,
  emitVersion,
  type GeneratedFile,
  type ModuleExports,
  namespaceName,
} from "./emit.js";
import { CrdTypesError } from "./errors.js";
import { modelVersion, type VersionModel } from "./model.js";
import { NameAllocator } from "./names.js";
import { normalise } from "./normalise.js";
import { type InputFile, parseInput } from "./parse.js";

/** Options of {@link generateTypes}. */
export interface GenerateOptions {
  /**
   * The command that regenerates the output, named in every file's do-not-edit banner.
   * @defaultValue `"metahook gen types"`
   */
  readonly command?: string;
  /** Called once per CRD after its versions are modelled (the CLI prints a progress line). */
  readonly onProgress?: (progress: GenerateProgress) => void;
}

/** One progress event of {@link generateTypes}. */
export interface GenerateProgress {
  /** `metadata.name` of the CRD. */
  readonly crd: string;
  /** Served versions generated. */
  readonly versions: readonly string[];
  /** 1-based position of the CRD among all CRDs. */
  readonly index: number;
  readonly total: number;
}

/** Counts describing a generation run. */
export interface GenerateSummary {
  readonly crds: number;
  readonly versions: number;
  readonly files: number;
}

/** What {@link generateTypes} produced. */
export interface GenerateResult {
  /** Every file to write, sorted by path. */
  readonly files: readonly GeneratedFile[];
  readonly summary: GenerateSummary;
  /** Skipped documents, unserved versions, unchecked constraints, left-out index names. */
  readonly notes: readonly string[];
}

/**
 * Generates TypeScript types and runtime models for every `apiextensions.k8s.io/v1` CRD in
 * `inputs`. Pure: the result is a list of files to write; nothing is read or written here.
 * Throws {@link CrdTypesError} on the first bad input, so a run either produces everything or nothing.
 *
 * @example
 * ```ts
 * import { readFileSync } from "node:fs";
 * import { generateTypes, writeFiles } from "@metahook/crd-types";
 *
 * const result = generateTypes([{ path: "crd.yaml", content: readFileSync("crd.yaml", "utf8") }], {
 *   command: "metahook gen types crd.yaml -o src/__generated__",
 * });
 * await writeFiles("src/__generated__", result.files);
 * ```
 */
export function generateTypes(
  inputs: readonly InputFile[],
  options: GenerateOptions = {},
): GenerateResult {
  const command = options.command ?? "metahook gen types";
  const docs = inputs.flatMap((input) => parseInput(input));
  const { crds, notes } = normalise(docs);
  const allNotes = [...notes];
  const models: VersionModel[] = [];
  const files: GeneratedFile[] = [];
  const owners = new Map<string, string>();
  crds.forEach((crd, i) => {
    const served: string[] = [];
    for (const version of crd.versions) {
      if (!version.served) {
        allNotes.push(`${crd.file}: CRD ${crd.name} version ${version.name} skipped: not served`);
        continue;
      }
      const model = modelVersion(crd, version);
      const path = `${crd.group}/${version.name}/${fileStem(crd.kind, model.typeName)}.ts`;
      const owner = owners.get(path.toLowerCase());
      if (owner !== undefined) {
        throw new CrdTypesError(
          "DUPLICATE_CRD",
          `generates ${path}, which ${owner} generates too`,
          {
            file: crd.file,
            crd: crd.name,
            version: version.name,
          },
        );
      }
      owners.set(path.toLowerCase(), `CRD ${crd.name}`);
      allNotes.push(...model.notes);
      models.push(model);
      files.push({ path, content: emitVersion(model, command) });
      served.push(version.name);
    }
    options.onProgress?.({ crd: crd.name, versions: served, index: i + 1, total: crds.length });
  });
  if (models.length > 0) files.push(...indexFiles(models, command, allNotes));
  files.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  return {
    files,
    summary: { crds: crds.length, versions: models.length, files: files.length },
    notes: allNotes,
  };
}

function fileStem(kind: string, typeName: string): string {
  return /^[A-Za-z0-9_-]+$/.test(kind) ? kind : typeName;
}

function exportsOf(model: VersionModel, path: string): ModuleExports {
  return { module: path.replace(/\.ts$/, ""), types: model.typeNames, values: model.valueNames };
}

function indexFiles(
  models: readonly VersionModel[],
  command: string,
  notes: string[],
): GeneratedFile[] {
  const cel = models.some((m) => m.cel.evaluated > 0);
  const files: GeneratedFile[] = [{ path: "_runtime.ts", content: emitRuntime(command, cel) }];
  const byVersion = new Map<string, ModuleExports[]>();
  const storage: ModuleExports[] = [];
  const withoutStorage = new Set<string>();
  for (const model of models) {
    const dir = `${model.crd.group}/${model.version.name}`;
    const exports = exportsOf(model, `${dir}/${fileStem(model.crd.kind, model.typeName)}.ts`);
    byVersion.set(dir, [...(byVersion.get(dir) ?? []), exports]);
    if (model.version.storage) storage.push(exports);
  }
  for (const model of models) {
    if (
      !model.crd.versions.some((v) => v.storage && v.served) &&
      !withoutStorage.has(model.crd.name)
    ) {
      withoutStorage.add(model.crd.name);
      notes.push(
        `CRD ${model.crd.name}: the storage version is not served; index.ts exports it only by version`,
      );
    }
  }
  const nsNames = new NameAllocator();
  const namespaces: { name: string; module: string }[] = [];
  for (const dir of [...byVersion.keys()].sort()) {
    const modules = byVersion.get(dir) ?? [];
    const [group = "", version = ""] = splitDir(dir);
    files.push({
      path: `${dir}/index.ts`,
      content: emitBarrel(command, dir, modules, [], (name, from) => {
        notes.push(
          `${dir}/index.ts: ${name} is exported by ${from.join(" and ")}; import it from its own module`,
        );
      }),
    });
    namespaces.push({ name: namespaceName(group, version, nsNames), module: `${dir}/index` });
  }
  // The runtime's types go through the same clash check as the kinds (a kind may be named Verdict).
  const runtime: ModuleExports = {
    module: "_runtime",
    types: ["ResourceModel", "UncheckedRule", "Verdict"],
    values: [],
  };
  files.push({
    path: "index.ts",
    content: emitBarrel(command, "", [runtime, ...storage], namespaces, (name, from) => {
      notes.push(
        `index.ts: ${name} is exported by ${from.join(" and ")}; import it from its own module or namespace`,
      );
    }),
  });
  return files;
}

function splitDir(dir: string): [string, string] {
  const slash = dir.lastIndexOf("/");
  return [dir.slice(0, slash), dir.slice(slash + 1)];
}
