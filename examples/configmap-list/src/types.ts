/**
 * The ConfigMapList custom resource (`examples.metacontroller.io/v1alpha1`,
 * namespaced), written by hand to match `manifests/crd.yaml` until types are
 * generated from the CRD.
 *
 * @module
 */
import type { ObjectMeta } from "@metahook/runtime";

/** Which ConfigMaps to aggregate. */
export interface ConfigMapListSpec {
  /** Where to look; omitted = every namespace (needs customize hook v2). */
  sourceNamespace?: string;
  /** Labels the source ConfigMaps must all carry. */
  sourceLabels: { [key: string]: string };
}

/** What the controller reports (Metacontroller adds `observedGeneration`). */
export interface ConfigMapListStatus {
  /** How many source ConfigMaps the aggregate holds. */
  count?: number;
  observedGeneration?: number;
}

/** A ConfigMapList object as Metacontroller sends it. */
export interface ConfigMapList {
  apiVersion: "examples.metacontroller.io/v1alpha1";
  kind: "ConfigMapList";
  metadata?: ObjectMeta;
  spec: ConfigMapListSpec;
  status?: ConfigMapListStatus;
}
