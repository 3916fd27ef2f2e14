import { describe, expect, it } from "vitest";
import { makePlan, PlanCache } from "../src/plan.js";

const composite = (
  over: { [key: string]: unknown } = {},
  meta: { [key: string]: unknown } = {},
) => ({
  apiVersion: "metacontroller.k8s.io/v1alpha1",
  kind: "CompositeController",
  metadata: { name: "blogs", uid: "u-1", resourceVersion: "7", ...meta },
  spec: {
    parentResource: { apiVersion: "example.com/v1", resource: "blogs" },
    childResources: [
      { apiVersion: "v1", resource: "secrets" },
      { apiVersion: "apps/v1", resource: "deployments" },
      { apiVersion: "example.com/v1", resource: "widgets" },
    ],
    hooks: { sync: { version: "v2" }, finalize: {} },
    ...over,
  },
});

describe("makePlan", () => {
  it.each<
    [
      string,
      unknown,
      {
        ruleKeys: string[];
        generateSelector: boolean;
        sync: string;
        finalize: string;
        customize: string;
      },
    ]
  >([
    [
      "a composite controller: built-in child rules resolved, custom ones left to the request",
      composite({ generateSelector: true }),
      {
        ruleKeys: ["Secret.v1", "Deployment.apps/v1"],
        generateSelector: true,
        sync: "v2",
        finalize: "v1",
        customize: "v1",
      },
    ],
    [
      "a decorator controller: its attachment rules",
      {
        kind: "DecoratorController",
        spec: {
          resources: [{ apiVersion: "v1", resource: "pods" }],
          attachments: [{ apiVersion: "v1", resource: "services" }],
          hooks: { customize: { version: "v2" } },
        },
      },
      {
        ruleKeys: ["Service.v1"],
        generateSelector: false,
        sync: "v1",
        finalize: "v1",
        customize: "v2",
      },
    ],
    [
      "no controller at all",
      undefined,
      { ruleKeys: [], generateSelector: false, sync: "v1", finalize: "v1", customize: "v1" },
    ],
  ])("%s", (_label, controller, want) => {
    const plan = makePlan(controller);
    expect([...plan.ruleKeys]).toEqual(want.ruleKeys);
    expect(plan.generateSelector).toBe(want.generateSelector);
    expect(plan.hookVersion).toEqual({
      sync: want.sync,
      finalize: want.finalize,
      customize: want.customize,
    });
  });

  it.each<[string, string, string, string[] | undefined, boolean]>([
    ["a built-in namespaced kind", "v1", "Secret", undefined, true],
    ["a built-in cluster-scoped kind", "v1", "Namespace", undefined, false],
    ["a custom kind, by default", "example.com/v1", "Widget", undefined, true],
    [
      "a custom kind listed as cluster-scoped",
      "example.com/v1",
      "Widget",
      ["Widget.example.com/v1"],
      false,
    ],
  ])("scope of %s", (_label, apiVersion, kind, clusterScopedKinds, namespaced) => {
    const plan = makePlan(composite(), { clusterScopedKinds });
    expect(plan.namespaced(apiVersion, kind)).toBe(namespaced);
    // Asked again (memoized), the answer is the same.
    expect(plan.namespaced(apiVersion, kind)).toBe(namespaced);
  });
});

describe("PlanCache", () => {
  it.each<[string, unknown, unknown, boolean]>([
    ["the same uid and resourceVersion share a plan", composite(), composite(), true],
    [
      "a new resourceVersion gets a new plan",
      composite(),
      composite({}, { resourceVersion: "8" }),
      false,
    ],
    ["another controller gets its own plan", composite(), composite({}, { uid: "u-2" }), false],
    [
      "without uid/resourceVersion, the same spec shares a plan",
      composite({}, { uid: undefined }),
      composite({}, { uid: undefined }),
      true,
    ],
    [
      "without uid/resourceVersion, another spec gets its own plan",
      composite({}, { uid: undefined }),
      composite({ generateSelector: true }, { uid: undefined }),
      false,
    ],
    [
      "another kind with the same uid and resourceVersion gets its own plan",
      composite(),
      { ...(composite() as object), kind: "DecoratorController" },
      false,
    ],
  ])("%s", (_label, first, second, same) => {
    const cache = new PlanCache();
    expect(cache.get(first) === cache.get(second)).toBe(same);
  });

  it("finds an earlier controller's plan again after another one's", () => {
    const cache = new PlanCache();
    const first = cache.get(composite());
    const other = cache.get(composite({}, { uid: "u-2" }));
    expect(cache.get(composite())).toBe(first);
    expect(cache.get(composite({}, { uid: "u-2" }))).toBe(other);
  });
});
