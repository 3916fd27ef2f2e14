/**
 * BlueGreenDeployment: Metacontroller's `examples/bluegreen` (a Node.js sync hook) as a typed
 * CompositeController that answers as it does.
 *
 * A BlueGreenDeployment owns two ReplicaSets, `<name>-blue` and `<name>-green`, and a Service
 * whose selector picks the active colour. Each ReplicaSet records the Pod template it was made
 * from in an annotation. When the parent's template changes, the inactive ReplicaSet is scaled
 * down, given the new template and scaled up; once all its replicas are available the Service
 * switches to its colour, and on the next sync the old one is scaled down.
 *
 * Served by `metahook serve src/bluegreen.ts` at `/bluegreen/sync`.
 *
 * @module
 */

import type { ILabelSelector } from "@kubernetes-models/apimachinery/apis/meta/v1/LabelSelector";
import { type Desired, defineCompositeController, getObject, HookError } from "@metahook/runtime";
import type { IReplicaSet } from "kubernetes-models/apps/v1/ReplicaSet";
import type { IPodTemplateSpec } from "kubernetes-models/v1/PodTemplateSpec";
import type { IService } from "kubernetes-models/v1/Service";
import type {
  Children,
  Keying,
  Parent,
  Related,
  SyncRequest,
  SyncResponse,
} from "./bluegreen.generated.js";

/** The annotation holding the JSON of the Pod template a ReplicaSet was made from. */
export const POD_TEMPLATE_ANNOTATION = "bluegreendeployments.ctl.enisoc.com/pod-template-json";

/** The two colours. */
export type Color = "blue" | "green";

/** The other colour. */
export function otherColor(color: Color): Color {
  return color === "blue" ? "green" : "blue";
}

/** Structural equality of JSON values (objects by keys, arrays by index), as upstream's. */
export function jsonEqual(a: unknown, b: unknown): boolean {
  if (typeof a !== "object" || typeof b !== "object" || a === null || b === null) return a === b;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  const left = a as { [key: string]: unknown };
  const right = b as { [key: string]: unknown };
  const keys = Object.keys(left);
  if (keys.length !== Object.keys(right).length) return false;
  return keys.every((key) => Object.hasOwn(right, key) && jsonEqual(left[key], right[key]));
}

/**
 * The Pod template a ReplicaSet was made from (its annotation), or its own `spec.template`
 * when the annotation is missing or not JSON (upstream fails the sync on such a ReplicaSet).
 */
export function recordedTemplate(rs: IReplicaSet): IPodTemplateSpec | undefined {
  const text = rs.metadata?.annotations?.[POD_TEMPLATE_ANNOTATION];
  if (text !== undefined) {
    try {
      return JSON.parse(text) as IPodTemplateSpec;
    } catch {
      // Fall through: treat it as a ReplicaSet of unknown origin.
    }
  }
  return rs.spec?.template;
}

/** Whether a ReplicaSet was made from the parent's current template. */
function madeFromCurrent(template: IPodTemplateSpec, rs: IReplicaSet | undefined): boolean {
  const recorded = rs?.metadata?.annotations?.[POD_TEMPLATE_ANNOTATION];
  if (recorded === undefined) return false;
  try {
    return jsonEqual(template, JSON.parse(recorded));
  } catch {
    return false;
  }
}

/** The ReplicaSet of one colour, with the template it runs recorded in the annotation. */
export function replicaSetFor(
  bgd: Parent,
  color: Color,
  replicas: number,
  template: IPodTemplateSpec,
): Desired<IReplicaSet> {
  const selector = structuredClone(bgd.spec.selector) as ILabelSelector;
  const podTemplate = structuredClone(template);
  podTemplate.metadata = {
    ...podTemplate.metadata,
    labels: { ...podTemplate.metadata?.labels, color },
  };
  return {
    apiVersion: "apps/v1",
    kind: "ReplicaSet",
    metadata: {
      name: `${bgd.metadata.name}-${color}`,
      labels: { ...template.metadata?.labels, color },
      annotations: { [POD_TEMPLATE_ANNOTATION]: JSON.stringify(template) },
    },
    spec: {
      replicas,
      minReadySeconds: bgd.spec.minReadySeconds,
      selector: { ...selector, matchLabels: { ...selector.matchLabels, color } },
      template: podTemplate,
    },
  };
}

