import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { stringify } from "yaml";
import { runMain } from "./helpers.js";

const fixtures = join(dirname(fileURLToPath(import.meta.url)), "fixtures/plan");
const LAST_APPLIED = "metacontroller.k8s.io/last-applied-configuration";

const controller = (method?: string) => ({
  apiVersion: "metacontroller.k8s.io/v1alpha1",
  kind: "CompositeController",
  metadata: { name: "configs" },
  spec: {
    generateSelector: true,
    parentResource: { apiVersion: "example.com/v1", resource: "configs" },
    childResources: [
      {
        apiVersion: "v1",
        resource: "configmaps",
        ...(method ? { updateStrategy: { method } } : {}),
      },
    ],
    hooks: { sync: { version: "v2", webhook: { url: "http://h/configs/sync" } } },
  },
});
const parent = (names: string[], value = "new") => ({
  apiVersion: "example.com/v1",
  kind: "Configs",
  metadata: { name: "my-configs", uid: "uid-1" },
  spec: { names, value },
});
/** What the module answers for one name and value. */
const asked = (name: string, value: string) => ({
  apiVersion: "v1",
  kind: "ConfigMap",
  metadata: { name },
  data: { value },
});
/** A ConfigMap as Metacontroller left it after applying what the hook asked for. */
const existing = (name: string, value: string) => ({
  ...asked(name, value),
  metadata: {
    name,
    namespace: "default",
    annotations: { [LAST_APPLIED]: JSON.stringify(asked(name, value)) },
  },
});

function files(given: { method?: string; names: string[]; observed?: object[] }) {
  const dir = mkdtempSync(join(tmpdir(), "metahook-plan-"));
  writeFileSync(join(dir, "controller.yaml"), stringify(controller(given.method)));
  writeFileSync(join(dir, "parent.yaml"), stringify(parent(given.names)));
  const observed = join(dir, "observed");
  writeFileSync(`${observed}.yaml`, (given.observed ?? []).map((o) => stringify(o)).join("---\n"));
  return {
    dir,
    args: [
      join(dir, "controller.yaml"),
      "--parent",
      join(dir, "parent.yaml"),
      "--observed",
      `${observed}.yaml`,
    ],
  };
}

const plan = (args: string[], module = "configs.ts", extra: string[] = []) =>
  runMain(["plan", ...args, "--module", join(fixtures, module), ...extra], fixtures);

describe("metahook plan: what Metacontroller would do, per update strategy", () => {
  it.each<[string, { method?: string; names: string[]; observed?: object[] }, string[]]>([
    [
      "a new parent: every child created",
      { names: ["a", "b"] },
      ["create  ConfigMap.v1 default/a", "create  ConfigMap.v1 default/b"],
    ],
    [
      "asked for as before: unchanged",
      { method: "InPlace", names: ["a"], observed: [existing("a", "new")] },
      ["unchanged  ConfigMap.v1 default/a"],
    ],
    [
      "OnDelete keeps a changed child",
      { names: ["a"], observed: [existing("a", "old")] },
      [
        "kept  ConfigMap.v1 default/a  (OnDelete: a changed child is updated only after someone deletes it)",
      ],
    ],
    [
      "Recreate deletes it, to create it again",
      { method: "Recreate", names: ["a"], observed: [existing("a", "old")] },
      ["recreate  ConfigMap.v1 default/a  (Recreate: deleted, created again on the next sync)"],
    ],
    [
      "InPlace updates it",
      { method: "InPlace", names: ["a"], observed: [existing("a", "old")] },
      ["update  ConfigMap.v1 default/a"],
    ],
    [
      "RollingInPlace moves one at a time, in answer order",
      {
        method: "RollingInPlace",
        names: ["b", "a"],
        observed: [existing("a", "old"), existing("b", "old")],
      },
      [
        "update  ConfigMap.v1 default/b",
        "kept    ConfigMap.v1 default/a  (RollingInPlace: waits until the children before it have rolled out)",
      ],
    ],
    [
      "a child no longer asked for is deleted",
      { method: "InPlace", names: [], observed: [existing("a", "new")] },
      ["delete  ConfigMap.v1 default/a"],
    ],
  ])("%s", async (_label, given, want) => {
    const { code, stdout, stderr } = await plan(files(given).args);
    expect(stderr).toBe("");
    expect(code).toBe(0);
    const lines = stdout.split("\n");
    const at = lines.indexOf("--- # plan");
    expect(lines.slice(at + 1).map((l) => l.trim())).toEqual(want.map((l) => l.trim()));
  });

  it("prints the status and the desired children as YAML before the plan", async () => {
    const { stdout } = await plan(files({ names: ["a"] }).args);
    expect(stdout).toMatch(
      /^# Configs default\/my-configs: 1 create\nstatus:\n {2}count: 1\nchildren: 1\n---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n {2}name: a\ndata:\n {2}value: new\n--- # plan/,
    );
  });

  it("--json prints the request, the response and the plan", async () => {
    const { stdout } = await plan(files({ names: ["a"] }).args, "configs.ts", ["--json"]);
    const parsed = JSON.parse(stdout) as {
      request: { children: object };
      response: object;
      plan: { children: { action: string }[] };
    };
    expect(parsed.request.children).toEqual({ "ConfigMap.v1": {} });
    expect(parsed.plan.children.map((c) => c.action)).toEqual(["create"]);
  });

  it("a guard violation is named, with the child, on stderr; exit 1, nothing on stdout", async () => {
    const { code, stdout, stderr } = await plan(files({ names: ["a"] }).args, "nameless.ts");
    expect(code).toBe(1);
    expect(stdout).toBe("");
    expect(stderr).toMatch(
      /500 INVALID_RESPONSE at children\[0\].*Secret\.v1, which is not among the controller's childResources/s,
    );
  });
});

