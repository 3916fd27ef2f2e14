/**
 * The GlobalConfigMap custom resource (`examples.metacontroller.io/v1alpha1`,
 * cluster-scoped), written by hand to match `manifests/crd.yaml` until types are
 * generated from the CRD.
 *
 * @module
 */
import type { ObjectMeta } from "@metahook/runtime";

/** Which ConfigMap to copy into every namespace. */
export interface GlobalConfigMapSpec {
  /** Name of the ConfigMap to propagate (the copies get the same name). */
  sourceName: string;
  /** Namespace in which the ConfigMap to propagate is located. */
  sourceNamespace: string;
}

/** What the controller reports (Metacontroller adds `observedGeneration`). */
export interface GlobalConfigMapStatus {
  /** `"fine"`, or why nothing can be copied. */
  working?: string;
  observedGeneration?: number;
}

/** A GlobalConfigMap object as Metacontroller sends it. */
export interface GlobalConfigMap {
  apiVersion: "examples.metacontroller.io/v1alpha1";
  kind: "GlobalConfigMap";
  metadata?: ObjectMeta;
  spec: GlobalConfigMapSpec;
  status?: GlobalConfigMapStatus;
}
