/**
 * CatSet: a StatefulSet re-implemented as a Metacontroller CompositeController.
 *
 * Pods get stable names (`<catset>-<ordinal>`), are created in order (the next one
 * only once every lower ordinal is Running and Ready) and removed from the top,
 * one at a time. Each ordinal gets a PersistentVolumeClaim per
 * `volumeClaimTemplates` entry; claims outlive a scale-down, as with StatefulSets,
 * and are removed by finalize after the last pod is gone.
 *
 * Served by `metahook serve examples` at `/catset/sync` and `/catset/finalize`
 * (finalize requests sent to `/catset/sync` are dispatched to finalize too).
 *
 * @module
 */
import {
  type CompositeHookRequest,
  type CompositeHookResponse,
  defineCompositeController,
  HookError,
  listObjects,
} from "@metahook/runtime";
import type { IContainer } from "kubernetes-models/v1/Container";
import type { IPersistentVolumeClaim } from "kubernetes-models/v1/PersistentVolumeClaim";
import type { IPod } from "kubernetes-models/v1/Pod";
import type { IPodSpec } from "kubernetes-models/v1/PodSpec";
import type { CatSet, CatSetVolumeClaimTemplate } from "./types.js";

/** The children a CatSet owns, by Metacontroller group key. */
export type CatSetChildren = {
  "Pod.v1": IPod;
  "PersistentVolumeClaim.v1": IPersistentVolumeClaim;
};

type Request = CompositeHookRequest<CatSet, CatSetChildren>;
type Response = CompositeHookResponse<CatSet, CatSetChildren>;
type DesiredPod = IPod & { metadata: { name: string } };
type DesiredClaim = IPersistentVolumeClaim & { metadata: { name: string } };

/**
 * The ordinal encoded in `name` if it is exactly `<base>-<n>` (canonical decimal),
 * else `undefined`: objects that do not follow the naming scheme are not ours to
 * count, and leaving them out of the desired set lets Metacontroller delete them.
 */
export function ordinalOf(base: string, name: string | undefined): number | undefined {
  if (name === undefined || !name.startsWith(`${base}-`)) return undefined;
  const digits = name.slice(base.length + 1);
  if (!/^(0|[1-9][0-9]*)$/.test(digits)) return undefined;
  return Number(digits);
}

/** Running, not terminating, and `Ready=True`: the bar the next ordinal waits for. */
export function isRunningAndReady(pod: IPod | undefined): boolean {
  if (pod === undefined || pod.metadata?.deletionTimestamp !== undefined) return false;
  if (pod.status?.phase !== "Running") return false;
  return (pod.status.conditions ?? []).some((c) => c.type === "Ready" && c.status === "True");
}

// JSON round-trip: the request is shared with nothing else, but desired objects must
// never alias the parent's template (a later mutation would leak into every pod).
function clone<T>(value: T): T {
  return value === undefined ? value : (JSON.parse(JSON.stringify(value)) as T);
}

/**
 * A container as CatSet runs it. `ports` are left out: a Pod's port list is
 * informational in Kubernetes (it neither opens nor restricts anything); pods are
 * reached through the headless Service `spec.serviceName`. `volumeMounts` keep only
 * mounts of volumes the pod template itself declares: claims are provisioned per
 * ordinal but not mounted by this controller, and a mount naming a missing volume
 * would make the API server reject the Pod.
 */
function runnableContainer(container: IContainer, podVolumes: ReadonlySet<string>): IContainer {
  const { ports: _ports, volumeMounts, ...rest } = clone(container);
  const mounts = (volumeMounts ?? []).filter((m) => podVolumes.has(m.name));
  return mounts.length > 0 ? { ...rest, volumeMounts: mounts } : rest;
}

/** The desired Pod for one ordinal, from the template. */
export function desiredPod(catset: CatSet, name: string, ordinal: number): DesiredPod {
  const template = catset.spec.template;
  const templateSpec = template.spec;
  if (templateSpec === undefined) {
    throw new HookError("HOOK_FAILED", `CatSet ${name}: spec.template.spec is required`);
  }
  const podName = `${name}-${ordinal}`;
  const podVolumes = new Set((templateSpec.volumes ?? []).map((v) => v.name));
  const spec: IPodSpec = {
    ...clone(templateSpec),
    // hostname + subdomain give the pod its stable DNS name <pod>.<serviceName>.
    hostname: podName,
    subdomain: catset.spec.serviceName,
    containers: templateSpec.containers.map((c) => runnableContainer(c, podVolumes)),
  };
  if (templateSpec.initContainers !== undefined) {
    spec.initContainers = templateSpec.initContainers.map((c) => runnableContainer(c, podVolumes));
  }
  return {
    apiVersion: "v1",
    kind: "Pod",
    metadata: {
      name: podName,
      labels: clone(template.metadata?.labels),
      annotations: clone(template.metadata?.annotations),
    },
    spec,
  };
}

