// The reference data in test/fixtures is a verbatim copy of the shared reference folder. When
// that folder is present (beside the repository, or METAHOOK_SHARED), the copy must be current:
// an upstream correction there must reach the tests here. Without it there is nothing to compare.
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import { EXTRA_CORPUS, REFERENCE } from "@metahook/test-support";
import { describe, expect, it } from "vitest";

const COPIED = [
  "metacontroller/fixtures",
  "metacontroller/crds",
  "metacontroller/examples",
  "crds",
];

function files(dir: string): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir).sort()) {
    const path = join(dir, entry);
    if (statSync(path).isDirectory()) out.push(...files(path));
    else out.push(path);
  }
  return out;
}

describe.skipIf(EXTRA_CORPUS === undefined)("test/fixtures against the shared folder", () => {
  const shared = EXTRA_CORPUS ?? "";
  it.each(COPIED)("%s holds the same files, byte for byte", (dir) => {
    const theirs = files(join(shared, dir)).map((f) => relative(shared, f));
    const ours = files(join(REFERENCE, dir)).map((f) => relative(REFERENCE, f));
    expect(ours, "refresh with `node scripts/sync-reference.mjs`").toEqual(theirs);
    const stale = theirs.filter(
      (f) => !readFileSync(join(shared, f)).equals(readFileSync(join(REFERENCE, f))),
    );
    expect(stale, "refresh with `node scripts/sync-reference.mjs`").toEqual([]);
  });
});
