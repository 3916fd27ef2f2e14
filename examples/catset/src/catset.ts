/**
 * CatSet: a StatefulSet re-implemented as a Metacontroller CompositeController, a
 * typed port of upstream `examples/catset/manifest/sync.js` that answers as it does.
 *
 * Pods get stable names (`<catset>-<ordinal>`), are created in order (the next one
 * only once every lower ordinal is Running and Ready) and removed from the top, one
 * at a time. Pods are listed in descending ordinal order: Metacontroller rolls
 * children out in response order, so that is the rolling-update order, as in a
 * StatefulSet. Each ordinal gets a PersistentVolumeClaim per `volumeClaimTemplates`
 * entry, mounted in its pod as a volume named after the template; claims outlive a
 * scale-down and the CatSet's finalize, and go with the CatSet (garbage collection
 * through their owner reference).
 *
 * Served by `metahook serve examples` at `/catset/sync` and `/catset/finalize`
 * (finalize requests sent to `/catset/sync` are dispatched to finalize too).
 *
 * @module
 */
import { type Desired, defineCompositeController, HookError, listObjects } from "@metahook/runtime";
import type { IPersistentVolumeClaim } from "kubernetes-models/v1/PersistentVolumeClaim";
import type { IPersistentVolumeClaimTemplate } from "kubernetes-models/v1/PersistentVolumeClaimTemplate";
import type { IPod } from "kubernetes-models/v1/Pod";
import type { IPodTemplateSpec } from "kubernetes-models/v1/PodTemplateSpec";
import {
  type Children,
  type Keying,
  models,
  type Parent,
  type Related,
  type SyncRequest,
  type SyncResponse,
} from "./catset.generated.js";

/**
 * The ordinal encoded in `name` if it is exactly `<base>-<n>` (canonical decimal),
 * else `undefined`: objects that do not follow the naming scheme are not ours to
 * count, and leaving them out of the desired set lets Metacontroller delete them.
 * (Upstream reads `<base>-01` as ordinal 1, so two pods could claim one ordinal.)
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

/** The CatSet's templates, typed as the objects they become (see {@link templatesOf}). */
export interface CatSetTemplates {
  pod: IPodTemplateSpec;
  claims: IPersistentVolumeClaimTemplate[];
}

/**
 * The CatSet's pod and claim templates as kubernetes-models types. The generated CatSet type
 * follows the CRD's schema, which is a PodTemplateSpec and PersistentVolumeClaimSpecs with
 * plain strings where kubernetes-models has the API server's enums (`operator`,
 * `accessModes`, `restartPolicy`, ...). The API server checks those values when it creates
 * the children, so this is the one place where the controller takes the CRD's shape for
 * the built-in one without checking it.
 */
export function templatesOf(catset: Parent): CatSetTemplates {
  return {
    pod: catset.spec.template as IPodTemplateSpec,
    // Required by the CRD, so only a hand-made request lacks it.
    claims: (catset.spec.volumeClaimTemplates ?? []) as IPersistentVolumeClaimTemplate[],
  };
}

/**
 * A claim template's name: it names the claims (`<template>-<catset>-<ordinal>`) and the
 * pod volume they are mounted as. The CRD's schema leaves it optional; without it there
 * is nothing sensible to name the claims, so the sync fails and says where.
 */
export function claimTemplateName(
  catset: string,
  template: IPersistentVolumeClaimTemplate,
  index: number,
): string {
  const { name } = template.metadata ?? {};
  if (name === undefined || name === "") {
    throw new HookError(
      "HOOK_FAILED",
      `CatSet ${catset}: spec.volumeClaimTemplates[${index}].metadata.name is required`,
    );
  }
  return name;
}

/**
 * The desired Pod for one ordinal: the whole template (labels, annotations, container
 * ports and mounts included), named `<catset>-<ordinal>`, with the stable DNS name
 * `<pod>.<serviceName>` and one `persistentVolumeClaim` volume per claim template,
 * named after the template so the template's `volumeMounts` find it.
 */
