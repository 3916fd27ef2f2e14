import type { IDeployment } from "kubernetes-models/apps/v1/Deployment";
import type { IConfigMap } from "kubernetes-models/v1/ConfigMap";
import type { ISecret } from "kubernetes-models/v1/Secret";
import { describe, expectTypeOf, it } from "vitest";
import {
  type CompositeHookRequest,
  type CompositeHookResponse,
  defineCompositeController,
  defineDecoratorController,
  getObject,
  type ObjectMeta,
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

describe("typed children", () => {
  it("indexes children by declared group key and name", () => {
    defineCompositeController<Blog, Children>({
      sync({ parent, children }) {
        expectTypeOf(parent.spec.replicas).toEqualTypeOf<number>();
        expectTypeOf(children["Secret.v1"]).toEqualTypeOf<{ [innerKey: string]: ISecret }>();
        expectTypeOf(children["Deployment.apps/v1"]["web"]).toEqualTypeOf<
          IDeployment | undefined
        >();
        expectTypeOf(
          getObject(children["Secret.v1"], "db", parent.metadata?.namespace),
        ).toEqualTypeOf<ISecret | undefined>();
        // @ts-expect-error an undeclared group key does not compile
        void children["ConfigMap.v1"];
        // @ts-expect-error a wrong apiVersion spelling is a different key
        void children["Deployment.v1"];
        return { status: { ready: true }, children: [] };
      },
    });
  });

  it("accepts declared child types and refuses others", () => {
    defineCompositeController<Blog, Children>({
      sync: () => ({
        children: [
          { apiVersion: "v1", kind: "Secret", metadata: { name: "s" }, stringData: { a: "b" } },
          { apiVersion: "apps/v1", kind: "Deployment", metadata: { name: "d" } },
        ],
      }),
    });
    defineCompositeController<Blog, Children>({
      sync: () => ({
        // @ts-expect-error a ConfigMap is not among the declared children
        children: [{ apiVersion: "v1", kind: "ConfigMap", metadata: { name: "c" }, data: {} }],
      }),
    });
    defineCompositeController<Blog, Children>({
      // @ts-expect-error a child needs metadata.name
      sync: () => ({ children: [{ apiVersion: "v1", kind: "Secret", metadata: {} }] }),
    });
    defineCompositeController<Blog, Children>({
      sync: () => ({
        // @ts-expect-error a Secret's apiVersion is "v1"
        children: [{ apiVersion: "apps/v1", kind: "Secret", metadata: { name: "s" } }],
      }),
    });
  });

  it("requires children when child kinds are declared", () => {
    // @ts-expect-error children is missing
    defineCompositeController<Blog, Children>({ sync: () => ({ status: { ready: true } }) });
    defineCompositeController<Blog, Children>({
      // @ts-expect-error status must be the parent's status type
      sync: () => ({ status: { ready: "yes" }, children: [] }),
    });
    // With no declared children, children may be left out.
    defineCompositeController<Blog, Record<never, never>>({
      sync: () => ({ status: { ready: true } }),
    });
  });

  it("types decorator responses: null deletes a label", () => {
    defineDecoratorController<IConfigMap, { "Secret.v1": ISecret }>({
      sync: ({ object, attachments }) => {
        expectTypeOf(attachments["Secret.v1"]["x"]).toEqualTypeOf<ISecret | undefined>();
        return {
          labels: { seen: "yes", old: null },
          annotations: { name: object.metadata?.name ?? null },
          attachments: [],
        };
      },
    });
  });

  it("invokeHook returns the typed response", () => {
    const controller = defineCompositeController<Blog, Children>({
      sync: () => ({ children: [] }),
    });
    const request = {} as CompositeHookRequest<Blog, Children>;
    expectTypeOf(invokeHook(controller, request)).resolves.toEqualTypeOf<
      CompositeHookResponse<Blog, Children>
    >();
  });
});
