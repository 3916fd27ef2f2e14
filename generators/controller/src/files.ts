// The edge: read what exists, write once. Generated files are written all or nothing; owned
// files (skeleton, test) only when created or extended.
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { writeAllOrNothing } from "@metahook/crd-types";
import { GenControllerError } from "./errors.js";
import type { GenerateControllerResult } from "./generate.js";

/** Reads the skeleton and test files of the given controller names, if present. */
export async function readExisting(
  outDir: string,
  names: readonly string[],
): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  for (const name of names) {
    for (const path of [`${name}.ts`, `${name}.test.ts`]) {
      const content = await readFile(join(outDir, path), "utf8").catch(() => undefined);
      if (content !== undefined) out.set(path, content);
    }
  }
  return out;
}

/** A generated file that differs from what is on disk. */
export interface ControllerDrift {
  readonly path: string;
  readonly reason: "missing" | "changed";
}

/** Compares the regenerated files with `outDir`; owned files are the user's and never drift. */
export async function checkGenerated(
  outDir: string,
  result: GenerateControllerResult,
): Promise<ControllerDrift[]> {
  const drift: ControllerDrift[] = [];
  for (const file of result.generated) {
    const current = await readFile(join(outDir, file.path), "utf8").catch(() => undefined);
    if (current === undefined) drift.push({ path: file.path, reason: "missing" });
    else if (current !== file.content) drift.push({ path: file.path, reason: "changed" });
  }
  return drift;
}

/** What {@link writeResult} wrote. */
export interface ControllerWriteReport {
  readonly written: readonly string[];
  readonly unchanged: readonly string[];
}

/**
 * Writes what changed under `outDir`, all or nothing (see `writeAllOrNothing`), so a failure
 * leaves the directory as it was.
 */
export async function writeResult(
  outDir: string,
  result: GenerateControllerResult,
): Promise<ControllerWriteReport> {
  const candidates = [
    ...result.generated,
    ...result.owned
      .filter((f) => f.action !== "keep")
      .map((f) => ({ path: f.path, content: f.content })),
  ];
  const changed: { path: string; content: string }[] = [];
  const unchanged: string[] = [];
  for (const file of candidates) {
    const current = await readFile(join(outDir, file.path), "utf8").catch(() => undefined);
    if (current === file.content) unchanged.push(file.path);
    else changed.push(file);
  }
  try {
    await writeAllOrNothing(outDir, changed);
  } catch (cause) {
    throw new GenControllerError(
      "INVALID_INPUT",
      `cannot write to ${outDir}: ${(cause as Error).message}`,
      {
        cause,
      },
    );
  }
  return { written: changed.map((f) => f.path), unchanged: unchanged.sort() };
}
