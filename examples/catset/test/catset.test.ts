import {
  type CompositeHookResponse,
  type Desired,
  defineCompositeController,
  HookError,
  type HookVersion,
  type KubeObject,
} from "@metahook/runtime";
import { buildCompositeRequest, invokeHook } from "@metahook/runtime/testing";
import { exampleManifests, fixture } from "@metahook/test-support";
import type { IPersistentVolumeClaim } from "kubernetes-models/v1/PersistentVolumeClaim";
import type { IPod } from "kubernetes-models/v1/Pod";
import type { IService } from "kubernetes-models/v1/Service";
import { describe, expect, it } from "vitest";
import {
  type Children,
  controllerManifest as controller,
  type Keying,
  type Parent,
  type Related,
} from "../src/catset.generated.js";
import catset, { reconcile } from "../src/catset.js";

const { manifestOf } = exampleManifests(import.meta.url);

// --- the shared fixtures ------------------------------------------------------------

describe("catset answers the shared fixtures exactly", () => {
  it.each([
    [
      "sync v1",
      "composite-sync-v1-namespaced-catset.request.json",
      "composite-sync-v1-namespaced-catset.response.json",
    ],
    // The v2 request differs only in its keys (namespace/name); there is no response
    // file because the expected answer is the v1 one.
    [
      "sync v2",
      "composite-sync-v2-namespaced-catset.request.json",
      "composite-sync-v1-namespaced-catset.response.json",
    ],
    [
      "finalize v1",
      "composite-finalize-v1-namespaced-catset.request.json",
      "composite-finalize-v1-namespaced-catset.response.json",
    ],
  ])("%s", async (_label, request, response) => {
    await expect(invokeHook(catset, fixture(request))).resolves.toStrictEqual(fixture(response));
  });

  it("answers the v2 sync request exactly as the v1 one", async () => {
    const v1 = await invokeHook(
      catset,
      fixture("composite-sync-v1-namespaced-catset.request.json"),
    );
    const v2 = await invokeHook(
      catset,
      fixture("composite-sync-v2-namespaced-catset.request.json"),
    );
    expect(v2).toStrictEqual(v1);
  });
});

// --- own cases, built the way Metacontroller builds requests -------------------------

const labels = { app: "web" };

const parent = (replicas: number, deleting = false): Parent => ({
  apiVersion: "ctl.enisoc.com/v1",
  kind: "CatSet",
  metadata: {
    name: "web",
    namespace: "default",
    uid: "0000-web",
    ...(deleting ? { deletionTimestamp: "2026-01-15T11:00:00Z" } : {}),
  },
  spec: {
    replicas,
    serviceName: "web-hl",
    selector: { matchLabels: labels },
    template: {
      metadata: { labels },
      spec: {
        containers: [
          {
            name: "web",
            image: "nginx:1.26.2",
            ports: [{ containerPort: 80, name: "http" }],
            volumeMounts: [{ name: "data", mountPath: "/data" }],
          },
        ],
      },
    },
    // No labels on the claim template: the controller gives claims the pod labels.
    volumeClaimTemplates: [
      {
        metadata: { name: "data" },
        spec: { accessModes: ["ReadWriteOnce"], resources: { requests: { storage: "1Gi" } } },
      },
    ],
  },
});

type PodState = "ready" | "unready" | "pending" | "terminating";

const pod = (name: string, state: PodState): IPod => ({
  apiVersion: "v1",
  kind: "Pod",
  metadata: {
    name,
    namespace: "default",
    labels,
    ...(state === "terminating" ? { deletionTimestamp: "2026-01-15T11:00:00Z" } : {}),
  },
  status: {
    phase: state === "pending" ? "Pending" : "Running",
    conditions: [{ type: "Ready", status: state === "unready" ? "False" : "True" }],
  },
});

const claim = (ordinal: number): IPersistentVolumeClaim => ({
  apiVersion: "v1",
  kind: "PersistentVolumeClaim",
  metadata: { name: `data-web-${ordinal}`, namespace: "default", labels },
  status: { phase: "Bound" },
});

const wantPod = (ordinal: number) => ({
  apiVersion: "v1",
  kind: "Pod",
  metadata: { name: `web-${ordinal}`, labels },
  spec: {
    hostname: `web-${ordinal}`,
    subdomain: "web-hl",
    containers: [
      {
        name: "web",
        image: "nginx:1.26.2",
        ports: [{ containerPort: 80, name: "http" }],
        volumeMounts: [{ name: "data", mountPath: "/data" }],
      },
    ],
    volumes: [{ name: "data", persistentVolumeClaim: { claimName: `data-web-${ordinal}` } }],
  },
});

