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
} from "../src/indexedjob.generated.js";
import indexedJob, { indexOf } from "../src/indexedjob.js";
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

describe("indexedjob answers as upstream's sync.py", () => {
  it.each(cases)("$name ($version)", async ({ parent, observed, want, version }) => {
    await expect(invokeHook(indexedJob, request(parent, observed, version))).resolves.toStrictEqual(
      want,
    );
  });

  it("starts the sample job's first two Pods", async () => {
    const sample = manifestOf<Parent>("indexedjob.yaml", "IndexedJob");
    sample.metadata = { ...sample.metadata, namespace: "default", uid: "0000-sample" };
    const answer = await invokeHook(indexedJob, request(sample, [], "v1"));
    expect(answer.children?.map((pod) => pod.metadata.name)).toStrictEqual([
      "print-index-0",
      "print-index-1",
    ]);
  });
});

describe("indexOf reads only canonical <job>-<n> names", () => {
  it.each<[string, string, number | undefined]>([
    ["print-index", "print-index-0", 0],
    ["print-index", "print-index-12", 12],
    ["print-index", "print-index-01", undefined],
    ["print-index", "print-index-", undefined],
    ["print-index", "print-index-x", undefined],
    ["print", "print-index-1", undefined],
  ])("%s / %s", (job, pod, want) => {
    expect(indexOf(job, pod)).toBe(want);
  });
});

describe("what it refuses", () => {
  it("a template without containers fails the sync, saying where", async () => {
    const sample = manifestOf<Parent>("indexedjob.yaml", "IndexedJob");
    sample.metadata = { ...sample.metadata, namespace: "default" };
    sample.spec = { ...sample.spec, template: { metadata: {} } };
    await expect(invokeHook(indexedJob, request(sample, [], "v1"))).rejects.toThrow(
      /spec\.template\.spec\.containers is missing/,
    );
  });
});
