// The edges: reading inputs and writing outputs. Everything between is pure.
import { randomBytes } from "node:crypto";
import { mkdir, readdir, readFile, rename, rm, stat, writeFile } from "node:fs/promises";
import { dirname, join, relative, resolve, sep } from "node:path";
import { BANNER_PREFIX, type GeneratedFile } from "./emit.js";
import { CrdTypesError } from "./errors.js";
import type { InputFile } from "./parse.js";

/** Options of {@link readInputs}. */
export interface ReadInputsOptions {
  /** Directory relative paths are resolved against. @defaultValue `process.cwd()` */
  readonly cwd?: string;
  /** Reads standard input, for the path `-`. @defaultValue reads `process.stdin` */
  readonly stdin?: () => Promise<string | Uint8Array>;
}

const INPUT_EXTENSIONS = /\.(ya?ml|json)$/i;

/**
 * Reads files, directories (recursively: every `.yaml`, `.yml` and `.json` file, in sorted order)
 * and `-` (standard input). Paths in the result are as the caller named them.
 *
 * @example
 * ```ts
 * const inputs = await readInputs(["crds/", "extra.yaml"]);
 * ```
 */
export async function readInputs(
  paths: readonly string[],
  options: ReadInputsOptions = {},
): Promise<InputFile[]> {
  const cwd = options.cwd ?? process.cwd();
  const inputs: InputFile[] = [];
  for (const path of paths) {
    if (path === "-") {
      inputs.push({ path: "-", content: await (options.stdin ?? readStdin)() });
      continue;
    }
    const absolute = resolve(cwd, path);
    const info = await stat(absolute).catch((error: unknown) => {
      throw new CrdTypesError(
        "INPUT_NOT_FOUND",
        "no such file or directory",
        { file: path },
        { cause: error },
      );
    });
    if (info.isDirectory()) {
      const found = await listDirectory(absolute);
      if (found.length === 0) {
        throw new CrdTypesError(
          "INPUT_NOT_FOUND",
          "the directory has no .yaml, .yml or .json files",
          { file: path },
        );
      }
      for (const file of found)
        inputs.push({ path: join(path, relative(absolute, file)), content: await readFile(file) });
    } else {
      inputs.push({ path, content: await readFile(absolute) });
    }
  }
  return inputs;
}

async function listDirectory(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true });
  const out: string[] = [];
  for (const entry of entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) {
      if (entry.name !== "node_modules" && !entry.name.startsWith("."))
        out.push(...(await listDirectory(path)));
    } else if (INPUT_EXTENSIONS.test(entry.name)) {
      out.push(path);
    }
  }
  return out;
}

async function readStdin(): Promise<Uint8Array> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin)
    chunks.push(typeof chunk === "string" ? Buffer.from(chunk) : chunk);
  return Buffer.concat(chunks);
}

/** One difference between the files on disk and the generated ones. */
export interface Drift {
  readonly path: string;
  /** `missing`: not on disk; `changed`: different content; `stale`: generated earlier but no longer. */
  readonly reason: "missing" | "changed" | "stale";
}

/**
 * Compares `files` with `outDir` without writing anything. Generated files on disk that are no
 * longer produced (recognised by the banner) are reported as `stale`.
 *
 * @example
 * ```ts
 * const drift = await checkFiles("src/__generated__", generateTypes(inputs).files);
 * if (drift.length > 0) process.exitCode = 1;
 * ```
 */
export async function checkFiles(
  outDir: string,
  files: readonly GeneratedFile[],
): Promise<Drift[]> {
  const drift: Drift[] = [];
  const expected = new Set(files.map((f) => f.path));
  for (const file of files) {
    const current = await readFile(join(outDir, file.path), "utf8").catch(() => undefined);
    if (current === undefined) drift.push({ path: file.path, reason: "missing" });
    else if (current !== file.content) drift.push({ path: file.path, reason: "changed" });
  }
  for (const path of await generatedOnDisk(outDir))
    if (!expected.has(path)) drift.push({ path, reason: "stale" });
  return drift.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}

/** What {@link writeFiles} did. */
export interface WriteReport {
  readonly written: readonly string[];
  readonly unchanged: readonly string[];
  readonly removed: readonly string[];
}