const wantClaim = (ordinal: number) => ({
  apiVersion: "v1",
  kind: "PersistentVolumeClaim",
  metadata: { name: `data-web-${ordinal}`, labels },
  spec: { accessModes: ["ReadWriteOnce"], resources: { requests: { storage: "1Gi" } } },
});

interface Case {
  given: { parent: Parent; observed: KubeObject[]; finalizing?: boolean };
  want: unknown;
}

const cases: [string, Case][] = [
  [
    "a new CatSet: all claims, but only pod 0",
    {
      given: { parent: parent(3), observed: [] },
      want: {
        status: { replicas: 0, readyReplicas: 0 },
        children: [wantPod(0), wantClaim(0), wantClaim(1), wantClaim(2)],
      },
    },
  ],
  [
    "pod 0 running but not ready: no pod 1 yet",
    {
      given: { parent: parent(3), observed: [pod("web-0", "unready"), claim(0)] },
      want: {
        status: { replicas: 1, readyReplicas: 0 },
        children: [wantPod(0), wantClaim(0), wantClaim(1), wantClaim(2)],
      },
    },
  ],
  [
    "pods 0 and 1 ready, 2 pending: wait for 2",
    {
      given: {
        parent: parent(3),
        observed: [pod("web-0", "ready"), pod("web-1", "ready"), pod("web-2", "pending")],
      },
      want: {
        status: { replicas: 3, readyReplicas: 2 },
        children: [wantPod(2), wantPod(1), wantPod(0), wantClaim(0), wantClaim(1), wantClaim(2)],
      },
    },
  ],
  [
    "a terminating pod does not count as ready",
    {
      given: { parent: parent(2), observed: [pod("web-0", "terminating")] },
      want: {
        status: { replicas: 1, readyReplicas: 0 },
        children: [wantPod(0), wantClaim(0), wantClaim(1)],
      },
    },
  ],
  [
    "scale down 3 → 1: the highest pod goes first, claims stay",
    {
      given: {
        parent: parent(1),
        observed: [
          pod("web-0", "ready"),
          pod("web-1", "ready"),
          pod("web-2", "ready"),
          claim(0),
          claim(1),
          claim(2),
        ],
      },
      want: {
        status: { replicas: 3, readyReplicas: 1 },
        children: [wantPod(1), wantPod(0), wantClaim(0), wantClaim(1), wantClaim(2)],
      },
    },
  ],
  [
    "scale down waits while a wanted pod is unready",
    {
      given: { parent: parent(1), observed: [pod("web-0", "unready"), pod("web-1", "ready")] },
      want: {
        status: { replicas: 2, readyReplicas: 0 },
        children: [wantPod(1), wantPod(0), wantClaim(0)],
      },
    },
  ],
  [
    "objects outside the naming scheme are left out (so deleted)",
    {
      given: {
        parent: parent(1),
        observed: [pod("web-0", "ready"), pod("web-01", "ready"), pod("other-0", "ready")],
      },
      want: { status: { replicas: 1, readyReplicas: 1 }, children: [wantPod(0), wantClaim(0)] },
    },
  ],
  [
    "finalize with pods: tear down from the top, keep claims, not finalized",
    {
      given: {
        parent: parent(2, true),
        observed: [pod("web-0", "ready"), pod("web-1", "ready"), claim(0), claim(1)],
        finalizing: true,
      },
      want: {
        status: { replicas: 2, readyReplicas: 0 },
        children: [wantPod(0), wantClaim(0), wantClaim(1)],
        finalized: false,
      },
    },
  ],
  [
    "finalize after the last pod: finalized, claims kept for garbage collection",
    {
      given: { parent: parent(2, true), observed: [claim(1), claim(0)], finalizing: true },
      want: {
        status: { replicas: 0, readyReplicas: 0 },
        children: [wantClaim(0), wantClaim(1)],
        finalized: true,
      },
    },
  ],
  [
    "finalize with nothing left: finalized",
    {
      given: { parent: parent(2, true), observed: [], finalizing: true },
      want: { status: { replicas: 0, readyReplicas: 0 }, children: [], finalized: true },
    },
  ],
];

/** The controller manifest with another sync hook version. */
const withSyncVersion = (version: HookVersion) => ({
  ...controller,
  spec: {
    ...controller.spec,
    hooks: { ...controller.spec.hooks, sync: { ...controller.spec.hooks.sync, version } },
  },
});

/** The keying of a namespaced parent's requests under another hook version. */
type KeyedAs<V extends HookVersion> = { version: V; parent: "Namespaced"; clusterScoped: never };

