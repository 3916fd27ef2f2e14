/**
 * ConfigMapList: a namespaced CompositeController that aggregates ConfigMaps
 * selected by labels, from another namespace or from every namespace, into one
 * ConfigMap next to the parent.
 *
 * Looking outside the parent's namespace needs hook version v2 (Metacontroller
 * ≥ 4.15): with v1, a namespaced parent's customize rules are confined to its own
 * namespace and its sync requests drop every other namespace's objects.
 *
 * Served by `metahook serve examples` at `/configmap-list/customize` and
 * `/configmap-list/sync`.
 *
 * @module
 */
import {
  type CompositeHookRequest,
  type CompositeHookResponse,
  type CustomizeHookRequest,
  type CustomizeHookResponse,
  defineCompositeController,
  HookError,
  listObjects,
  type RelatedResourceRule,
} from "@metahook/runtime";
import type { IConfigMap } from "kubernetes-models/v1/ConfigMap";
import type { ConfigMapList } from "./types.js";

/** The one child: the aggregate ConfigMap. */
export type ConfigMapListChildren = { "ConfigMap.v1": IConfigMap };

/** The source ConfigMaps the customize hook selects. */
export type ConfigMapListRelated = { "ConfigMap.v1": IConfigMap };

type Request = CompositeHookRequest<ConfigMapList, ConfigMapListChildren, ConfigMapListRelated>;
type Response = CompositeHookResponse<ConfigMapList, ConfigMapListChildren>;

/**
 * ConfigMaps carrying all `sourceLabels`, in `sourceNamespace` or, without it,
 * in every namespace (a v2 rule without `namespace` is cluster-wide).
 */
export function customize({ parent }: CustomizeHookRequest<ConfigMapList>): CustomizeHookResponse {
  const rule: RelatedResourceRule = {
    apiVersion: "v1",
    resource: "configmaps",
    labelSelector: { matchLabels: { ...parent.spec.sourceLabels } },
  };
  if (parent.spec.sourceNamespace !== undefined && parent.spec.sourceNamespace !== "") {
    rule.namespace = parent.spec.sourceNamespace;
  }
  return { relatedResources: [rule] };
}

/**
 * The aggregate entry for one source: its only value, or `key=value` lines
 * (sorted by key) when it has several, so no value is lost either way.
 */
export function entryValue(source: IConfigMap): string {
  const entries = Object.entries(source.data ?? {}).sort(([a], [b]) =>
    a < b ? -1 : a > b ? 1 : 0,
  );
  const [only] = entries;
  if (entries.length === 1 && only !== undefined) return only[1];
  return entries.map(([key, value]) => `${key}=${value}`).join("\n");
}

/**
 * The aggregate key for one source: its name when it lives in `sourceNamespace`
 * (names are unique there), else `<namespace>.<name>` so that same-named
 * ConfigMaps of different namespaces cannot collide ('/' is not allowed in keys).
 */
export function entryKey(source: IConfigMap, sourceNamespace: string | undefined): string {
  const name = source.metadata?.name ?? "";
  const namespace = source.metadata?.namespace ?? "";
  return namespace === sourceNamespace ? name : `${namespace}.${name}`;
}

/** Whether `object` is owned by `uid`: our own aggregate must not feed on itself. */
function isOwnedBy(object: IConfigMap, uid: string | undefined): boolean {
  return (
    uid !== undefined && (object.metadata?.ownerReferences ?? []).some((ref) => ref.uid === uid)
  );
}

/**
 * One aggregate ConfigMap named after the list, in its namespace: an entry per
 * selected source (see {@link entryKey}, {@link entryValue}); `status.count` says
 * how many.
 */
export function sync({ parent, related }: Request): Response {
  const name = parent.metadata?.name;
  const namespace = parent.metadata?.namespace;
  if (name === undefined || namespace === undefined) {
    throw new HookError("HOOK_FAILED", "the ConfigMapList has no metadata.name or namespace");
  }
  const { sourceNamespace } = parent.spec;
  const sources = listObjects(related["ConfigMap.v1"]).filter(
    (cm) => !isOwnedBy(cm, parent.metadata?.uid),
  );
  const data: { [key: string]: string } = {};
  for (const source of sources) data[entryKey(source, sourceNamespace)] = entryValue(source);
  return {
    status: { count: sources.length },
    children: [
      {
        apiVersion: "v1",
        kind: "ConfigMap",
        // Same name as the list, in its namespace: a namespaced parent can only own
        // objects in its own namespace.
        metadata: { name, namespace },
        data,
      },
    ],
  };
}

/**
 * The ConfigMapList CompositeController: namespaced parent, one aggregate ConfigMap
 * child, cross-namespace related ConfigMaps (see `manifests/controller.yaml`).
 */
const configMapList = defineCompositeController<
  ConfigMapList,
  ConfigMapListChildren,
  ConfigMapListRelated
>({ customize, sync });

export default configMapList;
