/**
 * GlobalConfigMap: a cluster-scoped CompositeController that copies one ConfigMap
 * into every Namespace, and keeps the copies in step with the source.
 *
 * The customize hook asks Metacontroller for two kinds of related objects: the
 * source ConfigMap (by namespace and name) and all Namespaces. A change to either
 * triggers a sync, so new namespaces get their copy without any polling.
 *
 * Served by `metahook serve examples` at `/globalconfigmap/customize` and
 * `/globalconfigmap/sync`.
 *
 * @module
 */
import {
  type Desired,
  defineCompositeController,
  getObject,
  listObjects,
  type Observed,
} from "@metahook/runtime";
import type { IConfigMap } from "kubernetes-models/v1/ConfigMap";
import type { INamespace } from "kubernetes-models/v1/Namespace";
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
} from "./globalconfigmap.generated.js";

/**
 * The related objects to watch. `names` and a label selector exclude each other
 * (Metacontroller rejects the rule), so the source is selected by namespace + name
 * only, and the Namespaces by the empty selector, which matches all of them.
 */
export function customize({ parent }: CustomizeRequest): CustomizeResponse {
  return {
    relatedResources: [
      {
        apiVersion: "v1",
        resource: "configmaps",
        namespace: parent.spec.sourceNamespace,
        names: [parent.spec.sourceName],
      },
      { apiVersion: "v1", resource: "namespaces", labelSelector: {} },
    ],
  };
}

/** A namespace the API server would refuse new objects in. */
function isTerminating(namespace: Observed<INamespace>): boolean {
  return (
    namespace.metadata.deletionTimestamp !== undefined || namespace.status?.phase === "Terminating"
  );
}

/** The copy of `source` in `namespace`: same name and contents, no source metadata. */
export function copyOf(source: IConfigMap, name: string, namespace: string): Desired<IConfigMap> {
  const copy: Desired<IConfigMap> = {
    apiVersion: "v1",
    kind: "ConfigMap",
    metadata: { name, namespace },
    data: { ...source.data },
  };
  if (source.binaryData !== undefined) copy.binaryData = { ...source.binaryData };
  if (source.immutable !== undefined) copy.immutable = source.immutable;
  return copy;
}

/**
 * One copy per namespace, sorted by namespace, except the source's own namespace
 * (it has the original) and terminating ones (creating there fails).
 */
export function sync({ parent, related }: SyncRequest): SyncResponse {
  const { sourceName, sourceNamespace } = parent.spec;
  // Keyed `namespace/name` (a cluster-scoped parent's request); getObject finds it by both.
  const source = getObject(related["ConfigMap.v1"], sourceName, sourceNamespace);
  if (source === undefined) {
    // Copies follow their source: with the source gone, so are they. The status says
    // why; recreating the source triggers a sync through the related watch.
    return {
      status: { working: `source ConfigMap ${sourceNamespace}/${sourceName} not found` },
      children: [],
      resyncAfterSeconds: 0,
    };
  }
  const children = listObjects(related["Namespace.v1"])
    .filter((ns) => ns.metadata.name !== sourceNamespace && !isTerminating(ns))
    .map((ns) => copyOf(source, sourceName, ns.metadata.name));
  return {
    status: { working: "fine" },
    children,
    // 0 = no timed resync: the related watches (source, namespaces) drive every sync.
    resyncAfterSeconds: 0,
  };
}

/**
 * The GlobalConfigMap CompositeController: cluster-scoped parent, ConfigMap
 * children in every namespace (see `manifests/controller.yaml`; it uses
 * `generateSelector`, since copies in many namespaces share no parent-chosen labels).
 */
const globalConfigMap = defineCompositeController<Parent, Children, Related, Keying>({
  // Validates desired children and the status against their schemas in tests and `metahook run`.
  models,
  customize,
  sync,
});

export default globalConfigMap;
