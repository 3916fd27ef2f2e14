import { describe, expect, it } from "vitest";
import {
  createHookServer,
  defineCompositeController,
  type RecordedExchange,
} from "../src/index.js";
import { buildCompositeRequest } from "../src/testing.js";

const manifest = {
  apiVersion: "metacontroller.k8s.io/v1alpha1",
  kind: "CompositeController",
  metadata: { name: "web" },
  spec: {
    generateSelector: true,
    parentResource: { apiVersion: "example.com/v1", resource: "webs" },
    childResources: [{ apiVersion: "apps/v1", resource: "deployments" }],
    hooks: { sync: { webhook: { url: "http://h/web/sync" } } },
  },
};
const request = buildCompositeRequest({
  controller: manifest,
  parent: { apiVersion: "example.com/v1", kind: "Web", metadata: { name: "w", namespace: "d" } },
});
// replicas: "1" passes every guard (they do not know the Deployment schema); the API server refuses it.
const web = defineCompositeController({
  sync: () => ({
    status: null,
    children: [
      {
        apiVersion: "apps/v1",
        kind: "Deployment",
        metadata: { name: "w" },
        spec: { replicas: "1", selector: {}, template: {} },
      } as never,
    ],
  }),
});

async function post(options: { validate?: boolean; onExchange?: (e: RecordedExchange) => void }) {
  const server = createHookServer({ controllers: { web }, logger: false, ...options });
  try {
    const res = await server.app.inject({ method: "POST", url: "/web/sync", payload: request });
    return {
      status: res.statusCode,
      body: res.json() as { error?: { code: string; message: string } },
    };
  } finally {
    await server.close();
  }
}

describe("the server's optional schema validation", () => {
  it.each([
    ["off by default: answered as the guards allow", {}, 200],
    ["on: refused with the child and the path", { validate: true }, 500],
  ] as const)("%s", async (_label, options, status) => {
    const { status: got, body } = await post(options);
    expect(got).toBe(status);
    if (status === 500) {
      expect(body.error?.code).toBe("INVALID_RESPONSE");
      expect(body.error?.message).toMatch(
        /children\[0\] \(Deployment\.apps\/v1 w\): \/spec\/replicas must be integer/,
      );
    }
  });
});

describe("onExchange (what metahook dev --record writes)", () => {
  it("sees each call's request, status and body", async () => {
    const seen: RecordedExchange[] = [];
    await post({ validate: true, onExchange: (e) => seen.push(e) });
    expect(seen).toHaveLength(1);
    expect(seen[0]).toMatchObject({
      controller: "web",
      hook: "sync",
      request: { parent: { metadata: { name: "w" } } },
      response: { status: 500, body: { error: { code: "INVALID_RESPONSE" } } },
    });
  });
});
