/**
 * Blog: the Blog controller of the Metatron user guide (a Ruby `Metatron::SyncController`)
 * as a typed CompositeController.
 *
 * Each `Blog` (therubyist.org/v1) gets a MySQL database and the blog application in front of it:
 *
 * - the DB Secret `<blog>db` (`MYSQL_ROOT_PASSWORD`, `MYSQL_DATABASE`, `MYSQL_USER`,
 *   `MYSQL_PASSWORD`), whose passwords are generated once and then read back from the observed
 *   Secret on every later sync, so the answer settles and the database keeps its credentials;
 * - the StatefulSet `<blog>-db` (mysql:8.0, env from that Secret, a volume claim of
 *   `spec.storage.db`) and its Service on 3306;
 * - the app Secret `<blog>app` with `DATABASE_URL`;
 * - the Deployment `<blog>` (`spec.replicas` of `spec.image`, port `web` 3000), its Service, and
 *   an Ingress for `<blog>.blogs.therubyist.org` with TLS, through `ingressClassName`.
 *
 * Randomness comes through {@link BlogOptions.randomBytes}, so tests can make it deterministic.
 * Served by `metahook serve src/blog.ts` at `/blog/sync`.
 *
 * @module
 */
import { randomBytes as cryptoRandomBytes } from "node:crypto";
import {
  type CompositeControllerDefinition,
  type Desired,
  defineCompositeController,
  getObject,
} from "@metahook/runtime";
import type { IDeployment } from "kubernetes-models/apps/v1/Deployment";
import type { IStatefulSet } from "kubernetes-models/apps/v1/StatefulSet";
import type { IIngress } from "kubernetes-models/networking.k8s.io/v1/Ingress";
import type { ISecret } from "kubernetes-models/v1/Secret";
import type { IService } from "kubernetes-models/v1/Service";
import type {
  Children,
  Keying,
  Parent,
  Related,
  SyncRequest,
  SyncResponse,
} from "./blog.generated.js";

/** A Blog as Metacontroller sends it: `metadata.name` and `namespace` are set. */
export type ObservedBlog = SyncRequest["parent"];

/** The database image, as in the guide. */
export const DB_IMAGE = "mysql:8.0";
/** The port the blog application listens on, named `web`. */
export const APP_PORT = 3000;
/** The MySQL port. */
export const DB_PORT = 3306;
/** The IngressClass the Ingress asks for (the field, not the deprecated annotation). */
export const INGRESS_CLASS = "nginx";
/** The domain each blog gets a host under: `<blog>.blogs.therubyist.org`. */
export const BLOG_DOMAIN = "blogs.therubyist.org";
/** The DB volume size when the Blog does not say (the CRD's default). */
export const DEFAULT_DB_STORAGE = "1Gi";

/** Random bytes of the given length: `node:crypto`'s by default, a fixed sequence in tests. */
export type RandomBytes = (size: number) => Uint8Array;

/** Options of {@link createBlogController}. */
export interface BlogOptions {
  /** Where new passwords come from (default: `crypto.randomBytes`). */
  readonly randomBytes?: RandomBytes;
}

/** The DB Secret's keys whose values are generated once and then kept. */
export const PASSWORD_KEYS = {
  MYSQL_ROOT_PASSWORD: 12,
  MYSQL_PASSWORD: 8,
} as const;

/** The names of a Blog's children. */
export function namesOf(blog: ObservedBlog) {
  const name = blog.metadata.name;
  return {
    app: name,
    db: `${name}-db`,
    dbSecret: `${name}db`,
    appSecret: `${name}app`,
    tls: `${name}-tls`,
    host: `${name}.${BLOG_DOMAIN}`,
  };
}

function labels(blog: ObservedBlog, component: "app" | "db"): { [key: string]: string } {
  return { "app.kubernetes.io/name": blog.metadata.name, "app.kubernetes.io/component": component };
}

/** A value of a Secret's `data` (base64) as text, or `undefined` when absent or empty. */
export function secretValue(secret: ISecret | undefined, key: string): string | undefined {
  const encoded = secret?.data?.[key];
  if (encoded === undefined) return undefined;
  const value = Buffer.from(encoded, "base64").toString("utf8");
  return value === "" ? undefined : value;
}

/** The database credentials: passwords from the observed Secret where it has them, else new. */
export function credentials(
  blog: ObservedBlog,
  observed: ISecret | undefined,
  randomBytes: RandomBytes,
): { [key: string]: string } {
  const password = (key: keyof typeof PASSWORD_KEYS) =>
    secretValue(observed, key) ??
    Buffer.from(randomBytes(PASSWORD_KEYS[key])).toString("base64url");
  return {
    MYSQL_ROOT_PASSWORD: password("MYSQL_ROOT_PASSWORD"),
    MYSQL_DATABASE: blog.metadata.name,
    MYSQL_USER: blog.metadata.name,
    MYSQL_PASSWORD: password("MYSQL_PASSWORD"),
  };
}

