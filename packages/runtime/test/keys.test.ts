import { describe, expect, it } from "vitest";
import type { KubeObject } from "../src/index.js";
import { getObject, groupKey, listObjects, objectKey, parseGroupKey } from "../src/index.js";

const obj = (name: string, namespace?: string): KubeObject => ({
  apiVersion: "v1",
  kind: "ConfigMap",
  metadata: namespace === undefined ? { name } : { name, namespace },
});

describe("groupKey / parseGroupKey", () => {
  it.each([
    ["v1", "Pod", "Pod.v1", { group: "", version: "v1" }],
    ["apps/v1", "StatefulSet", "StatefulSet.apps/v1", { group: "apps", version: "v1" }],
    [
      "ctl.enisoc.com/v1",
      "CatSet",
      "CatSet.ctl.enisoc.com/v1",
      { group: "ctl.enisoc.com", version: "v1" },
    ],
  ])("%s %s ⇄ %s", (apiVersion, kind, key, parts) => {
    expect(groupKey(apiVersion, kind)).toBe(key);
    expect(parseGroupKey(key)).toEqual({ kind, apiVersion, ...parts });
  });

  it.each(["Pod", ".v1", "Pod.", "Pod./v1"])("rejects %j", (key) => {
    expect(parseGroupKey(key)).toBeUndefined();
  });
});

describe("objectKey follows the contract's keying table", () => {
  it.each([
    // parent namespace, object, v1 key, v2 key
    ["ns1", obj("a", "ns1"), "a", "ns1/a"],
    ["ns1", obj("a", "ns2"), undefined, "ns2/a"],
    ["ns1", obj("a"), undefined, "a"],
    ["", obj("a", "ns"), "ns/a", "ns/a"],
    ["", obj("a"), "a", "a"],
  ])("parent %j, object %j → v1 %j, v2 %j", (parentNamespace, object, v1, v2) => {
    expect(objectKey(object, { hookVersion: "v1", parentNamespace })).toBe(v1);
    expect(objectKey(object, { hookVersion: "v2", parentNamespace })).toBe(v2);
  });
});

describe("getObject works for v1 and v2 keys", () => {
  const inNs = obj("db", "shop");
  const cluster = obj("global");
  const v1Namespaced = { db: inNs };
  const v2 = { "shop/db": inNs, global: cluster };
  const v1Cluster = { "shop/db": inNs, global: cluster };
  it.each([
    ["v1 namespaced parent, by name", v1Namespaced, "db", undefined, inNs],
    ["v1 namespaced parent, by name and namespace", v1Namespaced, "db", "shop", inNs],
    ["v1 namespaced parent, other namespace", v1Namespaced, "db", "other", undefined],
    ["v2, by name and namespace", v2, "db", "shop", inNs],
    ["v2, cluster-scoped by name", v2, "global", undefined, cluster],
    ["v1 cluster parent, by name and namespace", v1Cluster, "db", "shop", inNs],
    ["missing", v2, "nope", "shop", undefined],
    ["missing group", undefined, "db", "shop", undefined],
  ])("%s", (_label, group, name, namespace, want) => {
    expect(getObject(group, name, namespace)).toBe(want);
  });

  it("listObjects orders by key", () => {
    expect(listObjects({ b: obj("b"), a: obj("a") }).map((o) => o.metadata?.name)).toEqual([
      "a",
      "b",
    ]);
  });
});
