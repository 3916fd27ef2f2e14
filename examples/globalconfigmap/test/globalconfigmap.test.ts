import {
  type CustomizeHookResponse,
  defineCompositeController,
  HookError,
  type KubeObject,
} from "@metahook/runtime";
import {
  buildCompositeRequest,
  buildCustomizeRequest,
  invokeHook,
} from "@metahook/runtime/testing";
import { exampleManifests, fixture } from "@metahook/test-support";
import type { IConfigMap } from "kubernetes-models/v1/ConfigMap";
import type { INamespace } from "kubernetes-models/v1/Namespace";
import { describe, expect, it } from "vitest";
import {
  type Children,
  type CustomizeRequest,
  type CustomizeResponse,
  controllerManifest as controller,
  type Keying,
  type Parent,
  type Related,
  type SyncResponse,
} from "../src/globalconfigmap.generated.js";
import globalConfigMap, { customize } from "../src/globalconfigmap.js";

const { manifest, manifestOf } = exampleManifests(import.meta.url);

describe("globalconfigmap answers the shared fixtures exactly", () => {
  it.each([
    ["customize v1", "composite-customize-v1-cluster-globalconfigmap"],
    ["sync v1", "composite-sync-v1-cluster-globalconfigmap"],
  ])("%s", async (_label, name) => {
    await expect(
      invokeHook(globalConfigMap, fixture(`${name}.request.json`)),
    ).resolves.toStrictEqual(fixture(`${name}.response.json`));
  });
});

// --- own cases ------------------------------------------------------------------------

const parent = (sourceName = "settings", sourceNamespace = "shared"): Parent => ({
  apiVersion: "examples.metacontroller.io/v1alpha1",
  kind: "GlobalConfigMap",
  metadata: { name: "settings", uid: "0000-gcm" },
  spec: { sourceName, sourceNamespace },
});

const namespace = (name: string, phase: "Active" | "Terminating" = "Active"): INamespace => ({
  apiVersion: "v1",
  kind: "Namespace",
  metadata: { name, labels: { "kubernetes.io/metadata.name": name } },
  status: { phase },
});

const source = (extra: Partial<IConfigMap> = {}): IConfigMap => ({
  apiVersion: "v1",
  kind: "ConfigMap",
  metadata: { name: "settings", namespace: "shared", uid: "0000-src", resourceVersion: "42" },
  data: { level: "debug" },
  ...extra,
});

const copy = (ns: string, extra: Partial<IConfigMap> = {}) => ({
  apiVersion: "v1",
  kind: "ConfigMap",
  metadata: { name: "settings", namespace: ns },
  data: { level: "debug" },
  ...extra,
});

interface Case {
  given: { parent: Parent; related: KubeObject[]; observed?: KubeObject[] };
  want: unknown;
}

const cases: [string, Case][] = [
  [
    "a copy per namespace, sorted, not in the source namespace",
    {
      given: {
        parent: parent(),
        related: [source(), namespace("zeta"), namespace("shared"), namespace("alpha")],
      },
      want: {
        status: { working: "fine" },
        children: [copy("alpha"), copy("zeta")],
        resyncAfterSeconds: 0,
      },
    },
  ],
  [
    "a terminating namespace gets no copy (an existing one is let go)",
    {
      given: {
        parent: parent(),
        related: [source(), namespace("alpha"), namespace("old", "Terminating")],
        observed: [copy("old")],
      },
      want: { status: { working: "fine" }, children: [copy("alpha")], resyncAfterSeconds: 0 },
    },
  ],
  [
    "an empty namespace list: nothing to copy",
    {
      given: { parent: parent(), related: [source()] },
      want: { status: { working: "fine" }, children: [], resyncAfterSeconds: 0 },
    },
  ],
  [
    "binaryData and immutable are copied too",
    {
      given: {
        parent: parent(),
        related: [
          source({ binaryData: { logo: "iVBORw0K" }, immutable: true }),
          namespace("alpha"),
        ],
      },
      want: {
        status: { working: "fine" },
        children: [copy("alpha", { binaryData: { logo: "iVBORw0K" }, immutable: true })],
        resyncAfterSeconds: 0,
      },
    },
  ],
  [
    "the source is missing: copies go, the status says why",
    {
      given: {
        parent: parent("absent"),
        related: [source(), namespace("alpha")],
        observed: [copy("alpha")],
      },
      want: {
        status: { working: "source ConfigMap shared/absent not found" },
        children: [],
        resyncAfterSeconds: 0,
      },
    },
  ],
];

