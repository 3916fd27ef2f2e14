import { readdirSync } from "node:fs";
import { basename, join } from "node:path";
import { readCrds } from "@metahook/crd-types";
import { describe, expect, it } from "vitest";
import { generateController, writeResult } from "../src/index.js";
import { EXAMPLES, read, runVitest, scratch, typecheck, yamlFiles } from "./helpers.js";

// Every manifest with a CompositeController or DecoratorController, with the CRDs of its example
// (and, for an example that reuses another's parent, the CRD that defines it).
const files = yamlFiles(EXAMPLES);
const crdFiles = files.filter((f) => /^kind: CustomResourceDefinition$/m.test(read(f).content));
const controllerFiles = files.filter((f) =>
  /^kind: (Composite|Decorator)Controller$/m.test(read(f).content),
);
const exampleOf = (f: string) => f.slice(EXAMPLES.length + 1).split("/")[0] ?? "";

const crdNames = (f: string) => readCrds([read(f)]).crds.map((c) => c.name);

function crdsFor(controller: string): string[] {
  // A controller file that carries its own CRD uses that one; otherwise the example's CRD files.
  const inFile = crdFiles.includes(controller) ? [controller] : [];
  const taken = new Set(inFile.flatMap(crdNames));
  const own = [...inFile];
  for (const f of crdFiles) {
    if (f === controller || exampleOf(f) !== exampleOf(controller)) continue;
    // Some examples define the same CRD twice, differently: the first one wins.
    if (crdNames(f).some((n) => taken.has(n))) continue;
    for (const n of crdNames(f)) taken.add(n);
    own.push(f);
  }
  const known = new Set(
    own.flatMap((f) => readCrds([read(f)]).crds.map((c) => `${c.plural}.${c.group}`)),
  );
  const wanted = [
    ...read(controller).content.matchAll(
      /apiVersion: ([a-z0-9.-]+)\/v\w+\s+resource: ([a-z0-9-]+)/g,
    ),
  ].map((m) => `${m[2]}.${m[1]}`);
  const borrowed = wanted.flatMap((w) =>
    known.has(w)
      ? []
      : crdFiles
          .filter((f) => readCrds([read(f)]).crds.some((c) => `${c.plural}.${c.group}` === w))
          .slice(0, 1),
  );
  return [...new Set([...own, ...borrowed])];
}

const cases = controllerFiles.map((controller) => ({
  id: controller
    .slice(EXAMPLES.length + 1)
    .replace(/\.ya?ml$/, "")
    .replace(/\//g, "__"),
  controller,
  crds: crdsFor(controller),
}));

describe("gen controller on every upstream example manifest", () => {
  it("finds the examples (composite and decorator, v1 and v2, cluster parents, customize)", () => {
    expect(cases.length).toBeGreaterThanOrEqual(15);
    const text = cases.map((c) => read(c.controller).content).join("\n");
    for (const feature of [
      "kind: CompositeController",
      "kind: DecoratorController",
      "version: v2",
      "customize:",
      "finalize:",
    ]) {
      expect(text).toContain(feature);
    }
  });

  const root = scratch("examples");
  let generatedTests = 0;

  it.each(cases)("$id generates", async ({ id, controller, crds }) => {
    const result = generateController(read(controller), crds.map(read), {
      command: `metahook gen controller ${basename(controller)}`,
    });
    expect(result.owned.map((f) => f.action)).toEqual(result.owned.map(() => "create"));
    await writeResult(join(root, id), result);
    generatedTests += result.models.reduce(
      // Two sync cases (settles; two parents do not collide), one per other declared hook.
      (n, m) => n + 2 + (m.hooks.finalize ? 1 : 0) + (m.hooks.customize ? 1 : 0),
      0,
    );
    expect(readdirSync(join(root, id)).some((f) => f.endsWith(".generated.ts"))).toBe(true);
  });

  it("the generated modules, skeletons and tests type-check as one strict project", () => {
    const diagnostics = typecheck(root);
    expect(diagnostics, diagnostics.join("\n")).toEqual([]);
  });

  it("every generated skeleton's test passes", () => {
    const report = runVitest(root);
    expect(report.numFailedTests, report.output).toBe(0);
    expect(report.numPassedTests).toBe(generatedTests);
  });
});
