import { describe, expect, it } from "vitest";
import type { KubeObject, RelatedResourceRule } from "../src/index.js";
import {
  buildCompositeRequest,
  buildCustomizeRequest,
  buildDecoratorRequest,
} from "../src/testing.js";
import { fixture, fixtureNames } from "./helpers.js";

type Groups = Record<string, Record<string, KubeObject>>;
const flatten = (groups: Groups | undefined): KubeObject[] =>
  Object.values(groups ?? {}).flatMap((g) => Object.values(g));

// The customize response fixture tells which related groups a sync request carries.
function relatedRulesFor(name: string): RelatedResourceRule[] | undefined {
  const scenario = name
    .replace(/^composite-(sync|finalize)-/, "composite-customize-")
    .replace(".request.json", ".response.json");
  return fixtureNames().includes(scenario)
    ? fixture<{ relatedResources: RelatedResourceRule[] }>(scenario).relatedResources
    : undefined;
}

describe("request builders reproduce every fixture request exactly", () => {
  const requests = fixtureNames().filter((n) => n.endsWith(".request.json"));
  it("has fixtures to check", () => expect(requests.length).toBeGreaterThanOrEqual(10));

  it.each(requests)("%s", (name) => {
    const want = fixture<Record<string, unknown> & { controller: { kind: string } }>(name);
    let got: unknown;
    if (name.includes("-customize-")) {
      got = buildCustomizeRequest({
        controller: want.controller,
        parent: want.parent as KubeObject,
      });
    } else if (want.controller.kind === "DecoratorController") {
      got = buildDecoratorRequest({
        controller: want.controller,
        object: want.object as KubeObject,
        attachments: flatten(want.attachments as Groups),
        related: flatten(want.related as Groups),
        finalizing: want.finalizing as boolean,
      });
    } else {
      const rules = relatedRulesFor(name);
      got = buildCompositeRequest({
        controller: want.controller,
        parent: want.parent as KubeObject,
        observed: flatten(want.children as Groups),
        related: flatten(want.related as Groups),
        ...(rules ? { relatedResources: rules } : {}),
        finalizing: want.finalizing as boolean,
      });
    }
    expect(got).toEqual(want);
  });
});

describe("buildCompositeRequest from a bare manifest", () => {
  const manifest = {
    apiVersion: "metacontroller.k8s.io/v1alpha1",
    kind: "CompositeController",
    metadata: { name: "cc" },
    spec: {
      parentResource: { apiVersion: "example.com/v1", resource: "widgets" },
      childResources: [
        { apiVersion: "apps/v1", resource: "deployments", updateStrategy: { method: "InPlace" } },
        { apiVersion: "example.com/v1", resource: "gadgets" },
      ],
      hooks: { sync: { webhook: { url: "http://x/sync" } } },
    },
  };
  const parent = {
    apiVersion: "example.com/v1",
    kind: "Widget",
    metadata: { name: "w", namespace: "ns1" },
  };

  it("applies CRD defaults and keeps one group per rule", () => {
    const req = buildCompositeRequest({
      controller: manifest,
      parent,
      kinds: { "gadgets.example.com": "Gadget" },
    });
    expect(req.controller.spec.hooks?.sync?.version).toBe("v1");
    expect(req.controller.spec.childResources?.[0]?.updateStrategy?.statusChecks).toEqual({});
    expect(req.controller.status).toEqual({});
    expect(req.children).toEqual({ "Deployment.apps/v1": {}, "Gadget.example.com/v1": {} });
    expect(req).toMatchObject({ related: {}, finalizing: false });
  });

  it("names the rule it cannot resolve and how to fix it", () => {
    expect(() => buildCompositeRequest({ controller: manifest, parent })).toThrow(
      /resource: gadgets.*kinds: \{ "gadgets.example.com": "<Kind>" \}/,
    );
  });

  it("drops objects of other namespaces under v1 and keeps them under v2", () => {
    const other = {
      apiVersion: "apps/v1",
      kind: "Deployment",
      metadata: { name: "d", namespace: "ns2" },
    };
    const mine = {
      apiVersion: "apps/v1",
      kind: "Deployment",
      metadata: { name: "d", namespace: "ns1" },
    };
    const v1 = buildCompositeRequest({
      controller: manifest,
      parent,
      observed: [other, mine],
      kinds: { gadgets: "Gadget" },
    });
    expect(Object.keys(v1.children["Deployment.apps/v1"] ?? {})).toEqual(["d"]);
    const v2manifest = structuredClone(manifest);
    Object.assign(v2manifest.spec.hooks.sync, { version: "v2" });
    const v2 = buildCompositeRequest({
      controller: v2manifest,
      parent,
      observed: [other, mine],
      kinds: { gadgets: "Gadget" },
    });
    expect(Object.keys(v2.children["Deployment.apps/v1"] ?? {}).sort()).toEqual(["ns1/d", "ns2/d"]);
  });
});