describe("globalconfigmap copies the source into every namespace", () => {
  it.each(cases)("%s", async (_label, { given, want }) => {
    const request = buildCompositeRequest<Parent, Children, Related, Keying>({
      controller,
      parent: given.parent,
      observed: given.observed ?? [],
      related: given.related,
      relatedResources: customize(buildCustomizeRequest({ controller, parent: given.parent }))
        .relatedResources,
    });
    await expect(invokeHook(globalConfigMap, request)).resolves.toStrictEqual(want);
  });

  it.each<[string, Parent, CustomizeHookResponse]>([
    [
      "the source by namespace and name, and all namespaces",
      parent("app-config", "config"),
      {
        relatedResources: [
          { apiVersion: "v1", resource: "configmaps", namespace: "config", names: ["app-config"] },
          { apiVersion: "v1", resource: "namespaces", labelSelector: {} },
        ],
      },
    ],
  ])("customize: %s", async (_label, given, want) => {
    await expect(
      invokeHook(globalConfigMap, buildCustomizeRequest({ controller, parent: given })),
    ).resolves.toStrictEqual(want);
  });

  it("the sample: global/globalsettings lands in first, second and third", async () => {
    const sample = manifestOf<Parent>("globalconfigmap.yaml", "GlobalConfigMap");
    const docs = manifest("globalconfigmap.yaml") as unknown as KubeObject[];
    const response = await invokeHook(
      globalConfigMap,
      buildCompositeRequest<Parent, Children, Related, Keying>({
        controller,
        parent: sample,
        related: docs.filter((d) => d.kind !== "GlobalConfigMap"),
      }),
    );
    expect(
      response.children.map((c) => `${c.metadata.namespace}/${c.metadata.name}`),
    ).toStrictEqual(["first/globalsettings", "second/globalsettings", "third/globalsettings"]);
  });

  it.each([
    ["sync", "http://globalconfigmap-hooks.metacontroller/globalconfigmap/sync"],
    ["customize", "http://globalconfigmap-hooks.metacontroller/globalconfigmap/customize"],
  ] as const)("the manifest points %s at the examples server", (hook, url) => {
    expect(controller.spec.hooks[hook].webhook.url).toBe(url);
  });
});

// --- refusals ---------------------------------------------------------------------------

async function refusal(promise: Promise<unknown>): Promise<HookError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!(error instanceof HookError)) throw new Error(`expected a HookError, got ${String(error)}`);
  return error;
}

describe("broken variants are refused", () => {
  const withoutNamespace = defineCompositeController<Parent, Children, Related, Keying>({
    // Deliberately wrong: a cluster-scoped parent cannot default a child's namespace.
    sync: (): SyncResponse => ({
      status: null,
      children: [{ apiVersion: "v1", kind: "ConfigMap", metadata: { name: "settings" } }],
    }),
  });
  const upstreamCustomize = defineCompositeController<Parent, Children, Related, Keying>({
    sync: (): SyncResponse => ({ status: null, children: [] }),
    // What upstream's sync.py answers: names together with a labelSelector, which
    // Metacontroller's determineSelectionType rejects.
    customize: ({ parent: p }: CustomizeRequest): CustomizeResponse => ({
      relatedResources: [
        {
          apiVersion: "v1",
          resource: "configmaps",
          labelSelector: {},
          namespace: p.spec.sourceNamespace,
          names: [p.spec.sourceName],
        },
      ],
    }),
  });

  it.each<[string, () => Promise<unknown>, RegExp]>([
    [
      "a copy without a namespace",
      () =>
        invokeHook(
          withoutNamespace,
          fixture("composite-sync-v1-cluster-globalconfigmap.request.json"),
        ),
      /cannot default its namespace; set metadata.namespace/,
    ],
    [
      "names combined with a labelSelector",
      () =>
        invokeHook(
          upstreamCustomize,
          fixture("composite-customize-v1-cluster-globalconfigmap.request.json"),
        ),
      /names cannot be combined with labelSelector/,
    ],
  ])("%s", async (_label, run, message) => {
    const error = await refusal(run());
    expect(error.code).toBe("INVALID_RESPONSE");
    expect(error.message).toMatch(message);
  });
});
