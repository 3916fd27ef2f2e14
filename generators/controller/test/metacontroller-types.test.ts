import { readFileSync } from "node:fs";
import { join } from "node:path";
import { checkFiles, generateTypes } from "@metahook/crd-types";
import { describe, expect, it } from "vitest";
import { PKG, REFERENCE } from "./helpers.js";

// The types the manifest validation uses are generated from Metacontroller's own CRDs; this is
// the drift check that keeps them in step. Regenerate at the repository root with the command in
// their banner, into their directory:
//   pnpm metahook gen types test/fixtures/metacontroller/crds/compositecontrollers.yaml \
//     test/fixtures/metacontroller/crds/decoratorcontrollers.yaml -o generators/controller/src/__generated__/metacontroller
const COMMAND =
  "metahook gen types test/fixtures/metacontroller/crds/compositecontrollers.yaml test/fixtures/metacontroller/crds/decoratorcontrollers.yaml";

describe("src/__generated__/metacontroller", () => {
  it("is what `metahook gen types` makes of Metacontroller's CRDs", async () => {
    const inputs = ["compositecontrollers.yaml", "decoratorcontrollers.yaml"].map((name) => ({
      path: `test/fixtures/metacontroller/crds/${name}`,
      content: readFileSync(join(REFERENCE, "metacontroller/crds", name), "utf8"),
    }));
    const { files } = generateTypes(inputs, { command: COMMAND });
    expect(files.length).toBeGreaterThanOrEqual(4);
    expect(await checkFiles(join(PKG, "src/__generated__/metacontroller"), files)).toEqual([]);
  });
});
