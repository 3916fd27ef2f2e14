// The Metatron blog sync, written for metahook: a Blog parent (image, replicas, storage) and
// the seven children that run it (database Secret, StatefulSet and Service; app Secret,
// Deployment and Service; Ingress). Served by `metahook serve` as /blog/sync and called
// directly by the bare node:http floor, so both servers do exactly the same hook work.
import { defineCompositeController } from "@metahook/runtime";

/** The Blog custom resource (`blog.example.com/v1`). */
export interface Blog {
  apiVersion: "blog.example.com/v1";
  kind: "Blog";
  metadata?: { name?: string; namespace?: string; uid?: string; generation?: number };
  spec: { image: string; replicas: number; storage: string; host?: string };
  status?: { [key: string]: unknown };
}

type Json = { [key: string]: unknown };

/** A desired child: what Metacontroller needs to identify it, and the rest free-form. */
export interface Child {
  apiVersion: string;
  kind: string;
  metadata: { name: string; labels?: { [key: string]: string } };
  [field: string]: unknown;
}

/**
 * The request as it arrives on the wire (plain JSON), so the floor can call the same function
 * on `JSON.parse`'s output.
 */
export interface BlogRequest {
  parent: Blog;
  children: { [groupKey: string]: { [key: string]: Json } };
}

// A stable password per Blog without I/O or randomness: the hook must be pure (Metacontroller
// calls it hypothetically and concurrently), so it is derived from the parent's uid.
function password(uid: string): string {
  let h = 2166136261;
  for (let i = 0; i < uid.length; i++) h = Math.imul(h ^ uid.charCodeAt(i), 16777619);
  return `pw-${(h >>> 0).toString(36)}-${uid.slice(0, 8)}`;
}

/** The blog sync hook as a plain function: request in, response out. */
export function syncBlog(request: BlogRequest): { status: Json; children: Child[] } {
  const blog = request.parent;
  const name = blog.metadata?.name ?? "blog";
  const uid = blog.metadata?.uid ?? name;
  const labels = { app: name, "app.kubernetes.io/managed-by": "metahook" };
  const dbLabels = { ...labels, component: "db" };
  const appLabels = { ...labels, component: "app" };
  const db = `${name}-db`;
  const dbPassword = password(uid);
  const observedApp = request.children["Deployment.apps/v1"]?.[name] as
    | { status?: { readyReplicas?: number } }
    | undefined;
  const observedDb = request.children["StatefulSet.apps/v1"]?.[db] as
    | { status?: { readyReplicas?: number } }
    | undefined;
  const children: Child[] = [
    {
      apiVersion: "v1",
      kind: "Secret",
      metadata: { name: db, labels: dbLabels },
      type: "Opaque",
      stringData: { POSTGRES_USER: "blog", POSTGRES_PASSWORD: dbPassword, POSTGRES_DB: "blog" },
    },
    {
      apiVersion: "apps/v1",
      kind: "StatefulSet",
      metadata: { name: db, labels: dbLabels },
      spec: {
        serviceName: db,
        replicas: 1,
        selector: { matchLabels: dbLabels },
        template: {
          metadata: { labels: dbLabels },
          spec: {
            containers: [
              {
                name: "postgres",
                image: "postgres:16",
                ports: [{ name: "postgres", containerPort: 5432 }],
                envFrom: [{ secretRef: { name: db } }],
                volumeMounts: [{ name: "data", mountPath: "/var/lib/postgresql/data" }],
              },
            ],
          },
        },
        volumeClaimTemplates: [
          {
            metadata: { name: "data" },
            spec: {
              accessModes: ["ReadWriteOnce"],
              resources: { requests: { storage: blog.spec.storage } },
            },
          },
        ],
      },
    },
    {
      apiVersion: "v1",
      kind: "Service",
      metadata: { name: db, labels: dbLabels },
      spec: {
        clusterIP: "None",
        selector: dbLabels,
        ports: [{ name: "postgres", port: 5432, targetPort: "postgres" }],
      },
    },
    {
      apiVersion: "v1",
      kind: "Secret",
      metadata: { name, labels: appLabels },
      type: "Opaque",
      stringData: { DATABASE_URL: `postgres://blog:${dbPassword}@${db}:5432/blog` },
    },
    {
      apiVersion: "apps/v1",
      kind: "Deployment",
      metadata: { name, labels: appLabels },
      spec: {
        replicas: blog.spec.replicas,
        selector: { matchLabels: appLabels },
        template: {
          metadata: { labels: appLabels },
          spec: {
            containers: [
              {
                name: "blog",
                image: blog.spec.image,
                ports: [{ name: "http", containerPort: 8080 }],
                envFrom: [{ secretRef: { name } }],
                readinessProbe: { httpGet: { path: "/healthz", port: "http" } },
              },
            ],
          },
        },
      },
    },
    {
      apiVersion: "v1",
      kind: "Service",
      metadata: { name, labels: appLabels },
      spec: { selector: appLabels, ports: [{ name: "http", port: 80, targetPort: "http" }] },
    },
    {
      apiVersion: "networking.k8s.io/v1",
      kind: "Ingress",
      metadata: { name, labels: appLabels },
      spec: {
        rules: [
          {
            host: blog.spec.host ?? `${name}.example.com`,
            http: {
              paths: [
                {
                  path: "/",
                  pathType: "Prefix",
                  backend: { service: { name, port: { name: "http" } } },
                },
              ],
            },
          },
        ],
      },
    },
  ];
  const ready = observedApp?.status?.readyReplicas ?? 0;
  return {
    status: {
      phase:
        ready >= blog.spec.replicas && (observedDb?.status?.readyReplicas ?? 0) >= 1
          ? "Ready"
          : "Progressing",
      readyReplicas: ready,
      url: `https://${blog.spec.host ?? `${name}.example.com`}/`,
    },
    children,
  };
}

export default defineCompositeController<Blog>({
  // The typed request is the same JSON; the floor calls syncBlog on JSON.parse's output.
  sync: (request) => syncBlog(request as unknown as BlogRequest),
});
