// The request bodies the benchmark sends, as Metacontroller would send them.

const rule = (apiVersion: string, resource: string) => ({ apiVersion, resource });

function controller(
  name: string,
  parent: { apiVersion: string; resource: string },
  children: object[],
) {
  return {
    apiVersion: "metacontroller.k8s.io/v1alpha1",
    kind: "CompositeController",
    metadata: { name, uid: `cc-${name}-0001`, resourceVersion: "4711", generation: 1 },
    spec: {
      parentResource: parent,
      childResources: children,
      hooks: { sync: { version: "v1", webhook: { url: `http://hooks.metahook/${name}/sync` } } },
      generateSelector: true,
    },
    status: {},
  };
}

/** The blog sync request: a Blog with no children yet (about 1.1 KB). */
export function blogRequest(): string {
  return JSON.stringify({
    controller: controller("blog", rule("blog.example.com/v1", "blogs"), [
      rule("v1", "secrets"),
      rule("apps/v1", "statefulsets"),
      rule("v1", "services"),
      rule("apps/v1", "deployments"),
      rule("networking.k8s.io/v1", "ingresses"),
    ]),
    parent: {
      apiVersion: "blog.example.com/v1",
      kind: "Blog",
      metadata: {
        name: "tech-blog",
        namespace: "blogs",
        uid: "6f1c2d3e-4a5b-4c6d-8e7f-90a1b2c3d4e5",
        generation: 3,
        resourceVersion: "91234",
        labels: { team: "web" },
      },
      spec: { image: "ghcr.io/example/blog:1.4.2", replicas: 3, storage: "10Gi" },
      status: {},
    },
    children: {
      "Secret.v1": {},
      "StatefulSet.apps/v1": {},
      "Service.v1": {},
      "Deployment.apps/v1": {},
      "Ingress.networking.k8s.io/v1": {},
    },
    related: {},
    finalizing: false,
  });
}

/** A PodSet sync request with `n` observed Pods (about 1 KB each) and `n` desired. */
export function podSetRequest(n: number): string {
  const name = "workers";
  const namespace = "batch";
  const labels = { app: name };
  const pods: { [key: string]: object } = {};
  for (let i = 0; i < n; i++) {
    const pod = `${name}-${i}`;
    pods[pod] = {
      apiVersion: "v1",
      kind: "Pod",
      metadata: {
        name: pod,
        namespace,
        uid: `0000${i}-aaaa-4bbb-8ccc-dddddddddddd`,
        resourceVersion: String(100000 + i),
        labels: { ...labels, "bench.example.com/index": String(i) },
        ownerReferences: [
          {
            apiVersion: "bench.example.com/v1",
            kind: "PodSet",
            name,
            uid: "ps-uid-1",
            controller: true,
            blockOwnerDeletion: true,
          },
        ],
      },
      spec: {
        hostname: pod,
        containers: [
          {
            name: "main",
            image: "ghcr.io/example/worker:2.0",
            args: ["--index", String(i)],
            resources: { requests: { cpu: "100m", memory: "128Mi" } },
          },
        ],
        nodeName: `node-${i % 17}`,
      },
      status: {
        phase: "Running",
        podIP: `10.0.${(i >> 8) & 255}.${i & 255}`,
        startTime: "2026-11-30T10:00:00Z",
        conditions: [
          { type: "Ready", status: "True", lastTransitionTime: "2026-11-30T10:00:05Z" },
          { type: "ContainersReady", status: "True", lastTransitionTime: "2026-11-30T10:00:05Z" },
        ],
        containerStatuses: [
          {
            name: "main",
            ready: true,
            restartCount: 0,
            image: "ghcr.io/example/worker:2.0",
            state: { running: { startedAt: "2026-11-30T10:00:04Z" } },
          },
        ],
      },
    };
  }
  return JSON.stringify({
    controller: controller("podset", rule("bench.example.com/v1", "podsets"), [rule("v1", "pods")]),
    parent: {
      apiVersion: "bench.example.com/v1",
      kind: "PodSet",
      metadata: { name, namespace, uid: "ps-uid-1", generation: 1 },
      spec: { replicas: n, image: "ghcr.io/example/worker:2.0", selector: { matchLabels: labels } },
    },
    children: { "Pod.v1": pods },
    related: {},
    finalizing: false,
  });
}
