/**
 * useless-controller: kubecfg's Metacontroller example (`examples/metacontroller`, a Jsonnet
 * sync hook) as a typed hook, served the kubecfg way: this module's default export is a bare
 * hook function, which `metahook serve src/useless-controller.ts` serves at
 * `/useless-controller` (one path named after the file, no `/sync`).
 *
 * Each `UselessPod` (example.com/v1) gets a Deployment `useless-<spec.name>` running a pause
 * container; the hook asks to be called again every 30 seconds and reports
 * `observedGeneration` and `ready` in the parent's status.
 *
 * @module
 */
import { type Desired, getObject } from "@metahook/runtime";
import type { IDeployment } from "kubernetes-models/apps/v1/Deployment";
import type { Parent, SyncRequest, SyncResponse } from "./useless-controller.generated.js";

/** The image of the useless container, as in kubecfg's hook. */
export const USELESS_IMAGE = "k8s.gcr.io/pause:3.9";

/** Seconds after which Metacontroller syncs again, so `ready` follows the Deployment. */
export const RESYNC_AFTER_SECONDS = 30;

/** The Deployment's name for a UselessPod: `useless-<spec.name>`. */
export function deploymentName(parent: Parent): string {
  return `useless-${parent.spec.name}`;
}

/** The one desired child: a single-replica Deployment of the pause image. */
export function uselessDeployment(parent: Parent): Desired<IDeployment> {
  const name = deploymentName(parent);
  return {
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: { name },
    spec: {
      replicas: 1,
      selector: { matchLabels: { app: name } },
      template: {
        metadata: { labels: { app: name } },
        spec: {
          containers: [{ name: "useless", image: USELESS_IMAGE, imagePullPolicy: "Always" }],
        },
      },
    },
  };
}

/**
 * `"true"` when the observed Deployment reports as many ready replicas as it asks for, else
 * `"false"`. kubecfg's hook says `"true"` as soon as the request has any children group, which
 * Metacontroller always sends (empty when nothing exists yet), so it was never `"false"`.
 */
export function readiness(deployment: IDeployment | undefined): "true" | "false" {
  if (deployment === undefined) return "false";
  const wanted = deployment.spec?.replicas ?? 1;
  return (deployment.status?.readyReplicas ?? 0) >= wanted ? "true" : "false";
}

/**
 * The sync hook, and the module's default export: the Deployment, a resync in 30 seconds, and
 * the status (`observedGeneration` from the parent, `ready` from the observed Deployment).
 *
 * @example
 * ```sh
 * PORT=8080 npx -y pnpm@10.34.8 --filter @metahook/example-useless-controller start
 * # serves POST /useless-controller
 * ```
 */
export default function uselessController(request: SyncRequest): SyncResponse {
  const { parent, children } = request;
  const observed = getObject(
    children["Deployment.apps/v1"],
    deploymentName(parent),
    parent.metadata.namespace,
  );
  return {
    status: {
      observedGeneration: parent.metadata.generation ?? 0,
      ready: readiness(observed),
    },
    children: [uselessDeployment(parent)],
    resyncAfterSeconds: RESYNC_AFTER_SECONDS,
  };
}
