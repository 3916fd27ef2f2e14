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
  defineCompositeController,
  listObjects,
  type Observed,
  type RelatedResourceRule,
} from "@metahook/runtime";
import type { IConfigMap } from "kubernetes-models/v1/ConfigMap";
import {
  type Children,
  type CustomizeRequest,
  type CustomizeResponse,
  type Keying,
  models,
  type Parent,
  type Related,
  type SyncRequest,
  type SyncResponse,
} from "./configmap-list.generated.js";

/**
 * ConfigMaps carrying all `sourceLabels`, in `sourceNamespace` or, without it,
 * in every namespace (a v2 rule without `namespace` is cluster-wide).
 */
export function customize({ parent }: CustomizeRequest): CustomizeResponse {
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
export function entryKey(
  source: Observed<IConfigMap, "Namespaced">,
  sourceNamespace: string | undefined,
): string {
  const { name, namespace } = source.metadata;
  return namespace === sourceNamespace ? name : `${namespace}.${name}`;
}

/** Whether `object` is owned by `uid`: our own aggregate must not feed on itself. */
function isOwnedBy(object: Observed<IConfigMap>, uid: string | undefined): boolean {
  return (
    uid !== undefined && (object.metadata.ownerReferences ?? []).some((ref) => ref.uid === uid)
  );
}

/**
 * One aggregate ConfigMap named after the list, in its namespace: an entry per
 * selected source (see {@link entryKey}, {@link entryValue}); `status.count` says
 * how many.
 */
export function sync({ parent, related }: SyncRequest): SyncResponse {
  const { name, namespace, uid } = parent.metadata;
  const { sourceNamespace } = parent.spec;
  const sources = listObjects(related["ConfigMap.v1"]).filter((cm) => !isOwnedBy(cm, uid));
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
const configMapList = defineCompositeController<Parent, Children, Related, Keying>({
  // Validates desired children and the status against their schemas in tests and `metahook run`.
  models,
  customize,
  sync,
});

export default configMapList;
