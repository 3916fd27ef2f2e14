import { existsSync, mkdirSync, readdirSync, rmSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import ts from "typescript";
import { type GeneratedFile, type InputFile, writeFiles } from "../src/index.js";

/** The package directory (generated code is written below it so `@kubernetes-models/*` resolves). */
export const packageDir = resolve(dirname(fileURLToPath(import.meta.url)), "..");

/**
 * The reference data in the repository (`test/fixtures` at the root: real-world CRDs with
 * `crds/index.tsv`, Metacontroller's CRDs and examples), laid out as `shared/` is.
 */
export function referenceDir(): string {
  const dir = resolve(packageDir, "../../test/fixtures");
  if (!existsSync(join(dir, "crds", "index.tsv"))) {
    throw new Error(`reference data not found at ${dir}: test/fixtures is part of the repository`);
  }
  return dir;
}

/** Metacontroller's upstream examples (parent CRDs, sample parents), from the reference data. */
export function metacontrollerExamplesDir(): string {
  return join(referenceDir(), "metacontroller", "examples");
}

/** A JSON-shaped schema node for building test CRDs. */
export type Schema = { [key: string]: unknown };

/** Options for {@link crd}. */
export interface CrdOptions {
  readonly group?: string;
  readonly kind: string;
  /** Root openAPIV3Schema per version; the first given is the storage version unless `storage` says otherwise. */
  readonly versions?: readonly {
    name: string;
    schema: Schema;
    storage?: boolean;
    served?: boolean;
  }[];
  /** Shorthand: one version `v1` whose schema has this `spec`. */
  readonly spec?: Schema;
  readonly status?: Schema;
}

/** Builds an apiextensions.k8s.io/v1 CRD document. */
export function crd(options: CrdOptions): Schema {
  const group = options.group ?? "example.com";
  const plural = `${options.kind.toLowerCase()}s`;
  const rootProps: Schema = {};
  if (options.spec) rootProps.spec = options.spec;
  if (options.status) rootProps.status = options.status;
  const versions = options.versions ?? [
    { name: "v1", schema: { type: "object", properties: rootProps } },
  ];
  const anyStorage = versions.some((v) => v.storage !== undefined);
  return {
    apiVersion: "apiextensions.k8s.io/v1",
    kind: "CustomResourceDefinition",
    metadata: { name: `${plural}.${group}` },
    spec: {
      group,
      scope: "Namespaced",
      names: {
        kind: options.kind,
        plural,
        singular: options.kind.toLowerCase(),
        listKind: `${options.kind}List`,
      },
      versions: versions.map((v, i) => ({
        name: v.name,
        served: v.served ?? true,
        storage: anyStorage ? v.storage === true : i === 0,
        schema: { openAPIV3Schema: v.schema },
      })),
    },
  };
}

/** An input file holding `docs` as JSON. */
export function jsonInput(path: string, ...docs: Schema[]): InputFile {
  return { path, content: JSON.stringify(docs.length === 1 ? docs[0] : docs) };
}

/** A fresh directory under the package's `.tmp/`. */
export function tempDir(name: string): string {
  const root = join(packageDir, ".tmp");
  // Earlier runs' directories of the same name are garbage; other names may be in use by parallel files.
  if (existsSync(root))
    for (const old of readdirSync(root))
      if (old.startsWith(`${name}-`)) rmSync(join(root, old), { recursive: true, force: true });
  const dir = join(root, `${name}-${process.pid}`);
  mkdirSync(dir, { recursive: true });
  return dir;
}

/** Writes `files` to a fresh temp dir and type-checks them with `--strict`; returns the diagnostics as text. */
export async function typeCheck(
  name: string,
  files: readonly GeneratedFile[],
): Promise<{ dir: string; errors: string[] }> {
  const dir = tempDir(name);
  await writeFiles(dir, files);
  return { dir, errors: compile(files.map((f) => join(dir, f.path))) };
}

/** Type-checks `rootNames` with the strictest settings generated code promises to pass. */
export function compile(rootNames: readonly string[]): string[] {
  const program = ts.createProgram(rootNames, {
    strict: true,
    noEmit: true,
    target: ts.ScriptTarget.ES2022,
    module: ts.ModuleKind.NodeNext,
    moduleResolution: ts.ModuleResolutionKind.NodeNext,
    noUncheckedIndexedAccess: true,
    noUnusedLocals: true,
    exactOptionalPropertyTypes: true,
    verbatimModuleSyntax: true,
    skipLibCheck: true,
    types: [],
  });
  return ts.getPreEmitDiagnostics(program).map((d) => {
    const message = ts.flattenDiagnosticMessageText(d.messageText, "\n");
    if (d.file === undefined || d.start === undefined) return message;
    const { line, character } = d.file.getLineAndCharacterOfPosition(d.start);
    return `${d.file.fileName}:${line + 1}:${character + 1} ${message}`;
  });
}

/** The content of the generated file at `path`, failing clearly when it is missing. */
export function fileAt(files: readonly GeneratedFile[], path: string): string {
  const file = files.find((f) => f.path === path);
  if (file === undefined)
    throw new Error(`no generated file ${path}; got ${files.map((f) => f.path).join(", ")}`);
  return file.content;
}

/** Loose constructs the output must never contain: `any` as a type, and the empty object type `{}`. */
export function looseTypes(content: string): string[] {
  const code = content.replace(/\/\*\*[\s\S]*?\*\//g, "").replace(/"(?:[^"\\\n]|\\.)*"/g, '""');
  // `any` in a type position (after `:`, `|`, `&`, `<`, `(` or `,`), not a property named any.
  return [...code.matchAll(/(?<=[:|&<(,]\s*)any(?![\w$?:])|\{\s*\}/g)].map((m) => m[0]);
}