describe("catset reconciles like a StatefulSet", () => {
  it.each(cases)("%s", async (_label, { given, want }) => {
    const request = buildCompositeRequest<Parent, Children, Related, Keying>({
      controller,
      parent: given.parent,
      observed: given.observed,
      finalizing: given.finalizing ?? false,
    });
    await expect(invokeHook(catset, request)).resolves.toStrictEqual(want);
  });

  it.each([
    ["v1", "default/web-0 is keyed web-0"],
    ["v2", "default/web-0 is keyed default/web-0"],
  ] as const)("gives the same answer for hook %s keys (%s)", async (version, _keys) => {
    const request = buildCompositeRequest<Parent, Children, Related, KeyedAs<typeof version>>({
      controller: withSyncVersion(version),
      parent: parent(2),
      observed: [pod("web-0", "ready"), claim(0)],
    });
    await expect(invokeHook(catset, request)).resolves.toStrictEqual({
      status: { replicas: 1, readyReplicas: 1 },
      children: [wantPod(1), wantPod(0), wantClaim(0), wantClaim(1)],
    });
  });
});

// --- the manifests -------------------------------------------------------------------

describe("the manifests", () => {
  it.each([
    ["sync", "http://catset-hooks.metacontroller/catset/sync"],
    ["finalize", "http://catset-hooks.metacontroller/catset/finalize"],
  ] as const)("point the %s hook at the examples server", (hook, url) => {
    expect(controller.spec.hooks[hook].webhook.url).toBe(url);
  });

  it("the sample CatSet syncs to its first pod and three claims", async () => {
    // kubectl apply -n default puts it in a namespace; the manifest leaves that open.
    const sample = manifestOf<Parent>("catset.yaml", "CatSet");
    sample.metadata = { ...sample.metadata, namespace: "default" };
    const response = await invokeHook(
      catset,
      buildCompositeRequest<Parent, Children, Related, Keying>({ controller, parent: sample }),
    );
    expect(response.children.map((c) => `${c.kind}/${c.metadata.name}`)).toStrictEqual([
      "Pod/nginx-backend-0",
      "PersistentVolumeClaim/www-nginx-backend-0",
      "PersistentVolumeClaim/www-nginx-backend-1",
      "PersistentVolumeClaim/www-nginx-backend-2",
    ]);
  });
});

// --- what the runtime's guards refuse ------------------------------------------------

async function refusal(promise: Promise<unknown>): Promise<HookError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!(error instanceof HookError)) throw new Error(`expected a HookError, got ${String(error)}`);
  return error;
}

describe("broken variants are refused, not served", () => {
  const fixtureRequest = () => fixture("composite-sync-v1-namespaced-catset.request.json");

  // Deliberately wrong: typed with a Service child that the manifest's childResources lack.
  type WithService = Children & { "Service.v1": IService };
  const withExtraService = defineCompositeController<Parent, WithService, Related, Keying>({
    sync(request): CompositeHookResponse<Parent, WithService> {
      const response = reconcile(request);
      const service: Desired<IService> = {
        apiVersion: "v1",
        kind: "Service",
        metadata: { name: "web", labels },
      };
      return { ...response, children: [...response.children, service] };
    },
  });

  const mismatched = (): Parent => {
    const p = parent(1);
    p.spec.selector = { matchLabels: { app: "other" } };
    return p;
  };

  it.each<[string, () => Promise<unknown>, string, RegExp]>([
    [
      "a child of an undeclared kind",
      () => invokeHook(withExtraService, fixtureRequest()),
      "INVALID_RESPONSE",
      /Service\.v1, which is not among the controller's childResources/,
    ],
    [
      "a template whose labels miss the selector",
      () =>
        invokeHook(
          catset,
          buildCompositeRequest<Parent, Children, Related, Keying>({
            controller,
            parent: mismatched(),
          }),
        ),
      "INVALID_RESPONSE",
      /do not match the parent's spec.selector/,
    ],
    [
      "a CatSet without a pod template spec",
      () => {
        const p = parent(1);
        delete p.spec.template.spec;
        return invokeHook(
          catset,
          buildCompositeRequest<Parent, Children, Related, Keying>({ controller, parent: p }),
        );
      },
      "HOOK_FAILED",
      /spec.template.spec is required/,
    ],
    [
      "a claim template without a name",
      () => {
        const p = parent(1);
        p.spec.volumeClaimTemplates = [{ spec: { accessModes: ["ReadWriteOnce"] } }];
        return invokeHook(
          catset,
          buildCompositeRequest<Parent, Children, Related, Keying>({ controller, parent: p }),
        );
      },
      "HOOK_FAILED",
      /spec\.volumeClaimTemplates\[0\]\.metadata\.name is required/,
    ],
    [
      "a decorator request sent to the composite hook",
      () => invokeHook(catset, fixture("decorator-sync-v1-pod-name-label.request.json")),
      "INVALID_REQUEST",
      /DecoratorController request/,
    ],
  ])("%s", async (_label, run, code, message) => {
    const error = await refusal(run());
    expect(error.code).toBe(code);
    expect(error.message).toMatch(message);
  });
});
