import { describe, expect, it } from "vitest";
import {
  defineCompositeController,
  defineDecoratorController,
  getObject,
  type KubeObject,
  listObjects,
} from "../src/index.js";
import { converge, LAST_APPLIED_ANNOTATION, type PlanAction, planAnswer } from "../src/testing.js";

const manifest = (method?: string, version: "v1" | "v2" = "v2") => ({
  apiVersion: "metacontroller.k8s.io/v1alpha1",
  kind: "CompositeController",
  metadata: { name: "blogs" },
  spec: {
    generateSelector: true,
    parentResource: { apiVersion: "example.com/v1", resource: "blogs" },
    childResources: [
      {
        apiVersion: "v1",
        resource: "configmaps",
        ...(method ? { updateStrategy: { method } } : {}),
      },
      { apiVersion: "v1", resource: "secrets" },
    ],
    hooks: { sync: { version, webhook: { url: "http://x/blogs/sync" } } },
  },
});
const kinds = { "blogs.example.com": "Blog" };
const blog = (title = "hello"): KubeObject & { spec: { title: string } } => ({
  apiVersion: "example.com/v1",
  kind: "Blog",
  metadata: { name: "my-blog", namespace: "web", uid: "uid-blog", generation: 3 },
  spec: { title },
});

const config = (data: { [k: string]: string }) => ({
  apiVersion: "v1" as const,
  kind: "ConfigMap" as const,
  metadata: { name: "my-blog-config" },
  data,
});

// --- plan -------------------------------------------------------------------------------

/** An observed child as Metacontroller left it after applying `asked`. */
const observedAfter = (asked: KubeObject, extra: { [k: string]: unknown } = {}): KubeObject => ({
  ...asked,
  ...extra,
  metadata: {
    ...asked.metadata,
    namespace: "web",
    uid: "uid-child",
    annotations: { [LAST_APPLIED_ANNOTATION]: JSON.stringify(asked) },
  },
});

const noop = defineCompositeController({ sync: () => ({ status: null, children: [] }) });

describe("planAnswer: what Metacontroller does with each child", () => {
  it.each<[string, string | undefined, KubeObject[], KubeObject[], PlanAction[]]>([
    ["a missing child is created", undefined, [], [config({ a: "1" })], ["create"]],
    [
      "a child asked for exactly as last time is unchanged",
      "InPlace",
      [observedAfter(config({ a: "1" }))],
      [config({ a: "1" })],
      ["unchanged"],
    ],
    [
      "OnDelete (the default) keeps a changed child",
      undefined,
      [observedAfter(config({ a: "1" }))],
      [config({ a: "2" })],
      ["kept"],
    ],
    [
      "Recreate deletes a changed child, to be created again",
      "Recreate",
      [observedAfter(config({ a: "1" }))],
      [config({ a: "2" })],
      ["recreate"],
    ],
    [
      "InPlace updates a changed child",
      "InPlace",
      [observedAfter(config({ a: "1" }))],
      [config({ a: "2" })],
      ["update"],
    ],
    [
      "RollingInPlace moves one child at a time, in answer order",
      "RollingInPlace",
      [
        observedAfter({ ...config({ a: "1" }), metadata: { name: "c1" } }),
        observedAfter({ ...config({ a: "1" }), metadata: { name: "c2" } }),
      ],
      [
        { ...config({ a: "2" }), metadata: { name: "c2" } },
        { ...config({ a: "2" }), metadata: { name: "c1" } },
      ],
      ["update", "kept"],
    ],
    [
      "an observed child no longer asked for is deleted",
      "InPlace",
      [observedAfter(config({ a: "1" }))],
      [],
      ["delete"],
    ],
  ])("%s", (_label, method, observed, desired, want) => {
    const plan = planAnswer({
      definition: noop,
      controller: manifest(method),
      parent: blog(),
      observed,
      desired,
      kinds,
    });
    expect(plan.children.map((c) => c.action)).toEqual(want);
  });

  it("applies as Metacontroller does: namespace, owner, selector label, last-applied", () => {
    const [created] = planAnswer({
      definition: noop,
      controller: manifest(),
      parent: blog(),
      observed: [],
      desired: [config({ a: "1" })],
      kinds,
    }).children;
    expect(created?.result?.metadata).toMatchObject({
      name: "my-blog-config",
      namespace: "web",
      labels: { "controller-uid": "uid-blog" },
      annotations: { [LAST_APPLIED_ANNOTATION]: JSON.stringify(config({ a: "1" })) },
      ownerReferences: [
        {
          apiVersion: "example.com/v1",
          kind: "Blog",
          name: "my-blog",
          uid: "uid-blog",
          controller: true,
        },
      ],
    });
  });

  it("an in-place update keeps the object's status and uid", () => {
    const [updated] = planAnswer({
      definition: noop,
      controller: manifest("InPlace"),
      parent: blog(),
      observed: [observedAfter(config({ a: "1" }), { status: { seen: true } })],
      desired: [config({ a: "2" })],
      kinds,
    }).children;
    expect(updated?.result).toMatchObject({
      data: { a: "2" },
      status: { seen: true },
      metadata: { uid: "uid-child" },
    });
  });
});

// --- converge ---------------------------------------------------------------------------

