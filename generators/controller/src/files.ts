// The edge: read what exists, write once. Generated files are written all or nothing; owned
// files (skeleton, test) only when created or extended.
import { randomBytes } from "node:crypto";
import { mkdir, readFile, rename, rm, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
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
 * Writes the result under `outDir`: every changed file is staged first and renamed into place
 * only when all are staged, so a failure leaves the directory as it was.
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
  for (const file of candidates) {
    if (file.path.startsWith("/") || file.path.split("/").includes("..")) {
      throw new GenControllerError(
        "INVALID_INPUT",
        `refusing to write outside ${outDir}: ${file.path}`,
      );
    }
  }
  const changed: { path: string; content: string }[] = [];
  const unchanged: string[] = [];
  for (const file of candidates) {
    const current = await readFile(join(outDir, file.path), "utf8").catch(() => undefined);
    if (current === file.content) unchanged.push(file.path);
    else changed.push(file);
  }
  const staging = join(outDir, `.metahook-staging-${randomBytes(6).toString("hex")}`);
  try {
    for (const file of changed) {
      const target = join(staging, file.path);
      await mkdir(dirname(target), { recursive: true });
      await writeFile(target, file.content);
    }
    for (const file of changed) {
      const target = join(outDir, file.path);
      await mkdir(dirname(target), { recursive: true });
      await rename(join(staging, file.path), target);
    }
  } catch (cause) {
    throw new GenControllerError(
      "INVALID_INPUT",
      `cannot write to ${outDir}: ${(cause as Error).message}`,
      { cause },
    );
  } finally {
    await rm(staging, { recursive: true, force: true });
  }
  return { written: changed.map((f) => f.path), unchanged: unchanged.sort() };
}
