import type { HookVersion, KubeObject } from "@metahook/runtime";
import { buildCompositeRequest, invokeHook } from "@metahook/runtime/testing";
import { exampleManifests } from "@metahook/test-support";
import { describe, expect, it } from "vitest";
import {
  type Children,
  controllerManifest as controller,
  type Keying,
  type Parent,
  type Related,
} from "../src/bluegreen.generated.js";
import blueGreen, { jsonEqual } from "../src/bluegreen.js";
import table from "./fixtures/cases.json" with { type: "json" };

const { manifestOf } = exampleManifests(import.meta.url);

interface Case {
  name: string;
  parent: Parent;
  observed: KubeObject[];
  want: unknown;
}

const request = (parent: Parent, observed: readonly KubeObject[], version: HookVersion) =>
  buildCompositeRequest<Parent, Children, Related, Keying>({
    controller: {
      ...controller,
      spec: { ...controller.spec, hooks: { sync: { ...controller.spec.hooks.sync, version } } },
    },
    parent,
    observed,
  });

const cases = (table.cases as unknown as Case[]).flatMap((c) =>
  (["v1", "v2"] as const).map((version) => ({ ...c, version })),
);

describe("bluegreen answers as upstream's sync.js", () => {
  it.each(cases)("$name ($version)", async ({ parent, observed, want, version }) => {
    await expect(invokeHook(blueGreen, request(parent, observed, version))).resolves.toStrictEqual(
      want,
    );
  });

  it("runs the sample on blue", async () => {
    const sample = manifestOf<Parent>("bluegreen.yaml", "BlueGreenDeployment");
    sample.metadata = { ...sample.metadata, namespace: "default", uid: "0000-sample" };
    const answer = await invokeHook(blueGreen, request(sample, [], "v1"));
    expect(answer.children?.map((child) => `${child.kind} ${child.metadata.name}`)).toStrictEqual([
      "Service nginx-frontend",
      "ReplicaSet nginx-blue",
      "ReplicaSet nginx-green",
    ]);
  });
});

describe("jsonEqual compares as upstream's deepEqual", () => {
  it.each<[string, unknown, unknown, boolean]>([
    ["same keys in another order", { a: 1, b: [1, 2] }, { b: [1, 2], a: 1 }, true],
    ["a missing key", { a: 1 }, { a: 1, b: 2 }, false],
    ["arrays of other lengths", [1, 2], [1, 2, 3], false],
    ["an array and an object", [1], { 0: 1 }, false],
    ["null and an object", null, {}, false],
  ])("%s", (_label, a, b, want) => {
    expect(jsonEqual(a, b)).toBe(want);
  });
});

describe("what it refuses", () => {
  it("a Service without a name fails the sync, saying where", async () => {
    const sample = manifestOf<Parent>("bluegreen.yaml", "BlueGreenDeployment");
    sample.metadata = { ...sample.metadata, namespace: "default" };
    sample.spec = { ...sample.spec, service: { ...sample.spec.service, metadata: {} } };
    await expect(invokeHook(blueGreen, request(sample, [], "v1"))).rejects.toThrow(
      /spec\.service\.metadata\.name is missing/,
    );
  });
});