type Children = {
  "ConfigMap.v1": KubeObject;
  "Secret.v1": KubeObject & { stringData?: { [k: string]: string } };
};
const V2 = manifest("InPlace", "v2");

let passwords = 0;
const newPassword = () => `pw-${++passwords}`;

/** Reuses the Secret's password when it exists, else makes one: right under every keying. */
const reusing = defineCompositeController<KubeObject & { spec: { title: string } }, Children>({
  sync({ parent, children }) {
    const name = `${parent.metadata.name}-db`;
    const existing = getObject(children["Secret.v1"], name, parent.metadata.namespace);
    const password = existing?.stringData?.password ?? newPassword();
    return {
      status: { title: parent.spec.title, configs: listObjects(children["ConfigMap.v1"]).length },
      children: [
        config({ title: parent.spec.title }),
        { apiVersion: "v1", kind: "Secret", metadata: { name }, stringData: { password } },
      ],
    };
  },
});

/** The same controller with the bare-name lookup that misses under hook v2. */
const bareLookup = defineCompositeController<KubeObject & { spec: { title: string } }, Children>({
  sync({ parent, children }) {
    const name = `${parent.metadata.name}-db`;
    const group = children["Secret.v1"] as { [key: string]: Children["Secret.v1"] };
    const password = group[name]?.stringData?.password ?? newPassword();
    return {
      status: null,
      children: [
        { apiVersion: "v1", kind: "Secret", metadata: { name }, stringData: { password } },
      ],
    };
  },
});

describe("converge: sync, apply, sync again until nothing changes", () => {
  it("a controller that reuses its Secret settles, as Metacontroller would leave it", async () => {
    const result = await converge(reusing, { controller: V2, parent: blog(), kinds });
    expect(result.settled, result.difference.join("\n")).toBe(true);
    expect(result.rounds.length).toBeLessThanOrEqual(3);
    expect(result.parent).toMatchObject({
      status: { title: "hello", configs: 1, observedGeneration: 3 },
    });
    expect(
      result.observed.map((o) => `${o.kind} ${o.metadata?.namespace}/${o.metadata?.name}`),
    ).toEqual(["ConfigMap web/my-blog-config", "Secret web/my-blog-db"]);
  });

  it("the bare-name lookup under hook v2 regenerates the password every sync: never settles", async () => {
    const result = await converge(bareLookup, {
      controller: V2,
      parent: blog(),
      kinds,
      maxRounds: 4,
    });
    expect(result.settled).toBe(false);
    expect(result.rounds).toHaveLength(4);
    expect(result.difference).toEqual([
      expect.stringMatching(/^children\[0\]\.stringData\.password: "pw-\d+" → "pw-\d+"$/),
    ]);
  });

  it("the same lookup happens to work under hook v1 with a namespaced parent", async () => {
    const result = await converge(bareLookup, {
      controller: manifest("InPlace", "v1"),
      parent: blog(),
      kinds,
    });
    expect(result.settled).toBe(true);
  });

  it("a decorator's labels are merged into the object (null deletes)", async () => {
    const decorator = {
      apiVersion: "metacontroller.k8s.io/v1alpha1",
      kind: "DecoratorController",
      metadata: { name: "labeler" },
      spec: {
        resources: [{ apiVersion: "v1", resource: "pods" }],
        hooks: { sync: { webhook: { url: "http://x/labeler/sync" } } },
      },
    };
    const labeler = defineDecoratorController<KubeObject, Record<never, never>>({
      sync: ({ object }) => ({ labels: { "pod-name": object.metadata.name, old: null } }),
    });
    const pod = {
      apiVersion: "v1",
      kind: "Pod",
      metadata: { name: "p-0", namespace: "web", labels: { old: "x", keep: "y" } },
    };
    const result = await converge(labeler, { controller: decorator, parent: pod });
    expect(result.settled).toBe(true);
    expect(result.parent.metadata?.labels).toEqual({ keep: "y", "pod-name": "p-0" });
  });

  it("related objects come through the customize hook's rules", async () => {
    const withCustomize = {
      ...V2,
      spec: {
        ...V2.spec,
        hooks: {
          ...V2.spec.hooks,
          customize: { version: "v2", webhook: { url: "http://x/blogs/customize" } },
        },
      },
    };
    const copier = defineCompositeController<
      KubeObject & { spec: { title: string } },
      Children,
      { "ConfigMap.v1": KubeObject & { data?: { [k: string]: string } } }
    >({
      customize: () => ({
        relatedResources: [
          { apiVersion: "v1", resource: "configmaps", namespace: "shared", names: ["theme"] },
        ],
      }),
      sync: ({ related }) => ({
        status: null,
        children: listObjects(related["ConfigMap.v1"]).map((c) => config({ ...c.data })),
      }),
    });
    const theme = {
      apiVersion: "v1",
      kind: "ConfigMap",
      metadata: { name: "theme", namespace: "shared" },
      data: { color: "teal" },
    };
    const other = {
      apiVersion: "v1",
      kind: "ConfigMap",
      metadata: { name: "other", namespace: "shared" },
      data: {},
    };
    const result = await converge(copier, {
      controller: withCustomize,
      parent: blog(),
      related: [theme, other],
      kinds,
    });
    expect(result.settled).toBe(true);
    expect(result.observed).toMatchObject([{ kind: "ConfigMap", data: { color: "teal" } }]);
  });
});