describe("metahook plan --crd: the parent's scope comes from its CRD", () => {
  const crd = (scope: string) =>
    stringify({
      apiVersion: "apiextensions.k8s.io/v1",
      kind: "CustomResourceDefinition",
      metadata: { name: "configs.example.com" },
      spec: {
        group: "example.com",
        scope,
        names: { plural: "configs", singular: "config", kind: "Configs" },
        versions: [
          {
            name: "v1",
            served: true,
            storage: true,
            schema: {
              openAPIV3Schema: { type: "object", "x-kubernetes-preserve-unknown-fields": true },
            },
          },
        ],
      },
    });

  it("a namespaced parent without a namespace goes to -n, as kubectl apply -n does", async () => {
    const { dir, args } = files({ names: ["a"] });
    writeFileSync(join(dir, "crd.yaml"), crd("Namespaced"));
    const { code, stdout } = await plan(args, "configs.ts", [
      "--crd",
      join(dir, "crd.yaml"),
      "-n",
      "blogs",
    ]);
    expect(code).toBe(0);
    expect(stdout).toMatch(/^# Configs blogs\/my-configs: 1 create/);
  });

  it("a cluster-scoped parent stays without one, so its namespaced children need their own", async () => {
    const { dir, args } = files({ names: ["a"] });
    writeFileSync(join(dir, "crd.yaml"), crd("Cluster"));
    const { code, stderr } = await plan(args, "configs.ts", ["--crd", join(dir, "crd.yaml")]);
    expect(code).toBe(1);
    expect(stderr).toMatch(/cluster-scoped, so Metacontroller cannot default its namespace/);
  });
});

describe("metahook plan --converge", () => {
  it("applies each plan and syncs again until nothing changes", async () => {
    const { code, stdout } = await plan(files({ names: ["a"] }).args, "configs.ts", ["--converge"]);
    expect(code).toBe(0);
    expect(stdout).toMatch(
      /^# round 1: 1 create\n {2}create {2}ConfigMap\.v1 default\/a\n# round 2: 1 unchanged\n/,
    );
    expect(stdout).toMatch(/# settled after 2 round\(s\)/);
  });

  it("a controller that never settles fails with the difference of its last two answers", async () => {
    const { code, stderr } = await plan(files({ names: [] }).args, "flapping.ts", [
      "--converge",
      "--max-rounds",
      "3",
    ]);
    expect(code).toBe(1);
    expect(stderr).toMatch(
      /still changes after 3 rounds; the last two differ at:\n {2}children\[0\]\.data\.n: "\d+" → "\d+"/,
    );
  });
});
