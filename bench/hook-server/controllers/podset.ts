// A controller with many children, for the cost of large requests and responses: a PodSet
// parent (`bench.example.com/v1`) with `spec.replicas` Pods. Observed Pods carry the status and
// managed fields a real Pod has (about 1 KB each); the hook returns every Pod again (about
// 1 KB each), so a 1,000-Pod call moves about 1 MB each way.
import { defineCompositeController } from "@metahook/runtime";
import type { BlogRequest, Child } from "./blog.js";

/** The PodSet custom resource. */
export interface PodSet {
  apiVersion: "bench.example.com/v1";
  kind: "PodSet";
  metadata?: { name?: string; namespace?: string; uid?: string };
  spec: { replicas: number; image: string; selector: { matchLabels: { [key: string]: string } } };
}

/** The request on the wire (plain JSON). */
export interface PodSetRequest {
  parent: PodSet;
  children: BlogRequest["children"];
}

/** The PodSet sync hook as a plain function. */
export function syncPodSet(request: PodSetRequest): {
  status: { [key: string]: unknown };
  children: Child[];
} {
  const set = request.parent;
  const name = set.metadata?.name ?? "podset";
  const labels = set.spec.selector.matchLabels;
  const observed = request.children["Pod.v1"] ?? {};
  const children: Child[] = [];
  let running = 0;
  for (let i = 0; i < set.spec.replicas; i++) {
    const pod = `${name}-${i}`;
    const seen = observed[pod] as { status?: { phase?: string } } | undefined;
    if (seen?.status?.phase === "Running") running++;
    children.push({
      apiVersion: "v1",
      kind: "Pod",
      metadata: {
        name: pod,
        labels: { ...labels, "bench.example.com/index": String(i) },
      },
      spec: {
        hostname: pod,
        subdomain: name,
        containers: [
          {
            name: "main",
            image: set.spec.image,
            args: [
              "--index",
              String(i),
              "--peers",
              `${name}.${set.metadata?.namespace ?? "default"}.svc`,
            ],
            ports: [{ name: "http", containerPort: 8080 }],
            env: [
              { name: "POD_INDEX", value: String(i) },
              { name: "POD_NAME", valueFrom: { fieldRef: { fieldPath: "metadata.name" } } },
              { name: "POD_IP", valueFrom: { fieldRef: { fieldPath: "status.podIP" } } },
            ],
            resources: {
              requests: { cpu: "100m", memory: "128Mi" },
              limits: { cpu: "500m", memory: "256Mi" },
            },
            readinessProbe: { httpGet: { path: "/ready", port: "http" }, periodSeconds: 5 },
            volumeMounts: [{ name: "config", mountPath: "/etc/app", readOnly: true }],
          },
        ],
        volumes: [{ name: "config", configMap: { name: `${name}-config` } }],
        terminationGracePeriodSeconds: 30,
      },
    });
  }
  return { status: { replicas: set.spec.replicas, running }, children };
}

export default defineCompositeController<PodSet>({
  sync: (request) => syncPodSet(request as unknown as PodSetRequest),
});
