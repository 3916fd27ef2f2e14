// The edge of scaffolding: write files under a directory, never over the user's without consent.
import { stat } from "node:fs/promises";
import { join, relative, resolve } from "node:path";
import { writeAllOrNothing } from "@metahook/crd-types";
import { ScaffoldError } from "./errors.js";

/** Options of {@link writeScaffold}. */
export interface WriteScaffoldOptions {
  /** Replace files that exist (default: refuse, naming them, and write nothing). */
  readonly force?: boolean;
}

/**
 * Writes `files` (paths relative to `dir`) all or nothing: each is staged first and renamed into
 * place only when every one is staged. Without `force`, an existing file is an error and nothing
 * is written.
 *
 * @returns the paths written, in order.
 * @throws {@link ScaffoldError} `WRITE_FAILED` naming the files in the way, or the write that failed.
 */
export async function writeScaffold(
  dir: string,
  files: readonly { readonly path: string; readonly content: string }[],
  options: WriteScaffoldOptions = {},
): Promise<string[]> {
  const root = resolve(dir);
  for (const file of files) {
    const rel = relative(root, resolve(root, file.path));
    if (rel.startsWith("..") || resolve(root, file.path) === root) {
      throw new ScaffoldError("WRITE_FAILED", `refusing to write outside ${dir}: ${file.path}`);
    }
  }
  if (!options.force) {
    const existing: string[] = [];
    for (const file of files) {
      if (await stat(join(root, file.path)).catch(() => undefined)) existing.push(file.path);
    }
    if (existing.length > 0) {
      throw new ScaffoldError(
        "WRITE_FAILED",
        `${existing.join(", ")} already exist${existing.length === 1 ? "s" : ""} in ${dir}; nothing was written (--force replaces them)`,
      );
    }
  }
  try {
    await writeAllOrNothing(root, files);
  } catch (cause) {
    throw new ScaffoldError("WRITE_FAILED", `cannot write to ${dir}: ${(cause as Error).message}`, {
      cause,
    });
  }
  return files.map((f) => f.path);
}
