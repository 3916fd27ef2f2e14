import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { generateController, readExisting, writeResult } from "../src/index.js";
import { PKG, read, runVitest, scratch, typecheck } from "./helpers.js";

const crd = read(join(PKG, "test/fixtures/blog-crd.yaml"));
const manifest = read(join(PKG, "test/fixtures/blog-controller.yaml")).content;

async function generate(dir: string, controllerYaml: string) {
  const result = generateController(
    { path: "blog-controller.yaml", content: controllerYaml },
    [crd],
    {
      command: "metahook gen controller blog-controller.yaml --crd blog-crd.yaml -o src",
      existing: await readExisting(dir, ["blog-controller"]),
    },
  );
  await writeResult(dir, result);
  return result;
}

/** Whether every line of `before` appears in `after`, in order (only insertions happened). */
function onlyInsertions(before: string, after: string): boolean {
  const lines = after.split("\n");
  let at = 0;
  for (const line of before.split("\n")) {
    const found = lines.indexOf(line, at);
    if (found === -1) return false;
    at = found + 1;
  }
  return true;
}

describe("regenerating keeps user edits and adds only what is missing", () => {
  const dir = scratch("regenerate");
  const skeleton = join(dir, "blog-controller.ts");
  const edits = {
    insideSync:
      '    const title = shout(parent.spec?.title ?? "untitled"); // user edit: inside sync\n',
    helper:
      // biome-ignore lint/suspicious/noTemplateCurlyInString: this is source text of the skeleton
      "\n/** A helper the user added. */\nfunction shout(text: string): string {\n  return `${text}!`;\n}\n",
  };

  it("creates the skeleton, its test and the types once", async () => {
    const result = await generate(dir, manifest);
    expect(result.owned.map((f) => `${f.path} ${f.action}`)).toEqual([
      "blog-controller.ts create",
      "blog-controller.test.ts create",
    ]);
    expect(typecheck(dir)).toEqual([]);
  });

  let edited = "";
  it("takes the user's edits", () => {
    const original = readFileSync(skeleton, "utf8");
    edited = original.replace(
      "    const name = parent.metadata.name;\n",
      (line) => `${line}${edits.insideSync}`,
    );
    edited = edited.replace(
      // biome-ignore lint/suspicious/noTemplateCurlyInString: source text of the skeleton
      "metadata: { name: `${name}-configmap`, labels }",
      // biome-ignore lint/suspicious/noTemplateCurlyInString: source text of the skeleton
      "metadata: { name: `${name}-configmap`, labels, annotations: { title } }",
    );
    edited += edits.helper;
    expect(edited).not.toBe(original);
    writeFileSync(skeleton, edited);
    expect(typecheck(dir)).toEqual([]);
  });

  it("adds the new hook and child type, and leaves every edit byte for byte", async () => {
    const next = manifest
      .replace(
        "    - { apiVersion: v1, resource: configmaps }\n",
        "    - { apiVersion: v1, resource: configmaps }\n    - { apiVersion: apps/v1, resource: deployments }\n",
      )
      .replace(
        "  hooks:\n",
        "  hooks:\n    finalize:\n      webhook: { url: http://blog-hooks.default/blog-controller/finalize }\n",
      );
    const testBefore = readFileSync(join(dir, "blog-controller.test.ts"), "utf8");
    const result = await generate(dir, next);
    const updated = readFileSync(skeleton, "utf8");
    expect(result.owned.find((f) => f.path === "blog-controller.ts")).toMatchObject({
      action: "update",
      // finalize's request and response types are imported for it.
      added: ["imports", "finalize"],
    });
    expect(onlyInsertions(edited, updated)).toBe(true);
    expect(updated).toContain(edits.insideSync);
    expect(updated).toContain(edits.helper);
    expect(updated).toMatch(
      /finalize\(\{ parent, children \}: FinalizeRequest\): FinalizeResponse \{/,
    );
    expect(updated.length).toBeGreaterThan(edited.length);
    // The generated module now types the new child; the test file is the user's and stays.
    expect(readFileSync(join(dir, "blog-controller.generated.ts"), "utf8")).toContain(
      '"Deployment.apps/v1": IDeployment;',
    );
    expect(readFileSync(join(dir, "blog-controller.test.ts"), "utf8")).toBe(testBefore);
    expect(typecheck(dir)).toEqual([]);
  });

  it("is idempotent: a third run changes nothing", async () => {
    const before = readFileSync(skeleton, "utf8");
    const result = await generate(
      dir,
      manifest
        .replace(
          "    - { apiVersion: v1, resource: configmaps }\n",
          "    - { apiVersion: v1, resource: configmaps }\n    - { apiVersion: apps/v1, resource: deployments }\n",
        )
        .replace(
          "  hooks:\n",
          "  hooks:\n    finalize:\n      webhook: { url: http://blog-hooks.default/blog-controller/finalize }\n",
        ),
    );
    expect(result.owned.map((f) => f.action)).toEqual(["keep", "keep"]);
    expect(readFileSync(skeleton, "utf8")).toBe(before);
  });

  it("the edited controller's generated test still passes", () => {
    const report = runVitest(dir);
    expect(report.numFailedTests, report.output).toBe(0);
    // The sync cases: it settles, and two parents do not collide.
    expect(report.numPassedTests).toBe(2);
  });
});

describe("children are typed by group key", () => {
  const dir = scratch("types");
  it("types children['Deployment.apps/v1'] as a Deployment map and refuses undeclared keys", async () => {
    const controller = manifest.replace(
      "    - { apiVersion: v1, resource: configmaps }\n",
      "    - { apiVersion: v1, resource: configmaps }\n    - { apiVersion: apps/v1, resource: deployments }\n",
    );
    await generate(dir, controller);
    const probe = (body: string) =>
      `import type { IDeployment } from "kubernetes-models/apps/v1/Deployment";\nimport type { SyncRequest } from "./blog-controller.generated.js";\n\nexport function probe(request: SyncRequest): IDeployment | undefined {\n${body}\n}\n`;
    writeFileSync(
      join(dir, "probe.ts"),
      probe(
        '  const deployments: { [name: string]: IDeployment } = request.children["Deployment.apps/v1"];\n  // @ts-expect-error Secret.v1 is not a declared child\n  void request.children["Secret.v1"];\n  return deployments.web;',
      ),
    );
    expect(typecheck(dir)).toEqual([]);
    // Without the directive the undeclared key is exactly the compile error.
    writeFileSync(
      join(dir, "probe.ts"),
      probe('  void request.children["Secret.v1"];\n  return undefined;'),
    );
    const errors = typecheck(dir);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatch(/^probe\.ts:5 .*"Secret\.v1"/);
  });
});
