import { describe, expect, it } from "vitest";
import { defineCompositeController, type KubeObject } from "../src/index.js";
import { buildCompositeRequest, type RecordedExchange, replayExchange } from "../src/testing.js";

const manifest = {
  apiVersion: "metacontroller.k8s.io/v1alpha1",
  kind: "CompositeController",
  metadata: { name: "configs" },
  spec: {
    generateSelector: true,
    parentResource: { apiVersion: "example.com/v1", resource: "configs" },
    childResources: [{ apiVersion: "v1", resource: "configmaps" }],
    hooks: { sync: { webhook: { url: "http://h/configs/sync" } } },
  },
};
const parent = {
  apiVersion: "example.com/v1",
  kind: "Config",
  metadata: { name: "c", namespace: "default" },
  spec: { value: "a" },
};
const request = buildCompositeRequest({ controller: manifest, parent });

const answering = (value: string, kind = "ConfigMap") =>
  defineCompositeController<KubeObject, { "ConfigMap.v1": KubeObject }>({
    sync: () => ({
      status: null,
      children: [{ apiVersion: "v1", kind, metadata: { name: "c" }, data: { value } } as never],
    }),
  });

const recorded = (status: number, body: unknown): RecordedExchange => ({
  controller: "configs",
  hook: "sync",
  request,
  response: { status, body },
});
const okBody = {
  status: null,
  children: [
    { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "c" }, data: { value: "a" } },
  ],
};

describe("replayExchange: recorded traffic against the current code", () => {
  it.each<[string, ReturnType<typeof answering>, RecordedExchange, boolean, string[]]>([
    ["the same answer", answering("a"), recorded(200, okBody), true, []],
    [
      "a changed child",
      answering("b"),
      recorded(200, okBody),
      false,
      ['children[0].data.value: "a" → "b"'],
    ],
    [
      "an answer now refused",
      answering("a", "Secret"),
      recorded(200, okBody),
      false,
      [expect.stringMatching(/^status 200 → 500: .*Secret\.v1, which is not among/s)],
    ],
    [
      "a refusal still refused",
      answering("a", "Secret"),
      recorded(500, { error: { code: "INVALID_RESPONSE", message: "older wording" } }),
      true,
      [],
    ],
  ])("%s", async (_label, controller, exchange, same, difference) => {
    const result = await replayExchange(controller, exchange);
    expect(result.same).toBe(same);
    expect(result.difference).toEqual(difference);
  });
});