function secret(name: string, values: { [key: string]: string }): Desired<ISecret> {
  const data = Object.fromEntries(
    Object.entries(values).map(([key, value]) => [key, Buffer.from(value).toString("base64")]),
  );
  return { apiVersion: "v1", kind: "Secret", metadata: { name }, type: "Opaque", data };
}

function service(
  name: string,
  selector: { [key: string]: string },
  port: { name: string; port: number },
): Desired<IService> {
  return {
    apiVersion: "v1",
    kind: "Service",
    metadata: { name },
    spec: { selector, ports: [{ ...port, targetPort: port.name, protocol: "TCP" }] },
  };
}

function statefulSet(blog: ObservedBlog): Desired<IStatefulSet> {
  const names = namesOf(blog);
  const selector = labels(blog, "db");
  return {
    apiVersion: "apps/v1",
    kind: "StatefulSet",
    metadata: { name: names.db },
    spec: {
      serviceName: names.db,
      replicas: 1,
      selector: { matchLabels: selector },
      template: {
        metadata: { labels: selector },
        spec: {
          containers: [
            {
              name: "mysql",
              image: DB_IMAGE,
              envFrom: [{ secretRef: { name: names.dbSecret } }],
              ports: [{ name: "mysql", containerPort: DB_PORT }],
              volumeMounts: [{ name: "data", mountPath: "/var/lib/mysql" }],
            },
          ],
        },
      },
      volumeClaimTemplates: [
        {
          metadata: { name: "data" },
          spec: {
            accessModes: ["ReadWriteOnce"],
            resources: { requests: { storage: blog.spec.storage?.db ?? DEFAULT_DB_STORAGE } },
          },
        },
      ],
    },
  };
}

function deployment(blog: ObservedBlog): Desired<IDeployment> {
  const names = namesOf(blog);
  const selector = labels(blog, "app");
  return {
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: { name: names.app },
    spec: {
      replicas: blog.spec.replicas ?? 1,
      selector: { matchLabels: selector },
      template: {
        metadata: { labels: selector },
        spec: {
          containers: [
            {
              name: "app",
              image: blog.spec.image,
              envFrom: [{ secretRef: { name: names.appSecret } }],
              ports: [{ name: "web", containerPort: APP_PORT }],
            },
          ],
        },
      },
    },
  };
}

function ingress(blog: ObservedBlog): Desired<IIngress> {
  const names = namesOf(blog);
  return {
    apiVersion: "networking.k8s.io/v1",
    kind: "Ingress",
    metadata: { name: names.app },
    spec: {
      ingressClassName: INGRESS_CLASS,
      tls: [{ hosts: [names.host], secretName: names.tls }],
      rules: [
        {
          host: names.host,
          http: {
            paths: [
              {
                path: "/",
                pathType: "Prefix",
                backend: { service: { name: names.app, port: { name: "web" } } },
              },
            ],
          },
        },
      ],
    },
  };
}

/**
 * The Blog CompositeController, with passwords from `options.randomBytes`.
 *
 * @example
 * ```ts
 * // A controller whose "random" passwords are fixed, for a test:
 * const blog = createBlogController({ randomBytes: (size) => new Uint8Array(size).fill(7) });
 * ```
 */
export function createBlogController(
  options: BlogOptions = {},
): CompositeControllerDefinition<Parent, Children, Related, Keying> {
  const randomBytes = options.randomBytes ?? ((size: number) => cryptoRandomBytes(size));

  function sync({ parent: blog, children }: SyncRequest): SyncResponse {
    const names = namesOf(blog);
    const observedSecret = getObject(
      children["Secret.v1"],
      names.dbSecret,
      blog.metadata.namespace,
    );
    const db = credentials(blog, observedSecret, randomBytes);
    const url = `mysql2://${db.MYSQL_USER}:${db.MYSQL_PASSWORD}@${names.db}:${DB_PORT}/${db.MYSQL_DATABASE}`;
    return {
      status: {},
      children: [
        secret(names.dbSecret, db),
        statefulSet(blog),
        service(names.db, labels(blog, "db"), { name: "mysql", port: DB_PORT }),
        secret(names.appSecret, { DATABASE_URL: url }),
        deployment(blog),
        service(names.app, labels(blog, "app"), { name: "web", port: 80 }),
        ingress(blog),
      ],
    };
  }

  return defineCompositeController<Parent, Children, Related, Keying>({ sync });
}

/** The Blog controller served by `metahook serve`, with passwords from `node:crypto`. */
const blog = createBlogController();

export default blog;
