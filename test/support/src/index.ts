/**
 * Test helpers shared across the workspace. The reference data the tests use (Metacontroller's
 * hook fixtures, CRDs and example manifests, and real-world CRDs for the generator) lives in the
 * repository under `test/fixtures/` (provenance and licences in its README), so a clone needs
 * nothing beside it. A `shared/` directory beside the repository, or `METAHOOK_SHARED`, is an
 * optional extra corpus: when present, `test/e2e/reference.test.ts` checks that the copy is
 * current.
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
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { parseAllDocuments } from "yaml";

/** The repository's root directory. */
export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "../../..");

/**
 * The reference data in the repository (`test/fixtures`), laid out as `shared/` is:
 * `metacontroller/{fixtures,crds,examples}` and `crds/` (with `crds/index.tsv`).
 */
export const REFERENCE = join(REPO_ROOT, "test/fixtures");

/**
 * The optional extra corpus: `METAHOOK_SHARED`, else `shared/` beside the repository, when it
 * exists; `undefined` otherwise. Tests must pass without it.
 */
export const EXTRA_CORPUS: string | undefined = (() => {
  const dir = process.env.METAHOOK_SHARED ?? resolve(REPO_ROOT, "../shared");
  return existsSync(join(dir, "metacontroller")) ? dir : undefined;
})();

/** Metacontroller's hook fixtures (`test/fixtures/metacontroller/fixtures`). */
export const FIXTURES = join(REFERENCE, "metacontroller/fixtures");

/** A fixture from `test/fixtures/metacontroller/fixtures`, parsed. */
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
