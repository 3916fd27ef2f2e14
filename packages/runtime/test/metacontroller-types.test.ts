import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { checkFiles, generateTypes } from "@metahook/crd-types";
import { REFERENCE } from "@metahook/test-support";
import { describe, expect, it } from "vitest";
import {
  isCompositeController,
  validateDecoratorController,
} from "../src/__generated__/metacontroller/index.js";

const PKG = join(dirname(fileURLToPath(import.meta.url)), "..");

// Metacontroller's own controller types, generated once from its CRDs: the runtime's
// CompositeController/DecoratorController, `gen controller`'s manifest validation and
// `scaffold`'s controller manifests all use this copy. The one drift check that keeps it in step;
// regenerate at the repository root with the command in its banner, into its directory:
//   pnpm metahook gen types test/fixtures/metacontroller/crds/compositecontrollers.yaml \
//     test/fixtures/metacontroller/crds/decoratorcontrollers.yaml -o packages/runtime/src/__generated__/metacontroller
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

  const manifests: { name: string; given: unknown; composite: boolean; decoratorValid: boolean }[] =
    [
      {
        name: "a CompositeController",
        given: {
          apiVersion: "metacontroller.k8s.io/v1alpha1",
          kind: "CompositeController",
          metadata: { name: "c" },
          spec: { parentResource: { apiVersion: "example.com/v1", resource: "blogs" } },
        },
        composite: true,
        decoratorValid: false,
      },
      {
        name: "a DecoratorController",
        given: {
          apiVersion: "metacontroller.k8s.io/v1alpha1",
          kind: "DecoratorController",
          metadata: { name: "d" },
          spec: { resources: [{ apiVersion: "v1", resource: "pods" }] },
        },
        composite: false,
        decoratorValid: true,
      },
      {
        name: "a DecoratorController with a misspelt field",
        given: {
          apiVersion: "metacontroller.k8s.io/v1alpha1",
          kind: "DecoratorController",
          metadata: { name: "d" },
          spec: { resource: [{ apiVersion: "v1", resource: "pods" }] },
        },
        composite: false,
        decoratorValid: false,
      },
    ];
  it.each(manifests)("its models judge $name", ({ given, composite, decoratorValid }) => {
    expect(isCompositeController(given)).toBe(composite);
    let accepted = true;
    try {
      validateDecoratorController(given);
    } catch {
      accepted = false;
    }
    expect(accepted).toBe(decoratorValid);
  });
});