/** The parent's Service, selecting the given colour. */
export function serviceFor(bgd: Parent, color: Color): Desired<IService> {
  const service = structuredClone(bgd.spec.service) as IService;
  // The Service template of the spec, not an observed object: its name may be missing.
  const { name } = service.metadata ?? {};
  if (name === undefined || name === "") {
    throw new HookError(
      "INVALID_REQUEST",
      `BlueGreenDeployment ${bgd.metadata.name}: spec.service.metadata.name is missing; name the Service`,
    );
  }
  return {
    ...service,
    apiVersion: "v1",
    kind: "Service",
    metadata: { ...service.metadata, name },
    spec: { ...service.spec, selector: { ...service.spec?.selector, color } },
  };
}

/**
 * The sync hook: status from what is observed, then one step of the rollout (scale the stale
 * inactive ReplicaSet down, start a rollout into it, or swap once it is fully available).
 */
export function sync({ parent: bgd, children }: SyncRequest): SyncResponse {
  const namespace = bgd.metadata.namespace;
  const template = bgd.spec.template as IPodTemplateSpec;
  const serviceName = serviceFor(bgd, "blue").metadata.name;
  const service = getObject(children["Service.v1"], serviceName, namespace);
  const selected = service?.spec?.selector?.color;
  let activeColor: Color = selected === "green" ? "green" : "blue";

  const replicaSets = children["ReplicaSet.apps/v1"];
  const colored = (color: Color) =>
    getObject(replicaSets, `${bgd.metadata.name}-${color}`, namespace);
  const activeRS = colored(activeColor);
  const inactiveRS = colored(otherColor(activeColor));

  // Upstream writes `{}` for a missing ReplicaSet, which the CRD's status schema refuses
  // (ReplicaSetStatus requires `replicas`); leaving the field out says the same.
  const status = {
    activeColor,
    ...(activeRS?.status ? { active: activeRS.status } : {}),
    ...(inactiveRS?.status ? { inactive: inactiveRS.status } : {}),
  };

  let activeReplicas = activeRS?.spec?.replicas ?? bgd.spec.replicas;
  let activeTemplate = (activeRS && recordedTemplate(activeRS)) ?? template;
  let inactiveReplicas = inactiveRS?.spec?.replicas ?? 0;
  let inactiveTemplate = (inactiveRS && recordedTemplate(inactiveRS)) ?? template;

  if (madeFromCurrent(template, activeRS)) {
    // No rollout needed: keep the inactive one scaled down.
    inactiveReplicas = 0;
  } else if (inactiveRS !== undefined && madeFromCurrent(template, inactiveRS)) {
    // The inactive one runs the new template: scale it up, and swap once it is all available.
    inactiveReplicas = bgd.spec.replicas;
    if (inactiveRS.status?.availableReplicas === bgd.spec.replicas) {
      activeColor = otherColor(activeColor);
      [activeReplicas, inactiveReplicas] = [inactiveReplicas, activeReplicas];
      [activeTemplate, inactiveTemplate] = [inactiveTemplate, activeTemplate];
    }
  } else if (inactiveRS?.spec?.replicas === 0 && inactiveRS.status?.replicas === 0) {
    // Neither matches and the inactive one is empty: start a rollout into it.
    inactiveReplicas = bgd.spec.replicas;
    inactiveTemplate = template;
  } else {
    // Neither matches and another rollout was under way: cancel it and wait.
    inactiveReplicas = 0;
  }

  return {
    status,
    children: [
      serviceFor(bgd, activeColor),
      replicaSetFor(bgd, activeColor, activeReplicas, activeTemplate),
      replicaSetFor(bgd, otherColor(activeColor), inactiveReplicas, inactiveTemplate),
    ],
  };
}

/** The BlueGreenDeployment CompositeController (see `manifests/controller.yaml`). */
const blueGreen = defineCompositeController<Parent, Children, Related, Keying>({ sync });

export default blueGreen;
