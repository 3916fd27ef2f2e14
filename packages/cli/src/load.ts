import { readdir, stat } from "node:fs/promises";
import { basename, extname, join, relative, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import {
  type ControllerDefinition,
  type HookFunction,
  isControllerDefinition,
} from "@metahook/runtime";
import { CliError } from "./errors.js";

/** A module that serves hooks: its route name, file and default export. */
export interface LoadedModule {
  name: string;
  file: string;
  value: ControllerDefinition | HookFunction;
}

/**
 * What discovery found: modules to serve and files passed over (with why). `meant` marks a
 * skipped file that has a default export, so looks like it meant to be a controller; files with
 * none (type modules, helpers) are passed over routinely.
 */
export interface LoadResult {
  modules: LoadedModule[];
  skipped: { file: string; reason: string; meant: boolean }[];
}

const EXTENSIONS = new Set([".ts", ".mts", ".js", ".mjs"]);
// Directories that hold tests, builds and dependencies, never hook modules.
const SKIP_DIRS = new Set([
  "node_modules",
  "dist",
  "build",
  "coverage",
  "test",
  "tests",
  "__tests__",
  "__generated__",
  "generated",
  "types",
]);
const SKIP_FILE = /(\.d\.[mc]?ts|\.(test|spec|test-d)\.[mc]?[jt]s|\.config\.[mc]?[jt]s)$/;

async function walk(dir: string, out: string[]): Promise<void> {
  const entries = await readdir(dir, { withFileTypes: true });
  entries.sort((a, b) => a.name.localeCompare(b.name));
  for (const entry of entries) {
    if (entry.name.startsWith(".")) continue;
    const path = join(dir, entry.name);
    if (entry.isDirectory()) {
      if (!SKIP_DIRS.has(entry.name)) await walk(path, out);
    } else if (EXTENSIONS.has(extname(entry.name)) && !SKIP_FILE.test(entry.name)) {
      out.push(path);
    }
  }
}

/** The route name of a module file: its basename without extension. */
export function moduleName(file: string): string {
  return basename(file, extname(file));
}

/** Options of {@link loadModules}. */
export interface LoadOptions {
  /**
   * Import every module afresh through tsx, so that a second call sees changed files
   * (what `dev` relies on). Default `true`. With `false`, plain JavaScript (`.js`,
   * `.mjs`) loads with Node's own `import()` and tsx starts only for TypeScript, which
   * saves its loader's start-up (`serve` of compiled JS answers `/readyz` sooner).
   */
  fresh?: boolean;
}

let tsx: Promise<typeof import("tsx/esm/api")> | undefined;
const NEEDS_TSX = new Set([
  "ERR_UNKNOWN_FILE_EXTENSION",
  "ERR_MODULE_NOT_FOUND",
  "ERR_UNSUPPORTED_DIR_IMPORT",
]);

async function importFile(file: string, fresh: boolean): Promise<{ default?: unknown }> {
  const url = pathToFileURL(file).href;
  if (!fresh && (file.endsWith(".js") || file.endsWith(".mjs"))) {
    try {
      return (await import(url)) as { default?: unknown };
    } catch (error) {
      // A .js file that imports TypeScript or uses its syntax: tsx below can load it, or
      // says why not. Any other failure is the module's own (and it must not run twice).
      const code = (error as { code?: unknown }).code;
      if (!(error instanceof SyntaxError) && !NEEDS_TSX.has(String(code))) throw error;
    }
  }
  tsx ??= import("tsx/esm/api");
  return (await (await tsx).tsImport(url, import.meta.url)) as { default?: unknown };
}

/**
 * Imports TypeScript or JavaScript modules (through tsx, so `.ts` needs no build)
 * and keeps those whose default export is a controller definition or a function.
 * Each call imports afresh unless `fresh: false`, which is what `dev` relies on to reload.
 */
export async function loadModules(
  inputs: readonly string[],
  cwd: string,
  options: LoadOptions = {},
): Promise<LoadResult> {
  if (inputs.length === 0) {
    throw new CliError("USAGE", "name at least one controller module or directory");
  }
  const explicit = new Set<string>();
  const files: string[] = [];
  for (const input of inputs) {
    const path = resolve(cwd, input);
    const info = await stat(path).catch(() => undefined);
    if (!info) throw new CliError("INPUT_NOT_FOUND", `${input}: no such file or directory`);
    if (info.isDirectory()) await walk(path, files);
    else {
      explicit.add(path);
      files.push(path);
    }
  }
  const modules: LoadedModule[] = [];
  const skipped: LoadResult["skipped"] = [];
  const byName = new Map<string, string>();
  for (const file of files) {
    const shown = relative(cwd, file) || file;
    let mod: { default?: unknown };
    try {
      mod = await importFile(file, options.fresh !== false);
    } catch (cause) {
      throw new CliError(
        "LOAD_FAILED",
        `${shown}: cannot be imported: ${(cause as Error).message ?? String(cause)}`,
        { cause },
      );
    }
    // tsx may wrap a CommonJS-style default once more.
    let value = mod.default;
    if (
      value &&
      typeof value === "object" &&
      !isControllerDefinition(value) &&
      "default" in value
    ) {
      value = (value as { default: unknown }).default;
    }
    if (!isControllerDefinition(value) && typeof value !== "function") {
      const reason =
        "its default export is not a controller (defineCompositeController/defineDecoratorController) or a hook function";
      if (explicit.has(file)) throw new CliError("LOAD_FAILED", `${shown}: ${reason}`);
      skipped.push({
        file: shown,
        reason: value === undefined ? "it has no default export" : reason,
        meant: value !== undefined,
      });
      continue;
    }
    const name = moduleName(file);
    const other = byName.get(name);
    if (other) {
      throw new CliError(
        "LOAD_FAILED",
        `${shown} and ${other} would both be served as /${name}; rename one of them`,
      );
    }
    byName.set(name, shown);
    modules.push({ name, file: shown, value: value as ControllerDefinition | HookFunction });
  }
  if (modules.length === 0) {
    throw new CliError(
      "LOAD_FAILED",
      `no controller module found in ${inputs.join(", ")}; a module's default export must be defineCompositeController(...), defineDecoratorController(...) or a function`,
    );
  }
  return { modules, skipped };
}
