import { describe, expect, it } from "vitest";
import {
  assertCompositeResponse,
  assertCustomizeResponse,
  assertDecoratorResponse,
  type CompositeHookRequest,
  type CustomizeHookRequest,
  type DecoratorHookRequest,
  HookError,
  parseCompositeRequest,
  parseDecoratorRequest,
} from "../src/index.js";
import { fixture } from "./helpers.js";

const catset = () =>
  parseCompositeRequest(fixture("composite-sync-v1-namespaced-catset.request.json"));
const globalcm = () =>
  parseCompositeRequest(fixture("composite-sync-v1-cluster-globalconfigmap.request.json"));
const servicePerPod = () =>
  parseDecoratorRequest(fixture("decorator-sync-v1-service-per-pod.request.json"));
const podLabel = () =>
  parseDecoratorRequest(fixture("decorator-sync-v1-pod-name-label.request.json"));

const cm = (name: string, namespace: string) => ({
  apiVersion: "v1",
  kind: "ConfigMap",
  metadata: { name, namespace },
});
const pod = (
  name: string,
  labels: Record<string, string> = { app: "nginx", component: "backend" },
  extra = {},
) => ({
  apiVersion: "v1",
  kind: "Pod",
  metadata: { name, labels, ...extra },
});

function refusal(fn: () => void): HookError {
  try {
    fn();
  } catch (error) {
    if (error instanceof HookError) return error;
    throw error;
  }
  throw new Error("expected the guard to refuse");
}

describe("composite guards accept what Metacontroller would apply as meant", () => {
  it.each([
    ["the fixture response", catset, fixture("composite-sync-v1-namespaced-catset.response.json")],
    ["an explicit empty child list", catset, { children: [] }],
    [
      "status null and a resync",
      catset,
      { status: null, children: [pod("p")], resyncAfterSeconds: 2.5 },
    ],
    [
      "a child with the parent's namespace",
      catset,
      { children: [pod("p", undefined, { namespace: "default" })] },
    ],
    [
      "cluster parent, namespaced child with namespace (generateSelector)",
      globalcm,
      fixture("composite-sync-v1-cluster-globalconfigmap.response.json"),
    ],
    [
      "one name in two namespaces (cluster parent)",
      globalcm,
      { children: [cm("c", "a"), cm("c", "b")] },
    ],
    [
      "a long list of distinct children",
      catset,
      { children: Array.from({ length: 40 }, (_, i) => pod(`p${i}`)) },
    ],
    [
      "a long list, one name in many namespaces (cluster parent)",
      globalcm,
      { children: Array.from({ length: 40 }, (_, i) => cm("c", `ns${i}`)) },
    ],
  ] as const)("%s", (_label, request, response) => {
    expect(() => assertCompositeResponse(request(), response)).not.toThrow();
  });
});

