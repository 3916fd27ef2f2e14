import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { runMain } from "./helpers.js";

const here = dirname(fileURLToPath(import.meta.url));
const fixtures = join(here, "fixtures/controller");
const dir = mkdtempSync(join(tmpdir(), "metahook-gen-request-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const controller = readFileSync(join(fixtures, "blog-controller.yaml"), "utf8");
writeFileSync(join(dir, "controller.yaml"), controller);
writeFileSync(join(dir, "crd.yaml"), readFileSync(join(fixtures, "blog-crd.yaml"), "utf8"));
writeFileSync(
  join(dir, "blog.yaml"),
  "apiVersion: example.com/v1\nkind: Blog\nmetadata: { name: hello, namespace: blogs }\nspec: { title: Hello }\n",
);
// The same controller with a second child kind, as a user adds one.
writeFileSync(
  join(dir, "controller-2.yaml"),
  controller.replace(
    "    - { apiVersion: v1, resource: configmaps }\n",
    "    - { apiVersion: v1, resource: configmaps }\n    - { apiVersion: v1, resource: secrets }\n",
  ),
);

const gen = (args: string[]) => runMain(["gen", "request", ...args], dir);
const base = ["--crd", "crd.yaml", "--parent", "blog.yaml"];

describe("metahook gen request", () => {
  it("writes the sync request for the parent: the controller as sent, uid and generation filled in", async () => {
    const res = await gen(["controller.yaml", ...base, "-o", "request.json"]);
    expect(res, res.stderr).toMatchObject({ code: 0, stdout: "wrote request.json" });
    const request = JSON.parse(readFileSync(join(dir, "request.json"), "utf8"));
    expect(request.controller.spec.childResources).toEqual([
      expect.objectContaining({ apiVersion: "v1", resource: "configmaps" }),
    ]);
    expect(request.parent.metadata).toEqual({
      uid: expect.any(String),
      generation: 1,
      name: "hello",
      namespace: "blogs",
    });
    expect(Object.keys(request.children)).toEqual(["ConfigMap.v1"]);
  });

  it("--check passes when up to date and fails after the manifest gains a child; regenerating follows it", async () => {
    expect((await gen(["controller.yaml", ...base, "-o", "request.json", "--check"])).code).toBe(0);
    const drift = await gen(["controller-2.yaml", ...base, "-o", "request.json", "--check"]);
    expect(drift.code).toBe(1);
    expect(drift.stdout).toBe("changed request.json");
    expect(drift.stderr).toMatch(/request\.json is not the request for controller-2\.yaml/);
    expect((await gen(["controller-2.yaml", ...base, "-o", "request.json"])).code).toBe(0);
    const request = JSON.parse(readFileSync(join(dir, "request.json"), "utf8"));
    expect(Object.keys(request.children)).toEqual(["ConfigMap.v1", "Secret.v1"]);
    const again = await gen(["controller-2.yaml", ...base, "-o", "request.json"]);
    expect(again.stdout).toBe("request.json unchanged");
  });

  it("prints the request on stdout without -o", async () => {
    const res = await gen(["controller.yaml", ...base]);
    expect(res.code).toBe(0);
    expect(JSON.parse(res.stdout).parent.kind).toBe("Blog");
  });

  it.each([
    ["no --parent", ["controller.yaml"], 2, /required option '--parent <file>' not specified/],
    [
      "a CRD path that does not exist",
      ["controller.yaml", "--parent", "blog.yaml", "--crd", "nope"],
      1,
      /nope: no such file/,
    ],
    [
      "a parent without apiVersion and kind",
      ["controller.yaml", "--parent", "empty.yaml"],
      1,
      /empty\.yaml: not a Kubernetes object \(it needs apiVersion and kind\)/,
    ],
    [
      "a manifest that is not a controller",
      ["blog.yaml", "--parent", "blog.yaml"],
      1,
      /a Blog, not a CompositeController or DecoratorController/,
    ],
    ["--check without -o", ["controller.yaml", ...base, "--check"], 2, /--check needs -o <file>/],
  ])("fails clearly on %s", async (_name, args, code, message) => {
    writeFileSync(join(dir, "empty.yaml"), "name: nothing\n");
    const res = await gen(args);
    expect(res.code).toBe(code);
    expect(res.stderr).toMatch(message);
  });
});
