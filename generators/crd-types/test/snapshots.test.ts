// Real CRDs snapshotted for review: Flagger's Canary (the YAML no other generator reads, with
// oneOf alternatives and int-or-string). Metacontroller's own CRDs are generated once, into
// @metahook/runtime (src/__generated__/metacontroller), and checked by the runtime's drift test.
// The snapshots are real .ts files under test/snapshots/, type-checked by `pnpm typecheck`.
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { generateTypes, readInputs } from "../src/index.js";
import { packageDir, referenceDir } from "./helpers.js";

const shared = referenceDir();
const cases = [
  {
    name: "flagger",
    inputs: [join(shared, "crds", "flagger__canaries.flagger.app.yaml")],
    // As `metahook gen types` names its inputs: relative to the repository, never the output.
    command: "metahook gen types test/fixtures/crds/flagger__canaries.flagger.app.yaml",
  },
];

describe("real CRD snapshots", () => {
  it.each(cases)("$name", async ({ name, inputs, command }) => {
    const result = generateTypes(await readInputs(inputs), { command });
    expect(result.files.length).toBeGreaterThan(3);
    for (const file of result.files) {
      await expect(file.content).toMatchFileSnapshot(
        join(packageDir, "test", "snapshots", name, file.path),
      );
    }
  });
});