/**
 * Writes `files` under `outDir`, all or nothing: every changed file is first written to a staging
 * directory inside `outDir`, and only when all of them are written are they renamed into place.
 * Unchanged files are not touched; stale generated files (see {@link checkFiles}) are removed.
 *
 * @example
 * ```ts
 * const { written } = await writeFiles("src/__generated__", generateTypes(inputs).files);
 * ```
 */
export async function writeFiles(
  outDir: string,
  files: readonly GeneratedFile[],
): Promise<WriteReport> {
  const escaping = files.find((file) => escapes(outDir, file.path));
  if (escaping) {
    throw new CrdTypesError(
      "WRITE_FAILED",
      `refusing to write outside the output directory: ${escaping.path}`,
    );
  }
  const drift = await checkFiles(outDir, files);
  const changed = new Set(drift.filter((d) => d.reason !== "stale").map((d) => d.path));
  const stale = drift.filter((d) => d.reason === "stale").map((d) => d.path);
  try {
    await writeAllOrNothing(
      outDir,
      files.filter((f) => changed.has(f.path)),
    );
    for (const path of stale) await rm(join(outDir, path), { force: true });
  } catch (error) {
    throw new CrdTypesError(
      "WRITE_FAILED",
      `cannot write to ${outDir}: ${(error as Error).message}`,
      {},
      { cause: error },
    );
  }
  return {
    written: files.filter((f) => changed.has(f.path)).map((f) => f.path),
    unchanged: files.filter((f) => !changed.has(f.path)).map((f) => f.path),
    removed: stale,
  };
}

/** Whether `path` (relative to `dir`) would land outside `dir`. */
function escapes(dir: string, path: string): boolean {
  const root = resolve(dir);
  const target = resolve(root, path);
  return target === root || relative(root, target).split(sep)[0] === "..";
}

/**
 * Writes `files` (paths relative to `outDir`) all or nothing: every file is first written to a
 * staging directory inside `outDir`, and only when all are written are they renamed into place.
 * On failure nothing is left behind, not even `outDir` when this call created it. The write edge
 * of every metahook generator and scaffolder.
 *
 * @throws `Error` for a path outside `outDir` or a failed write; callers wrap it in their own error.
 */
export async function writeAllOrNothing(
  outDir: string,
  files: readonly { readonly path: string; readonly content: string }[],
): Promise<void> {
  const escaping = files.find((file) => escapes(outDir, file.path));
  if (escaping) throw new Error(`refusing to write outside ${outDir}: ${escaping.path}`);
  if (files.length === 0) return;
  const existed = await stat(outDir).then(
    () => true,
    () => false,
  );
  const staging = join(outDir, `.metahook-staging-${randomBytes(6).toString("hex")}`);
  try {
    await mkdir(staging, { recursive: true });
    for (const file of files) {
      const target = join(staging, file.path);
      await mkdir(dirname(target), { recursive: true });
      await writeFile(target, file.content);
    }
    for (const file of files) {
      const target = join(outDir, file.path);
      await mkdir(dirname(target), { recursive: true });
      await rename(join(staging, file.path), target);
    }
  } catch (error) {
    // A directory created only for this write is removed too, so a failed run leaves no trace.
    if (!existed) await rm(outDir, { recursive: true, force: true });
    throw error;
  } finally {
    await rm(staging, { recursive: true, force: true });
  }
}

async function generatedOnDisk(outDir: string): Promise<string[]> {
  const out: string[] = [];
  const walk = async (dir: string): Promise<void> => {
    const entries = await readdir(dir, { withFileTypes: true }).catch(() => []);
    for (const entry of entries) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) {
        if (!entry.name.startsWith(".")) await walk(path);
      } else if (entry.name.endsWith(".ts")) {
        const head = await readHead(path);
        if (head.startsWith(BANNER_PREFIX)) out.push(relative(outDir, path).split(sep).join("/"));
      }
    }
  };
  await walk(outDir);
  return out;
}

async function readHead(path: string): Promise<string> {
  const content = await readFile(path, "utf8").catch(() => "");
  return content.slice(0, BANNER_PREFIX.length);
}
