import { describe, expect, it } from "vitest";
import {
  defineCompositeController,
  defineDecoratorController,
  HookError,
  type KubeObject,
  type SchemaModel,
} from "../src/index.js";
import { buildCompositeRequest, buildDecoratorRequest, invokeHook } from "../src/testing.js";

const composite = {
  apiVersion: "metacontroller.k8s.io/v1alpha1",
  kind: "CompositeController",
  metadata: { name: "blogs" },
  spec: {
    parentResource: { apiVersion: "example.com/v1", resource: "blogs" },
    childResources: [
      { apiVersion: "apps/v1", resource: "deployments" },
      { apiVersion: "example.com/v1", resource: "databases" },
    ],
    generateSelector: true,
    hooks: { sync: { webhook: { url: "http://x/blogs/sync" } } },
  },
};
const kinds = { "blogs.example.com": "Blog", "databases.example.com": "Database" };
const parent: KubeObject = {
  apiVersion: "example.com/v1",
  kind: "Blog",
  metadata: { name: "my-blog", namespace: "default" },
};

// A model as generated ones behave: throws @kubernetes-models/validate's error, with ajv errors.
function model(check: (value: { [key: string]: unknown }) => string | undefined): SchemaModel {
  return {
    validate(value) {
      const problem = check(value as { [key: string]: unknown });
      if (problem === undefined) return;
      const [instancePath = "", message = ""] = problem.split(" ", 2);
      throw Object.assign(new Error(problem), {
        errors: [{ instancePath, message: problem.slice(instancePath.length + 1) || message }],
      });
    },
  };
}
const models = {
  "Database.example.com/v1": model((v) =>
    typeof (v.spec as { size?: unknown })?.size === "number"
      ? undefined
      : "/spec/size must be integer",
  ),
  "Blog.example.com/v1": model((v) =>
    (v.status as { phase?: unknown } | undefined)?.phase === "Bogus"
      ? "/status/phase must be equal to one of the allowed values"
      : undefined,
  ),
};

const deployment = (replicas: unknown) => ({
  apiVersion: "apps/v1",
  kind: "Deployment",
  metadata: { name: "web" },
  spec: {
    replicas,
    selector: { matchLabels: { app: "web" } },
    template: {
      metadata: { labels: { app: "web" } },
      spec: { containers: [{ name: "web", image: "nginx" }] },
    },
  },
});
const database = (size: unknown) => ({
  apiVersion: "example.com/v1",
  kind: "Database",
  metadata: { name: "db" },
  spec: { size },
});

function controllerAnswering(children: unknown[], status: unknown) {
  return defineCompositeController({
    models,
    // Values a type checker cannot see: they came from JSON, a template or `as` casts.
    sync: () => ({
      status: status as { [key: string]: unknown } | null,
      children: children as never[],
    }),
  });
}

const request = () => buildCompositeRequest({ controller: composite, parent, kinds });

describe("schema validation of a composite answer", () => {
  it.each<[string, unknown[], unknown, RegExp | undefined]>([
    ["valid children and status pass", [deployment(1), database(3)], { phase: "Ready" }, undefined],
    [
      "a built-in kind, against kubernetes-models' schema",
      [deployment("1")],
      null,
      /children\[0\] \(Deployment\.apps\/v1 web\): \/spec\/replicas must be integer/,
    ],
    [
      "a custom kind, against its generated model",
      [deployment(1), database("large")],
      null,
      /children\[1\] \(Database\.example\.com\/v1 db\): \/spec\/size must be integer/,
    ],
    [
      "the status, against the parent's schema",
      [],
      { phase: "Bogus" },
      /status \(status of Blog\.example\.com\/v1 my-blog\): \/phase must be equal to one of the allowed values/,
    ],
  ])("%s", async (_label, children, status, want) => {
    const run = invokeHook(controllerAnswering(children, status), request());
    if (want === undefined) {
      await expect(run).resolves.toMatchObject({ status });
      return;
    }
    const error = await run.then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(HookError);
    expect((error as HookError).code).toBe("INVALID_RESPONSE");
    expect((error as HookError).message).toMatch(want);
  });

  it("names every problem, not just the first", async () => {
    const error = await invokeHook(
      controllerAnswering([deployment("1"), database("x")], null),
      request(),
    ).then(
      () => undefined,
      (e: unknown) => e as HookError,
    );
    expect(error?.message.split("\n").slice(1)).toHaveLength(2);
    expect(error?.path).toBe("children[0]");
  });

  it("is skipped with validate: false, and for custom kinds without a model", async () => {
    await expect(
      invokeHook(controllerAnswering([deployment("1")], null), request(), { validate: false }),
    ).resolves.toMatchObject({ children: [{ spec: { replicas: "1" } }] });
    const noModels = defineCompositeController({
      sync: () => ({ status: { phase: "Bogus" }, children: [database("x")] as never[] }),
    });
    await expect(invokeHook(noModels, request())).resolves.toMatchObject({
      children: [{ spec: { size: "x" } }],
    });
  });
});

describe("schema validation of a decorator answer", () => {
  it("validates attachments", async () => {
    const decorator = {
      apiVersion: "metacontroller.k8s.io/v1alpha1",
      kind: "DecoratorController",
      metadata: { name: "svc" },
      spec: {
        resources: [{ apiVersion: "apps/v1", resource: "statefulsets" }],
        attachments: [{ apiVersion: "v1", resource: "services" }],
        hooks: { sync: { webhook: { url: "http://x/svc/sync" } } },
      },
    };
    const badPort = defineDecoratorController({
      sync: () => ({
        attachments: [
          {
            apiVersion: "v1",
            kind: "Service",
            metadata: { name: "s" },
            spec: { ports: [{ port: "80" }] },
          } as never,
        ],
      }),
    });
    const object = {
      apiVersion: "apps/v1",
      kind: "StatefulSet",
      metadata: { name: "db", namespace: "default" },
    };
    await expect(
      invokeHook(badPort, buildDecoratorRequest({ controller: decorator, object })),
    ).rejects.toThrow(/attachments\[0\] \(Service\.v1 s\): \/spec\/ports\/0\/port must be integer/);
  });
});