describe("composite guards refuse, naming what and where", () => {
  it.each<[string, () => CompositeHookRequest, unknown, string, RegExp]>([
    [
      "undefined (forgot to return)",
      catset,
      undefined,
      "(response)",
      /must return an object, got undefined \(did you forget to return\?\)/,
    ],
    ["an array", catset, [], "(response)", /must return an object, got an array/],
    [
      "missing children",
      catset,
      { status: {} },
      "children",
      /is missing; it is the complete desired set/,
    ],
    [
      "children as a map (invalid fixture)",
      catset,
      fixture("invalid.response-children-as-map.json"),
      "children",
      /must be an array of objects, got an object/,
    ],
    [
      "wrong-case keys (invalid fixture)",
      catset,
      fixture("invalid.response-wrong-case.json"),
      "Status",
      /did you mean "status"\?/,
    ],
    [
      "unknown field (invalid fixture)",
      catset,
      fixture("invalid.response-unknown-field.json"),
      "resync",
      /unknown field; allowed fields are status, children, resyncAfterSeconds, finalized/,
    ],
    [
      "a null child",
      catset,
      { children: [null] },
      "children[0]",
      /must be a Kubernetes object, got null/,
    ],
    [
      "a child without apiVersion",
      catset,
      { children: [{ kind: "Pod", metadata: { name: "p" } }] },
      "children[0].apiVersion",
      /is required/,
    ],
    [
      "a child without kind",
      catset,
      { children: [{ apiVersion: "v1", metadata: { name: "p" } }] },
      "children[0].kind",
      /is required/,
    ],
    [
      "a child without metadata.name",
      catset,
      { children: [{ apiVersion: "v1", kind: "Pod", metadata: {} }] },
      "children[0].metadata.name",
      /is required/,
    ],
    [
      "an undeclared kind",
      catset,
      {
        children: [
          {
            apiVersion: "v1",
            kind: "Service",
            metadata: { name: "s", labels: { app: "nginx", component: "backend" } },
          },
        ],
      },
      "children[0]",
      /Service.v1, which is not among the controller's childResources \(PersistentVolumeClaim.v1, Pod.v1\)/,
    ],
    [
      "a declared kind at another version",
      globalcm,
      {
        children: [
          { apiVersion: "v2", kind: "ConfigMap", metadata: { name: "c", namespace: "a" } },
        ],
      },
      "children[0]",
      /apiVersion must match the rule exactly \(ConfigMap.v1\)/,
    ],
    [
      "cluster parent, namespaced child without namespace",
      globalcm,
      { children: [{ apiVersion: "v1", kind: "ConfigMap", metadata: { name: "c" } }] },
      "children[0].metadata.namespace",
      /cluster-scoped, so Metacontroller cannot default its namespace/,
    ],
    [
      "namespaced parent, child in another namespace",
      catset,
      { children: [pod("p", undefined, { namespace: "kube-system" })] },
      "children[0].metadata.namespace",
      /in namespace "kube-system" but the parent CatSet "default\/nginx-backend" is in "default"/,
    ],
    [
      "labels not matching spec.selector",
      catset,
      { children: [pod("p", { app: "other" })] },
      "children[0].metadata.labels",
      /do not match the parent's spec.selector/,
    ],
    [
      "a duplicate child",
      catset,
      { children: [pod("p"), pod("p")] },
      "children[1]",
      /appears twice/,
    ],
    [
      "a duplicate child, once with the parent's namespace spelled out",
      catset,
      { children: [pod("p"), pod("p", undefined, { namespace: "default" })] },
      "children[1]",
      /Pod "p" appears twice/,
    ],
    [
      "a duplicate at the end of a long list",
      catset,
      { children: [...Array.from({ length: 40 }, (_, i) => pod(`p${i}`)), pod("p7")] },
      "children[40]",
      /Pod "p7" appears twice/,
    ],
    [
      "a duplicate in one namespace of a long list (cluster parent)",
      globalcm,
      { children: [...Array.from({ length: 40 }, (_, i) => cm("c", `ns${i}`)), cm("c", "ns3")] },
      "children[40]",
      /ConfigMap "c" appears twice/,
    ],
    [
      "an invalid label value",
      catset,
      { children: [pod("p", { app: "nginx", component: "backend", bad: "no spaces" })] },
      'children[0].metadata.labels["bad"]',
      /invalid label value/,
    ],
    [
      "a negative resync",
      catset,
      { children: [], resyncAfterSeconds: -1 },
      "resyncAfterSeconds",
      /finite number >= 0/,
    ],
    [
      "status as a string",
      catset,
      { children: [], status: "ok" },
      "status",
      /must be an object or null/,
    ],
  ])("%s", (_label, request, response, path, message) => {
    const error = refusal(() => assertCompositeResponse(request(), response));
    expect(error.code).toBe("INVALID_RESPONSE");
    expect(error.path).toBe(path);
    expect(error.message).toMatch(message);
  });

  it("reports every problem, not only the first", () => {
    const error = refusal(() =>
      assertCompositeResponse(catset(), { children: [null, { kind: "Pod" }] }),
    );
    expect(error.message).toMatch(
      /\(3 problems\):\n {2}- children\[0\]: .*\n {2}- children\[1\].apiVersion: .*\n {2}- children\[1\].metadata.name: /,
    );
  });

  it("knows cluster-scoped custom kinds only when told", () => {
    const request = globalcm();
    request.children["Tenant.example.com/v1"] = {};
    const tenant = { apiVersion: "example.com/v1", kind: "Tenant", metadata: { name: "t" } };
    expect(() => assertCompositeResponse(request, { children: [tenant] })).toThrow(
      /cannot default its namespace/,
    );
    expect(() =>
      assertCompositeResponse(
        request,
        { children: [tenant] },
        { clusterScopedKinds: ["Tenant.example.com/v1"] },
      ),
    ).not.toThrow();
  });
});