/** The claim `<template>-<catset>-<ordinal>`. */
export function desiredClaim(
  catset: CatSet,
  template: CatSetVolumeClaimTemplate,
  claimName: string,
): DesiredClaim {
  return {
    apiVersion: "v1",
    kind: "PersistentVolumeClaim",
    metadata: {
      ...clone(template.metadata),
      name: claimName,
      // Metacontroller only manages children matching the parent's selector; the pod
      // labels (which must match it) under the claim's own make sure claims do too.
      labels: { ...catset.spec.template.metadata?.labels, ...template.metadata.labels },
    },
    spec: clone(template.spec),
  };
}

/**
 * One reconcile pass, shared by sync and finalize: finalize is a scale to zero
 * that also removes the claims once no pod is left.
 */
export function reconcile(request: Request): Response {
  const { parent, children, finalizing } = request;
  const name = parent.metadata?.name;
  if (name === undefined || name === "") {
    throw new HookError("HOOK_FAILED", "the CatSet has no metadata.name");
  }
  const replicas = finalizing ? 0 : Math.max(0, Math.trunc(parent.spec.replicas ?? 0));

  const observedPods = new Map<number, IPod>();
  for (const pod of listObjects(children["Pod.v1"])) {
    const ordinal = ordinalOf(name, pod.metadata?.name);
    if (ordinal !== undefined) observedPods.set(ordinal, pod);
  }

  // Ready pods counted from ordinal 0 without gaps: that is how far a rollout got.
  let ready = 0;
  while (ready < replicas && isRunningAndReady(observedPods.get(ready))) ready++;

  const podOrdinals = new Set(observedPods.keys());
  if (ready < replicas) {
    // Scale up one pod at a time, and only once all lower ordinals are ready.
    podOrdinals.add(ready);
  } else {
    // Everything wanted is ready: shed the highest surplus pod (one per sync, so
    // scale-down is ordered too; Metacontroller calls again when it is gone).
    const highest = Math.max(-1, ...podOrdinals);
    if (highest >= replicas) podOrdinals.delete(highest);
  }

  // Claims are kept past a scale-down (the data outlives the pod, as with a
  // StatefulSet) and while finalizing until the last pod is gone.
  const keepSurplusClaims = !finalizing || observedPods.size > 0;
  const observedClaims = listObjects(children["PersistentVolumeClaim.v1"]);
  const claims: DesiredClaim[] = [];
  for (const template of parent.spec.volumeClaimTemplates ?? []) {
    const base = `${template.metadata.name}-${name}`;
    const ordinals = new Set<number>();
    for (let i = 0; i < replicas; i++) ordinals.add(i);
    if (keepSurplusClaims) {
      for (const claim of observedClaims) {
        const ordinal = ordinalOf(base, claim.metadata?.name);
        if (ordinal !== undefined) ordinals.add(ordinal);
      }
    }
    for (const ordinal of [...ordinals].sort((a, b) => a - b)) {
      claims.push(desiredClaim(parent, template, `${base}-${ordinal}`));
    }
  }

  const pods = [...podOrdinals].sort((a, b) => a - b).map((o) => desiredPod(parent, name, o));
  const response: Response = {
    status: { replicas: observedPods.size, readyReplicas: ready },
    // Claims first: they are what the pods' storage comes from.
    children: [...claims, ...pods],
  };
  if (finalizing) {
    // Done only when the observed state is empty; Metacontroller may call again after.
    response.finalized = observedPods.size === 0 && observedClaims.length === 0;
  }
  return response;
}

/**
 * The CatSet CompositeController: parent `ctl.enisoc.com/v1` CatSet, children Pods
 * and PersistentVolumeClaims (see `manifests/controller.yaml`).
 */
const catset = defineCompositeController<CatSet, CatSetChildren>({
  sync: reconcile,
  finalize: reconcile,
});

export default catset;
