import { readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { parseAllDocuments } from "yaml";

const here = dirname(fileURLToPath(import.meta.url));
const repoRoot = resolve(here, "../../..");

/** shared/ beside the repo (CI clones the repo with shared/ next to it), or METAHOOK_SHARED. */
export const SHARED = process.env.METAHOOK_SHARED ?? resolve(repoRoot, "../shared");

/** A fixture from shared/metacontroller/fixtures, parsed. */
export function fixture(name: string): unknown {
  return JSON.parse(readFileSync(join(SHARED, "metacontroller/fixtures", name), "utf8"));
}

/** Every YAML document of one of this example's manifests, as plain objects. */
export function manifest(file: string): { kind?: string; [key: string]: unknown }[] {
  const text = readFileSync(resolve(here, "../manifests", file), "utf8");
  return parseAllDocuments(text)
    .map((doc) => doc.toJS() as { kind?: string } | null)
    .filter((doc): doc is { kind?: string } => doc !== null);
}

/** The one document of `kind` in a manifest file. */
export function manifestOf<T>(file: string, kind: string): T {
  const found = manifest(file).filter((doc) => doc.kind === kind);
  if (found.length !== 1) throw new Error(`${file}: expected one ${kind}, found ${found.length}`);
  return found[0] as T;
}
