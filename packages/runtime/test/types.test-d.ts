import type { IDeployment } from "kubernetes-models/apps/v1/Deployment";
import type { IConfigMap } from "kubernetes-models/v1/ConfigMap";
import type { INamespace } from "kubernetes-models/v1/Namespace";
import type { ISecret } from "kubernetes-models/v1/Secret";
import { describe, expectTypeOf, it } from "vitest";
import {
  type AttachmentRule,
  type ChildResourceRule,
  type CompositeController,
  type CompositeHookRequest,
  type CompositeHookResponse,
  type DecoratorController,
  type Desired,
  defineCompositeController,
  defineDecoratorController,
  getObject,
  type Hook,
  type InnerKey,
  listObjects,
  type ObjectMeta,
  type Observed,
} from "../src/index.js";
import { invokeHook } from "../src/testing.js";

interface Blog {
  apiVersion: "example.com/v1";
  kind: "Blog";
  metadata?: ObjectMeta;
  spec: { replicas: number; selector?: { matchLabels?: Record<string, string> } };
  status?: { ready: boolean; observedGeneration?: number };
}
type Children = { "Secret.v1": ISecret; "Deployment.apps/v1": IDeployment };
type Related = { "Namespace.v1": INamespace; "ConfigMap.v1": IConfigMap };

type V1 = { version: "v1"; parent: "Namespaced"; clusterScoped: "Namespace.v1" };
type V2 = { version: "v2"; parent: "Namespaced"; clusterScoped: "Namespace.v1" };
type V1Cluster = { version: "v1"; parent: "Cluster"; clusterScoped: "Namespace.v1" };

describe("keying (which inner keys compile)", () => {
  it("follows Metacontroller's table per version and scope", () => {
    expectTypeOf<InnerKey<V1, "Secret.v1">>().toEqualTypeOf<string>();
    expectTypeOf<InnerKey<V2, "Secret.v1">>().toEqualTypeOf<`${string}/${string}`>();
    expectTypeOf<InnerKey<V1Cluster, "Secret.v1">>().toEqualTypeOf<`${string}/${string}`>();
    expectTypeOf<InnerKey<V2, "Namespace.v1">>().toEqualTypeOf<string>();
    expectTypeOf<InnerKey<V1Cluster, "Namespace.v1">>().toEqualTypeOf<string>();
  });

  it("v2: a bare-name lookup of a namespaced child does not compile", () => {
    defineCompositeController<Blog, Children, Related, V2>({
      sync({ parent, children, related }): CompositeHookResponse<Blog, Children> {
        const name = `${parent.metadata.name}-db`;
        // @ts-expect-error under v2 a namespaced child is keyed "namespace/name"
        void children["Secret.v1"][name];
        const secret = children["Secret.v1"][`${parent.metadata.namespace}/${name}`];
        expectTypeOf(secret).toEqualTypeOf<Observed<ISecret, "Namespaced"> | undefined>();
        // Cluster-scoped related objects keep their bare names.
        expectTypeOf(related["Namespace.v1"]["default"]).toEqualTypeOf<
          Observed<INamespace, "Cluster"> | undefined
        >();
        return { status: null, children: [] };
      },
    });
  });

  it("v1 under a cluster-scoped parent: namespaced children are keyed namespace/name", () => {
    defineCompositeController<Blog, Children, Related, V1Cluster>({
      sync({ children }): CompositeHookResponse<Blog, Children> {
        // @ts-expect-error a cluster-scoped parent's namespaced children are keyed "namespace/name"
        void children["Secret.v1"]["db"];
        void children["Secret.v1"]["prod/db"];
        return { status: null, children: [] };
      },
    });
  });

  it("v1 under a namespaced parent: bare names, and getObject works under any keying", () => {
    defineCompositeController<Blog, Children, Related, V1>({
      sync({ parent, children }): CompositeHookResponse<Blog, Children> {
        expectTypeOf(children["Secret.v1"]["db"]).toEqualTypeOf<
          Observed<ISecret, "Namespaced"> | undefined
        >();
        expectTypeOf(
          getObject(children["Secret.v1"], "db", parent.metadata.namespace),
        ).toEqualTypeOf<Observed<ISecret, "Namespaced"> | undefined>();
        expectTypeOf(listObjects(children["Deployment.apps/v1"])).toEqualTypeOf<
          Observed<IDeployment, "Namespaced">[]
        >();
        return { status: null, children: [] };
      },
    });
  });

  it("refuses undeclared group keys", () => {
    defineCompositeController<Blog, Children, Related, V2>({
      sync({ children }): CompositeHookResponse<Blog, Children> {
        // @ts-expect-error an undeclared group key does not compile
        void children["ConfigMap.v1"];
        // @ts-expect-error a wrong apiVersion spelling is a different key
        void children["Deployment.v1"];
        return { status: null, children: [] };
      },
    });
  });
});