describe("decorator guards", () => {
  it.each([
    [
      "service-per-pod fixture response",
      servicePerPod,
      fixture("decorator-sync-v1-service-per-pod.response.json"),
    ],
    [
      "pod-name-label fixture response (no attachment rules, no attachments)",
      podLabel,
      fixture("decorator-sync-v1-pod-name-label.response.json"),
    ],
  ] as const)("accepts %s", (_label, request, response) => {
    expect(() => assertDecoratorResponse(request(), response)).not.toThrow();
  });

  it.each<[string, () => DecoratorHookRequest, unknown, string, RegExp]>([
    [
      "missing attachments when rules exist",
      servicePerPod,
      { labels: {} },
      "attachments",
      /is missing/,
    ],
    [
      "children instead of attachments",
      servicePerPod,
      { children: [], attachments: [] },
      "children",
      /unknown field/,
    ],
    [
      "a label value that is a number",
      podLabel,
      { labels: { a: 1 } },
      'labels["a"]',
      /must be a string \(or null to delete it\)/,
    ],
    [
      "an invalid label key",
      podLabel,
      { labels: { "-bad": "x" } },
      'labels["-bad"]',
      /invalid key/,
    ],
    [
      "an attachment of an undeclared kind",
      servicePerPod,
      { attachments: [{ apiVersion: "v1", kind: "ConfigMap", metadata: { name: "x" } }] },
      "attachments[0]",
      /not among the controller's attachments \(Service.v1\)/,
    ],
  ])("refuses %s", (_label, request, response, path, message) => {
    const error = refusal(() => assertDecoratorResponse(request(), response));
    expect(error.path).toBe(path);
    expect(error.message).toMatch(message);
  });
});

describe("customize guards", () => {
  const v1 = fixture<CustomizeHookRequest>(
    "composite-customize-v1-cluster-globalconfigmap.request.json",
  );
  const v2 = fixture<CustomizeHookRequest>(
    "composite-customize-v2-namespaced-configmaplist.request.json",
  );
  const v1Namespaced: CustomizeHookRequest = { ...v2, controller: structuredClone(v2.controller) };
  const hooks = v1Namespaced.controller.spec.hooks;
  if (hooks?.customize) hooks.customize.version = "v1";

  it.each([
    [
      "v1 cluster fixture",
      v1,
      fixture("composite-customize-v1-cluster-globalconfigmap.response.json"),
    ],
    [
      "v2 cross-namespace fixture",
      v2,
      fixture("composite-customize-v2-namespaced-configmaplist.response.json"),
    ],
    ["no related resources", v1, { relatedResources: [] }],
  ] as const)("accepts %s", (_label, request, response) => {
    expect(() => assertCustomizeResponse(request, response)).not.toThrow();
  });

  it.each<[string, CustomizeHookRequest, unknown, string, RegExp]>([
    ["a missing list", v1, {}, "relatedResources", /is required/],
    [
      "a plural in capitals",
      v1,
      { relatedResources: [{ apiVersion: "v1", resource: "ConfigMaps" }] },
      "relatedResources[0].resource",
      /plural lowercase/,
    ],
    [
      "names with a selector",
      v1,
      {
        relatedResources: [
          { apiVersion: "v1", resource: "configmaps", names: ["a"], labelSelector: {} },
        ],
      },
      "relatedResources[0]",
      /names cannot be combined/,
    ],
    [
      "v1 cross-namespace lookup",
      v1Namespaced,
      fixture("composite-customize-v2-namespaced-configmaplist.response.json"),
      "relatedResources[0].namespace",
      /Use customize hook version v2/,
    ],
  ])("refuses %s", (_label, request, response, path, message) => {
    const error = refusal(() => assertCustomizeResponse(request, response));
    expect(error.path).toBe(path);
    expect(error.message).toMatch(message);
  });
});

describe("request checks", () => {
  it.each<[string, unknown, RegExp]>([
    [
      "no parent",
      { controller: { kind: "CompositeController", spec: {} }, children: {} },
      /parent: is required/,
    ],
    [
      "children as a list",
      { ...fixture<object>("composite-sync-v1-namespaced-catset.request.json"), children: [] },
      /children: must be an object keyed by group key/,
    ],
    [
      "a group that is not a map",
      {
        ...fixture<object>("composite-sync-v1-namespaced-catset.request.json"),
        children: { "Pod.v1": [1] },
      },
      /children\["Pod.v1"\]: must be an object keyed by name/,
    ],
    [
      "a decorator request on a composite hook",
      fixture("decorator-sync-v1-pod-name-label.request.json"),
      /this is a DecoratorController request/,
    ],
  ])("composite: %s", (_label, body, message) => {
    const error = refusal(() => parseCompositeRequest(body));
    expect(error.code).toBe("INVALID_REQUEST");
    expect(error.message).toMatch(message);
  });
});
