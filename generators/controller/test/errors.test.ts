import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { GenControllerError, generateController } from "../src/index.js";
import { PKG, read } from "./helpers.js";

const crd = read(join(PKG, "test/fixtures/blog-crd.yaml"));
const base = read(join(PKG, "test/fixtures/blog-controller.yaml")).content;

function failure(content: string, crds = [crd], options = {}): GenControllerError {
  try {
    generateController({ path: "controller.yaml", content }, crds, options);
  } catch (error) {
    if (error instanceof GenControllerError) return error;
    throw error;
  }
  throw new Error("expected generation to fail");
}

describe("bad manifests get an error naming the file, the controller and the field", () => {
  it.each<[string, string, string, RegExp]>([
    [
      "no controller",
      "apiVersion: v1\nkind: ConfigMap\nmetadata: { name: x }\n",
      "NO_CONTROLLER",
      /controller\.yaml: no CompositeController or DecoratorController/,
    ],
    [
      "a missing parentResource",
      base.replace("  parentResource: { apiVersion: example.com/v1, resource: blogs }\n", ""),
      "INVALID_MANIFEST",
      /controller\.yaml: CompositeController blog-controller: spec\.parentResource: is required/,
    ],
    [
      "a rule without resource",
      base.replace("{ apiVersion: v1, resource: configmaps }", "{ apiVersion: v1 }"),
      "INVALID_MANIFEST",
      /spec\.childResources\[0\]\.resource: is required/,
    ],
    [
      "a wrong update strategy",
      base.replace(
        "{ apiVersion: v1, resource: configmaps }",
        "{ apiVersion: v1, resource: configmaps, updateStrategy: { method: Sometimes } }",
      ),
      "INVALID_MANIFEST",
      /spec\.childResources\[0\]\.updateStrategy\.method: must be equal to one of the allowed values/,
    ],
    [
      "a wrong hook version",
      base.replace("    sync:\n", "    sync:\n      version: v3\n"),
      "INVALID_MANIFEST",
      /spec\.hooks\.sync\.version/,
    ],
    [
      "a misspelled core resource",
      base.replace("resource: configmaps", "resource: configmap"),
      "UNRESOLVED_RULE",
      /spec\.childResources\[0\]: \{apiVersion: v1, resource: configmap\} matches no built-in kind and no given CRD; the core group has no resource "configmap"/,
    ],
    [
      "a custom child without its CRD",
      base.replace(
        "{ apiVersion: v1, resource: configmaps }",
        "{ apiVersion: example.com/v1, resource: widgets }",
      ),
      "UNRESOLVED_RULE",
      /pass the CRD that defines widgets\.example\.com with --crd/,
    ],
    [
      "an unserved version",
      base.replace("example.com/v1, resource: blogs", "example.com/v2, resource: blogs"),
      "UNRESOLVED_RULE",
      /CRD blogs\.example\.com .* does not serve version v2; served: v1/,
    ],
    [
      "the parent CRD missing",
      base,
      "UNRESOLVED_RULE",
      /spec\.parentResource: .*pass the CRD that defines blogs\.example\.com/,
    ],
    [
      "a bad related list",
      base.replace(
        "metadata:\n  name: blog-controller\n",
        'metadata:\n  name: blog-controller\n  annotations: { metahook.dev/related: "configmaps" }\n',
      ),
      "INVALID_MANIFEST",
      /metahook\.dev\/related: "configmaps" is not <plural>\.<apiVersion>/,
    ],
  ])("%s", (label, content, code, message) => {
    const error = failure(content, label === "the parent CRD missing" ? [] : [crd]);
    expect(error.code).toBe(code);
    expect(error.message).toMatch(message);
  });

  it("refuses --name with more than one controller in the file", () => {
    const two = `${base}---\n${base.replace("name: blog-controller", "name: other")}`;
    expect(failure(two, [crd], { name: "x" }).message).toMatch(
      /has 2 controllers; --name applies to one/,
    );
  });
});

describe("notes", () => {
  it("warns when a hook URL will not reach the route metahook serves", () => {
    const result = generateController(
      { path: "c.yaml", content: base.replace("/blog-controller/sync", "/sync") },
      [crd],
    );
    expect(result.notes).toEqual([
      "c.yaml: CompositeController blog-controller: hooks.sync calls /sync, but metahook serves this hook at /blog-controller/sync",
    ]);
  });

  it("is deterministic: the same input gives the same files", () => {
    const a = generateController({ path: "c.yaml", content: base }, [crd]);
    const b = generateController({ path: "c.yaml", content: base }, [crd]);
    expect(a.generated).toEqual(b.generated);
    expect(a.owned).toEqual(b.owned);
  });
});