describe("observed objects carry their name (and namespace where namespaced)", () => {
  it("parent, children and related", () => {
    defineCompositeController<Blog, Children, Related, V2>({
      sync({ parent, children, related }): CompositeHookResponse<Blog, Children> {
        expectTypeOf(parent.metadata.name).toEqualTypeOf<string>();
        expectTypeOf(parent.metadata.namespace).toEqualTypeOf<string>();
        for (const secret of listObjects(children["Secret.v1"])) {
          expectTypeOf(secret.metadata.namespace).toEqualTypeOf<string>();
        }
        for (const ns of listObjects(related["Namespace.v1"])) {
          expectTypeOf(ns.metadata.name).toEqualTypeOf<string>();
          expectTypeOf(ns.metadata.namespace).toEqualTypeOf<string | undefined>();
        }
        return { status: null, children: [] };
      },
    });
  });

  it("Desired<T> requires a name and leaves the namespace to the parent", () => {
    const ok: Desired<ISecret> = { apiVersion: "v1", kind: "Secret", metadata: { name: "s" } };
    void ok;
    // @ts-expect-error a desired object needs metadata.name
    const nameless: Desired<ISecret> = { apiVersion: "v1", kind: "Secret", metadata: {} };
    void nameless;
  });
});

describe("responses", () => {
  it("accepts declared child types and refuses others", () => {
    defineCompositeController<Blog, Children>({
      sync: () => ({
        status: null,
        children: [
          { apiVersion: "v1", kind: "Secret", metadata: { name: "s" }, stringData: { a: "b" } },
          { apiVersion: "apps/v1", kind: "Deployment", metadata: { name: "d" } },
        ],
      }),
    });
    defineCompositeController<Blog, Children>({
      sync: () => ({
        status: null,
        // @ts-expect-error a ConfigMap is not among the declared children
        children: [{ apiVersion: "v1", kind: "ConfigMap", metadata: { name: "c" }, data: {} }],
      }),
    });
    defineCompositeController<Blog, Children>({
      sync: () => ({
        status: null,
        // @ts-expect-error a child needs metadata.name
        children: [{ apiVersion: "v1", kind: "Secret", metadata: {} }],
      }),
    });
    defineCompositeController<Blog, Children>({
      sync: () => ({
        status: null,
        // @ts-expect-error a Secret's apiVersion is "v1"
        children: [{ apiVersion: "apps/v1", kind: "Secret", metadata: { name: "s" } }],
      }),
    });
  });

  it("requires children when child kinds are declared, and a status always", () => {
    // @ts-expect-error children is missing
    defineCompositeController<Blog, Children>({ sync: () => ({ status: { ready: true } }) });
    // @ts-expect-error status is missing: an absent status clears the parent's status
    defineCompositeController<Blog, Children>({ sync: () => ({ children: [] }) });
    defineCompositeController<Blog, Children>({
      // @ts-expect-error status must be the parent's status type
      sync: () => ({ status: { ready: "yes" }, children: [] }),
    });
    // null says "clear it" on purpose; with no declared children, children may be left out.
    defineCompositeController<Blog, Record<never, never>>({ sync: () => ({ status: null }) });
  });

  it("a misspelled field in a returned child is an error at that field", () => {
    defineCompositeController<Blog, Children, Related, V2>({
      // An annotated return type: the literal is checked field by field.
      sync(): CompositeHookResponse<Blog, Children> {
        return {
          status: null,
          children: [
            {
              apiVersion: "apps/v1",
              kind: "Deployment",
              metadata: { name: "web" },
              spec: {
                // @ts-expect-error `replica` is not a DeploymentSpec field (`replicas` is)
                replica: 3,
                selector: {},
                template: {},
              },
            },
          ],
        };
      },
    });
    defineCompositeController<Blog, Children, Related, V2>({
      // An expression body is checked against the contextual type the same way.
      sync: () => ({
        status: null,
        children: [
          {
            apiVersion: "apps/v1",
            kind: "Deployment",
            metadata: { name: "web" },
            // @ts-expect-error `replicas` is a number
            spec: { replicas: "3", selector: {}, template: {} },
          },
        ],
      }),
    });
  });

  it("types decorator responses: null deletes a label, status may be left out", () => {
    defineDecoratorController<IConfigMap, { "Secret.v1": ISecret }>({
      sync: ({ object, attachments }) => {
        expectTypeOf(attachments["Secret.v1"]["x"]).toEqualTypeOf<Observed<ISecret> | undefined>();
        return {
          labels: { seen: "yes", old: null },
          annotations: { name: object.metadata.name },
          attachments: [],
        };
      },
    });
  });

  it("invokeHook returns the typed response", () => {
    const controller = defineCompositeController<Blog, Children>({
      sync: () => ({ status: null, children: [] }),
    });
    const request = {} as CompositeHookRequest<Blog, Children>;
    expectTypeOf(invokeHook(controller, request)).resolves.toEqualTypeOf<
      CompositeHookResponse<Blog, Children>
    >();
  });
});

