/**
 * Test helpers shared across the workspace. The reference material (`shared/`: Metacontroller's
 * contract, fixtures, CRDs and examples, real-world CRDs) lives beside the repository — CI clones
 * the repo with `shared/` next to it — or wherever `METAHOOK_SHARED` points.
 *
 * @example
 * ```ts
 * import { fixture, exampleManifests } from "@metahook/test-support";
 * const request = fixture("composite-sync-v1-namespaced-catset.request.json");
 * const { manifestOf } = exampleManifests(import.meta.url);
 * ```
 *
 * @packageDocumentation
 */
import { readdirSync, readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { parseAllDocuments } from "yaml";

/** The repository's root directory. */
export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "../../..");

/** `shared/` beside the repository, or `METAHOOK_SHARED`. */
export const SHARED = process.env.METAHOOK_SHARED ?? resolve(REPO_ROOT, "../shared");

/** Metacontroller's hook fixtures. */
export const FIXTURES = join(SHARED, "metacontroller/fixtures");

/** A fixture from `shared/metacontroller/fixtures`, parsed. */
export function fixture<T = unknown>(name: string): T {
  return JSON.parse(readFileSync(join(FIXTURES, name), "utf8")) as T;
}

/** The names of every JSON fixture, sorted. */
export function fixtureNames(): string[] {
  return readdirSync(FIXTURES)
    .filter((f) => f.endsWith(".json"))
    .sort();
}

/** A YAML document as a plain object. */
export type Document = { kind?: string; [key: string]: unknown };

/** Every non-empty YAML document of a file, as plain objects. */
export function yamlDocuments(path: string): Document[] {
  return parseAllDocuments(readFileSync(path, "utf8"))
    .map((doc) => doc.toJS() as Document | null)
    .filter((doc): doc is Document => doc !== null);
}

/**
 * Readers for an example's `manifests/` directory, resolved from a test file's `import.meta.url`
 * (`<example>/test/x.test.ts` → `<example>/manifests`).
 */
export function exampleManifests(testFileUrl: string): {
  manifest(file: string): Document[];
  manifestOf<T>(file: string, kind: string): T;
} {
  const dir = resolve(dirname(fileURLToPath(testFileUrl)), "../manifests");
  const manifest = (file: string) => yamlDocuments(join(dir, file));
  return {
    manifest,
    manifestOf<T>(file: string, kind: string): T {
      const found = manifest(file).filter((doc) => doc.kind === kind);
      if (found.length !== 1)
        throw new Error(`${file}: expected one ${kind}, found ${found.length}`);
      return found[0] as T;
    },
  };
}
