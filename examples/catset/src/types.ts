/**
 * The CatSet custom resource (`ctl.enisoc.com/v1`, namespaced), written by hand to
 * match `manifests/crd.yaml` until types are generated from the CRD.
 *
 * @module
 */
import type { LabelSelector, ObjectMeta } from "@metahook/runtime";
import type { IPersistentVolumeClaimSpec } from "kubernetes-models/v1/PersistentVolumeClaimSpec";
import type { IPodTemplateSpec } from "kubernetes-models/v1/PodTemplateSpec";

/** A claim template: each pod ordinal gets its own claim `<template name>-<catset>-<ordinal>`. */
export interface CatSetVolumeClaimTemplate {
  metadata: ObjectMeta & { name: string };
  spec: IPersistentVolumeClaimSpec;
}

/** What the user asks for: StatefulSet-like, with the same field names. */
export interface CatSetSpec {
  /** How many pods; ordinals `0 … replicas-1`. */
  replicas: number;
  /** Must select the template's labels (Metacontroller refuses children that don't match). */
  selector: LabelSelector;
  /** The headless Service that gives pods their DNS names (`<pod>.<serviceName>`). */
  serviceName: string;
  /** The pod template; `metadata.labels` must match `selector`. */
  template: IPodTemplateSpec;
  volumeClaimTemplates?: CatSetVolumeClaimTemplate[];
}

/** What the controller reports (Metacontroller adds `observedGeneration`). */
export interface CatSetStatus {
  /** Pods that exist (any state). */
  replicas: number;
  /** Pods `0 … n-1` that are all Running and Ready, counted from ordinal 0. */
  readyReplicas: number;
  observedGeneration?: number;
}

/** A CatSet object as Metacontroller sends it. */
export interface CatSet {
  apiVersion: "ctl.enisoc.com/v1";
  kind: "CatSet";
  metadata?: ObjectMeta;
  spec: CatSetSpec;
  status?: CatSetStatus;
}