export function desiredPod(catset: Parent, name: string, ordinal: number): Desired<IPod> {
  const templates = templatesOf(catset);
  // structuredClone: desired objects must never alias the parent's template.
  const template = structuredClone(templates.pod);
  if (template.spec === undefined) {
    throw new HookError("HOOK_FAILED", `CatSet ${name}: spec.template.spec is required`);
  }
  const podName = `${name}-${ordinal}`;
  const spec = { ...template.spec, hostname: podName, subdomain: catset.spec.serviceName };
  spec.volumes = [
    ...(spec.volumes ?? []),
    ...templates.claims.map((claim, i) => {
      const claimTemplate = claimTemplateName(name, claim, i);
      return {
        name: claimTemplate,
        persistentVolumeClaim: { claimName: `${claimTemplate}-${podName}` },
      };
    }),
  ];
  return {
    ...template,
    apiVersion: "v1",
    kind: "Pod",
    metadata: { ...template.metadata, name: podName },
    spec,
  };
}

/**
 * The claim `<template>-<catset>-<ordinal>`: the template as it is, except that the
 * pod template's labels go under the claim's own. Metacontroller refuses a child
 * whose labels miss the parent's selector, so upstream's copy of a template without
 * labels fails every sync.
 */
export function desiredClaim(
  catset: Parent,
  template: IPersistentVolumeClaimTemplate,
  claimName: string,
): Desired<IPersistentVolumeClaim> {
  const claim = structuredClone(template);
  return {
    ...claim,
    apiVersion: "v1",
    kind: "PersistentVolumeClaim",
    metadata: {
      ...claim.metadata,
      name: claimName,
      labels: { ...catset.spec.template.metadata?.labels, ...claim.metadata?.labels },
    },
  };
}

/**
 * One reconcile pass, shared by sync and finalize: finalize is a scale to zero,
 * finalized once no pod is left (claims stay until the CatSet itself is gone).
 */
export function reconcile(request: SyncRequest): SyncResponse {
  const { parent, children, finalizing } = request;
  const name = parent.metadata.name;
  const replicas = finalizing ? 0 : parent.spec.replicas;

  const observedPods = new Map<number, IPod>();
  for (const pod of listObjects(children["Pod.v1"])) {
    const ordinal = ordinalOf(name, pod.metadata.name);
    if (ordinal !== undefined) observedPods.set(ordinal, pod);
  }

  // Ready pods counted from ordinal 0 without gaps: that is how far a rollout got.
  let ready = 0;
  while (ready < replicas && isRunningAndReady(observedPods.get(ready))) ready++;

  // Every existing pod keeps its desired state; one missing pod is added once all
  // lower ordinals are ready, and once all wanted pods are ready the highest surplus
  // one goes (one per sync, so scale-down is ordered too).
  const podOrdinals = new Set(observedPods.keys());
  if (ready < replicas) podOrdinals.add(ready);
  if (ready === replicas) {
    const highest = Math.max(-1, ...podOrdinals);
    if (highest >= replicas) podOrdinals.delete(highest);
  }
  const pods = [...podOrdinals].sort((a, b) => b - a).map((o) => desiredPod(parent, name, o));

  // Claims for every wanted ordinal, and the observed ones past it: claims are kept
  // after a scale-down (the data outlives the pod, as with a StatefulSet).
  const claims: Desired<IPersistentVolumeClaim>[] = [];
  const observedClaims = listObjects(children["PersistentVolumeClaim.v1"]);
  for (const [index, template] of templatesOf(parent).claims.entries()) {
    const base = `${claimTemplateName(name, template, index)}-${name}`;
    for (let i = 0; i < replicas; i++) claims.push(desiredClaim(parent, template, `${base}-${i}`));
    for (const claim of observedClaims) {
      const ordinal = ordinalOf(base, claim.metadata.name);
      if (ordinal !== undefined && ordinal >= replicas) {
        claims.push(desiredClaim(parent, template, `${base}-${ordinal}`));
      }
    }
  }

  const response: SyncResponse = {
    status: { replicas: observedPods.size, readyReplicas: ready },
    children: [...pods, ...claims],
  };
  // Done once no pod is observed; Metacontroller may call again after.
  if (finalizing) response.finalized = observedPods.size === 0;
  return response;
}

/**
 * The CatSet CompositeController: parent `ctl.enisoc.com/v1` CatSet, children Pods
 * and PersistentVolumeClaims (see `manifests/controller.yaml`).
 */
const catset = defineCompositeController<Parent, Children, Related, Keying>({
  // Validates desired children and the status against their schemas in tests and `metahook run`.
  models,
  sync: reconcile,
  finalize: reconcile,
});

export default catset;
