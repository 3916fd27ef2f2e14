/**
 * IndexedJob: Metacontroller's `examples/indexedjob` (a Python sync hook) as a typed
 * CompositeController that answers as it does.
 *
 * An IndexedJob runs one Pod per index `0 .. completions-1`, named `<job>-<index>`, with
 * `JOB_INDEX=<index>` in every container's environment, at most `parallelism` active at a
 * time. The status counts active, succeeded and failed Pods and says `Complete` once every
 * index succeeded; from then on (or once a `Failed` condition is set) the hook stops managing
 * Pods and keeps whatever exists, since Pod garbage collection may remove finished ones.
 *
 * Served by `metahook serve src/indexedjob.ts` at `/indexedjob/sync`.
 *
 * @module
 */
import { type Desired, defineCompositeController, HookError, listObjects } from "@metahook/runtime";
import type { IPod } from "kubernetes-models/v1/Pod";
import type { IPodTemplateSpec } from "kubernetes-models/v1/PodTemplateSpec";
import type {
  Children,
  Keying,
  Parent,
  Related,
  SyncRequest,
  SyncResponse,
} from "./indexedjob.generated.js";

/** An IndexedJob as Metacontroller sends it: `metadata.name` and `namespace` are set. */
export type ObservedIndexedJob = SyncRequest["parent"];

/** The environment variable that tells each Pod its index. */
export const INDEX_ENV = "JOB_INDEX";

/**
 * The index encoded in a Pod's name if it is exactly `<job>-<n>` (canonical decimal), else
 * `undefined`. Upstream also reads `<job>-01` as index 1, so two Pods could claim one index.
 */
export function indexOf(jobName: string, podName: string): number | undefined {
  if (!podName.startsWith(`${jobName}-`)) return undefined;
  const digits = podName.slice(jobName.length + 1);
  return /^(0|[1-9][0-9]*)$/.test(digits) ? Number(digits) : undefined;
}

/** Whether the job already has a `Complete` or `Failed` condition that is `"True"`. */
export function isFinished(job: Parent): boolean {
  return (job.status?.conditions ?? []).some(
    (c) => (c.type === "Complete" || c.type === "Failed") && c.status === "True",
  );
}

/**
 * The Pod for one index: the job's template, named `<job>-<index>`, with `JOB_INDEX` appended
 * to every container's env. The template is schemaless in the CRD (the API server checks it
 * when the Pod is created), so a template without containers fails here and says so.
 */
export function podFor(job: ObservedIndexedJob, index: number): Desired<IPod> {
  const template = structuredClone(job.spec.template) as IPodTemplateSpec;
  const containers = template.spec?.containers;
  if (!Array.isArray(containers)) {
    throw new HookError(
      "INVALID_REQUEST",
      `IndexedJob ${job.metadata.name}: spec.template.spec.containers is missing; give the Pod template its containers`,
    );
  }
  const value = String(index);
  return {
    ...template,
    apiVersion: "v1",
    kind: "Pod",
    metadata: { ...template.metadata, name: `${job.metadata.name}-${index}` },
    spec: {
      ...template.spec,
      containers: containers.map((c) => ({
        ...c,
        env: [...(c.env ?? []), { name: INDEX_ENV, value }],
      })),
    },
  };
}

/**
 * The sync hook: count the observed Pods by phase, keep them, and create the missing indices
 * in order while fewer than `parallelism` are active.
 */
export function sync({ parent: job, children }: SyncRequest): SyncResponse {
  const name = job.metadata.name;
  // Observed Pods in the request's key order (Metacontroller's JSON has them sorted), as
  // upstream's dict keeps them; new Pods follow, by index.
  const desired = new Map<number, Desired<IPod>>();
  let [active, succeeded, failed] = [0, 0, 0];
  for (const pod of listObjects(children["Pod.v1"])) {
    const index = indexOf(name, pod.metadata.name);
    if (index === undefined) continue;
    const phase = pod.status?.phase;
    if (phase === "Succeeded") succeeded++;
    else if (phase === "Failed") failed++;
    else active++;
    desired.set(index, pod);
  }

  // Finished (completed or failed) at some point: stop managing Pods, keep the status.
  if (isFinished(job)) return { status: job.status ?? null, children: [...desired.values()] };

  const completions = job.spec.completions ?? 1;
  const parallelism = job.spec.parallelism ?? 1;
  const status = {
    active,
    succeeded,
    failed,
    conditions: [{ type: "Complete", status: succeeded === completions ? "True" : "False" }],
  };
  for (let index = 0; index < completions; index++) {
    if (!desired.has(index) && active < parallelism) {
      desired.set(index, podFor(job, index));
      active++;
    }
  }
  return { status, children: [...desired.values()] };
}

/** The IndexedJob CompositeController (see `manifests/controller.yaml`). */
const indexedJob = defineCompositeController<Parent, Children, Related, Keying>({ sync });

export default indexedJob;
