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
import { describe, expect, it } from "vitest";
import {
  type Children,
  controllerManifest as controller,
  type Keying,
  type Parent,
  type Related,
  type SyncRequest,
  type SyncResponse,
} from "../src/configmap-list.generated.js";
import configMapList, { customize } from "../src/configmap-list.js";

const { manifest } = exampleManifests(import.meta.url);

describe("configmap-list answers the shared fixtures exactly", () => {
  it.each([
    ["customize v2", "composite-customize-v2-namespaced-configmaplist"],
    ["sync v2, cross-namespace related", "composite-sync-v2-namespaced-configmaplist"],
  ])("%s", async (_label, name) => {
    await expect(invokeHook(configMapList, fixture(`${name}.request.json`))).resolves.toStrictEqual(
      fixture(`${name}.response.json`),
    );
  });
});

// --- own cases ------------------------------------------------------------------------

const list = (
  sourceNamespace?: string,
  sourceLabels: { [key: string]: string } = { team: "a" },
): Parent => ({
  apiVersion: "examples.metacontroller.io/v1alpha1",
  kind: "ConfigMapList",
  metadata: { name: "team-a", namespace: "lists", uid: "0000-list" },
  spec: { ...(sourceNamespace === undefined ? {} : { sourceNamespace }), sourceLabels },
});

const source = (
  namespace: string,
  name: string,
  data?: { [key: string]: string },
  owner?: string,
): IConfigMap => ({
  apiVersion: "v1",
  kind: "ConfigMap",
  metadata: {
    name,
    namespace,
    labels: { team: "a" },
    ...(owner === undefined
      ? {}
      : {
          ownerReferences: [
            {
              apiVersion: "examples.metacontroller.io/v1alpha1",
              kind: "ConfigMapList",
              name: "team-a",
              uid: owner,
            },
          ],
        }),
  },
  ...(data === undefined ? {} : { data }),
});

const aggregate = (count: number, data: { [key: string]: string }) => ({
  status: { count },
  children: [
    { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "team-a", namespace: "lists" }, data },
  ],
});

const cases: [string, { parent: Parent; related: KubeObject[] }, unknown][] = [
  [
    "every namespace: keys are <namespace>.<name>",
    {
      parent: list(),
      related: [
        source("prod", "db", { url: "pg://prod" }),
        source("dev", "db", { url: "pg://dev" }),
      ],
    },
    aggregate(2, { "dev.db": "pg://dev", "prod.db": "pg://prod" }),
  ],
  [
    "several keys become sorted key=value lines; no data, an empty string",
    {
      parent: list("src"),
      related: [source("src", "multi", { b: "2", a: "1" }), source("src", "blank")],
    },
    aggregate(2, { multi: "a=1\nb=2", blank: "" }),
  ],
  [
    "the aggregate itself is never aggregated",
    {
      parent: list("lists", {}),
      related: [
        source("lists", "team-a", { x: "y" }, "0000-list"),
        source("lists", "cfg", { k: "v" }),
      ],
    },
    aggregate(1, { cfg: "v" }),
  ],
  ["nothing matches: an empty aggregate", { parent: list("src"), related: [] }, aggregate(0, {})],
];

describe("configmap-list aggregates ConfigMaps across namespaces", () => {
  it.each(cases)("%s", async (_label, given, want) => {
    const request = buildCompositeRequest<Parent, Children, Related, Keying>({
      controller,
      parent: given.parent,
      related: given.related,
      relatedResources: customize(buildCustomizeRequest({ controller, parent: given.parent }))
        .relatedResources,
    });
    await expect(invokeHook(configMapList, request)).resolves.toStrictEqual(want);
  });

  it.each<[string, Parent, CustomizeHookResponse]>([
    [
      "without sourceNamespace: a cluster-wide rule",
      list(undefined, { app: "x" }),
      {
        relatedResources: [
          {
            apiVersion: "v1",
            resource: "configmaps",
            labelSelector: { matchLabels: { app: "x" } },
          },
        ],
      },
    ],
  ])("customize: %s", async (_label, parent, want) => {
    await expect(
      invokeHook(configMapList, buildCustomizeRequest({ controller, parent })),
    ).resolves.toStrictEqual(want);
  });

  it("the samples: my-config-list holds cm-1 and cm-2, all-configs-list cm-3 too", async () => {
    const docs = manifest("configmaplist.yaml") as unknown as KubeObject[];
    const configMaps = docs.filter((d) => d.kind === "ConfigMap");
    const lists = docs.filter((d): d is Parent => d.kind === "ConfigMapList");
    const keys = await Promise.all(
      lists.map(async (parent) => {
        // What Metacontroller would select with the customize rule.
        const selected = configMaps.filter(
          (cm) =>
            (parent.spec.sourceNamespace === undefined ||
              cm.metadata?.namespace === parent.spec.sourceNamespace) &&
            Object.entries(parent.spec.sourceLabels).every(
              ([k, v]) => cm.metadata?.labels?.[k] === v,
            ),
        );
        const response = await invokeHook(
          configMapList,
          buildCompositeRequest<Parent, Children, Related, Keying>({
            controller,
            parent,
            related: selected,
          }),
        );
        return Object.keys(response.children[0]?.data ?? {}).sort();
      }),
    );
    expect(keys).toStrictEqual([
      ["cm-1", "cm-2"],
      ["other-source-ns.cm-3", "source-ns.cm-1", "source-ns.cm-2"],
    ]);
  });

  it.each([
    ["sync", "http://configmap-list-hooks.metacontroller/configmap-list/sync"],
    ["customize", "http://configmap-list-hooks.metacontroller/configmap-list/customize"],
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

describe("what the runtime refuses", () => {
  const { hooks } = controller.spec;
  const v1 = {
    ...controller,
    spec: {
      ...controller.spec,
      hooks: {
        sync: { ...hooks.sync, version: "v1" },
        customize: { ...hooks.customize, version: "v1" },
      },
    },
  };

  const intoSourceNamespace = defineCompositeController<Parent, Children, Related, Keying>({
    // Deliberately wrong: a namespaced parent cannot own objects in another namespace.
    sync: ({ parent }: SyncRequest): SyncResponse => ({
      status: null,
      children: [
        {
          apiVersion: "v1",
          kind: "ConfigMap",
          metadata: { name: "copy", namespace: parent.spec.sourceNamespace ?? "x" },
        },
      ],
    }),
  });

  it.each<[string, () => Promise<unknown>, RegExp]>([
    [
      "the real customize under hook v1: cross-namespace rules need v2",
      () =>
        invokeHook(
          configMapList,
          buildCustomizeRequest({ controller: v1, parent: list("elsewhere") }),
        ),
      /Use customize hook version v2/,
    ],
    [
      "a child in another namespace than the parent",
      () =>
        invokeHook(
          intoSourceNamespace,
          fixture("composite-sync-v2-namespaced-configmaplist.request.json"),
        ),
      /a namespaced parent can only own objects in its own namespace/,
    ],
  ])("%s", async (_label, run, message) => {
    const error = await refusal(run());
    expect(error.code).toBe("INVALID_RESPONSE");
    expect(error.message).toMatch(message);
  });
});