describe("Metacontroller's controller types are its CRDs', generated", () => {
  it("CompositeController has the CRD's fields and no escape hatch", () => {
    const controller: CompositeController = {
      apiVersion: "metacontroller.k8s.io/v1alpha1",
      kind: "CompositeController",
      metadata: { name: "blogs" },
      spec: {
        parentResource: { apiVersion: "example.com/v1", resource: "blogs" },
        childResources: [
          { apiVersion: "v1", resource: "secrets", updateStrategy: { method: "InPlace" } },
        ],
        hooks: { sync: { version: "v2", webhook: { url: "http://blogs/sync", timeout: "10s" } } },
        // @ts-expect-error -- not a CompositeController field (the CRD's schema has no `parentResources`)
        parentResources: [],
      },
    };
    expectTypeOf(controller.spec.hooks?.sync).toEqualTypeOf<Hook | undefined>();
    expectTypeOf<Hook["version"]>().toEqualTypeOf<"v1" | "v2" | undefined>();
  });

  it("a rule's update strategy is the CRD's enum", () => {
    const rule: ChildResourceRule = {
      apiVersion: "apps/v1",
      resource: "deployments",
      // @ts-expect-error -- "Replace" is not one of OnDelete, Recreate, InPlace, RollingRecreate, RollingInPlace
      updateStrategy: { method: "Replace" },
    };
    expectTypeOf(rule.resource).toBeString();
  });

  it("DecoratorController requires its resources", () => {
    const decorator: DecoratorController = {
      apiVersion: "metacontroller.k8s.io/v1alpha1",
      kind: "DecoratorController",
      metadata: { name: "pods" },
      // @ts-expect-error -- spec.resources is required by the CRD
      spec: {},
    };
    expectTypeOf(decorator.spec.attachments).toEqualTypeOf<AttachmentRule[] | undefined>();
  });
});
