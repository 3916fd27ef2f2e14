/**
 * service-per-pod: a DecoratorController that gives every pod of an annotated
 * StatefulSet its own Service (`<statefulset>-<ordinal>`), so each replica is
 * addressable on its own, e.g. from outside the cluster. A typed port of upstream's
 * Jsonnet hooks (`examples/service-per-pod/manifest/*.jsonnet`) that answers as they do.
 *
 * A StatefulSet opts in with two annotations (the controller's annotationSelector):
 * - `service-per-pod-label`: the pod label the Services select on; the pods must
 *   carry it with their own name as value (the `pod-name-label` example does that);
 * - `service-per-pod-ports`: `port:targetPort` pairs, comma-separated (`80:8080,443:8443`);
 *   `port` alone means the same target port.
 *
 * Served by `metahook serve examples` at `/service-per-pod/sync` and
 * `/service-per-pod/finalize`. Works with hook v1 and v2 (it never looks keys up).
 *
 * @module
 */
import { type Desired, defineDecoratorController, HookError, listObjects } from "@metahook/runtime";
import type { IService } from "kubernetes-models/v1/Service";
import type { IServicePort } from "kubernetes-models/v1/ServicePort";
import type {
  Attachments,
  FinalizeRequest,
  FinalizeResponse,
  Keying,
  Parent,
  Related,
  SyncRequest,
  SyncResponse,
} from "./service-per-pod.generated.js";

/** Annotation naming the pod label each Service selects on. */
export const LABEL_ANNOTATION = "service-per-pod-label";
/** Annotation listing the ports, `port[:targetPort]` comma-separated. */
export const PORTS_ANNOTATION = "service-per-pod-ports";
/** Label on every Service, so they can be listed (and told apart from others). */
export const SERVICE_LABELS = { app: "service-per-pod" } as const;
function parsePort(text: string, annotation: string): number {
  const port = /^[0-9]+$/.test(text) ? Number(text) : Number.NaN;
  if (!(port >= 1 && port <= 65535)) {
    throw new HookError(
      "HOOK_FAILED",
      `annotation ${PORTS_ANNOTATION}="${annotation}": "${text}" is not a port number (1-65535)`,
    );
  }
  return port;
}

/**
 * Parses `service-per-pod-ports`: `port[:targetPort]` entries separated by commas;
 * a missing target port means the same number. Malformed input fails the hook, so
 * Metacontroller records a SyncError event on the StatefulSet and nothing changes.
 */
export function parsePorts(annotation: string): IServicePort[] {
  const entries = annotation
    .split(",")
    .map((entry) => entry.trim())
    .filter((entry) => entry !== "");
  if (entries.length === 0) {
    throw new HookError("HOOK_FAILED", `annotation ${PORTS_ANNOTATION} lists no ports`);
  }
  const seen = new Set<number>();
  return entries.map((entry) => {
    const [portText = "", targetText = portText, extra] = entry.split(":").map((p) => p.trim());
    if (extra !== undefined) {
      throw new HookError(
        "HOOK_FAILED",
        `annotation ${PORTS_ANNOTATION}="${annotation}": "${entry}" is not port[:targetPort]`,
      );
    }
    const port = parsePort(portText, annotation);
    if (seen.has(port)) {
      throw new HookError(
        "HOOK_FAILED",
        `annotation ${PORTS_ANNOTATION}="${annotation}": port ${port} is listed twice`,
      );
    }
    seen.add(port);
    // Named: the API server requires a name on every port of a multi-port Service.
    return { name: `port-${port}`, port, targetPort: parsePort(targetText, annotation) };
  });
}

/** The Service for one pod: selects `<labelKey>: <statefulset>-<ordinal>`. */
export function serviceFor(
  statefulSet: string,
  ordinal: number,
  labelKey: string,
  ports: readonly IServicePort[],
): Desired<IService> {
  const podName = `${statefulSet}-${ordinal}`;
  return {
    apiVersion: "v1",
    kind: "Service",
    metadata: { name: podName, labels: { ...SERVICE_LABELS } },
    spec: { selector: { [labelKey]: podName }, ports: ports.map((p) => ({ ...p })) },
  };
}

function sync({ object }: SyncRequest): SyncResponse {
  const { name, annotations = {} } = object.metadata;
  const labelKey = annotations[LABEL_ANNOTATION];
  const portsText = annotations[PORTS_ANNOTATION];
  if (labelKey === undefined || portsText === undefined) {
    // The annotationSelector only lets annotated StatefulSets through; anything else
    // means the DecoratorController and this hook disagree.
    throw new HookError(
      "HOOK_FAILED",
      `StatefulSet ${name} lacks ${LABEL_ANNOTATION} or ${PORTS_ANNOTATION}; check the DecoratorController's annotationSelector`,
    );
  }
  const ports = parsePorts(portsText);
  // apps/v1 defaults replicas to 1; Metacontroller sends the object as stored, so
  // this only matters for hand-made requests.
  const replicas = Math.max(0, object.spec?.replicas ?? 1);
  const services: Desired<IService>[] = [];
  for (let ordinal = 0; ordinal < replicas; ordinal++) {
    services.push(serviceFor(name, ordinal, labelKey, ports));
  }
  return { attachments: services };
}

/**
 * Called when the StatefulSet is deleted or stops matching the annotationSelector:
 * remove every Service, and report `finalized` only once no Service is observed any
 * more (their deletion events bring the next call).
 */
function finalize({ attachments }: FinalizeRequest): FinalizeResponse {
  return { attachments: [], finalized: listObjects(attachments["Service.v1"]).length === 0 };
}

/**
 * The service-per-pod DecoratorController: StatefulSets (with both annotations) →
 * one Service per pod (see `manifests/controller.yaml`).
 */
const servicePerPod = defineDecoratorController<Parent, Attachments, Related, Keying>({
  sync,
  finalize,
});

export default servicePerPod;
