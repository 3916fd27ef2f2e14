// `metahook scaffold controller`: the controller manifest, the hook server's Deployment, Service,
// PodDisruptionBudget and kustomization, and a Dockerfile. Pure: files in, files out.
import { type Crd, CrdTypesError, type InputFile, readCrds } from "@metahook/crd-types";
import type {
  AttachmentRule,
  ChildResourceRule,
  CompositeController,
  DecoratorController,
  Hook,
} from "@metahook/runtime";
import { resolveResource } from "@metahook/runtime/resources";
import type { IDeployment } from "kubernetes-models/apps/v1/Deployment";
import type { IPodDisruptionBudget } from "kubernetes-models/policy/v1/PodDisruptionBudget";
import type { IService } from "kubernetes-models/v1/Service";
import { stringify } from "yaml";
import {
  type AuthScaffold,
  authScaffold,
  SCAFFOLD_AUTH_MODES,
  type ScaffoldAuth,
  securedDeployment,
  securedService,
} from "./auth.js";
import { ScaffoldError } from "./errors.js";
import { checkLabelName } from "./names.js";
import { validateScaffold } from "./validate.js";

/** Hook API version of the generated hooks (`v2` needs Metacontroller ≥ 4.15). */

/**
 * `NODE_OPTIONS` of the scaffolded hook server: a 64 MiB young generation (V8's default is 16),
 * so that a large hook request (a parent with thousands of children: megabytes of JSON, tens of
 * megabytes of objects) is collected by the scavenger instead of being promoted and
 * mark-compacted. Measured in `bench/hook-server`: the cost of a call then grows linearly with
 * the number of children (5,000 vs 1,000 children about 5.5x instead of about 8x), at about the
 * same peak memory; small calls are unaffected.
 */
export const HOOK_SERVER_NODE_OPTIONS = "--max-semi-space-size=64";

export type ScaffoldHookVersion = "v1" | "v2";

/** Package managers the Dockerfile can be written for. */
export type ScaffoldPackageManager = "npm" | "pnpm" | "yarn" | "bun";

/**
 * The package manager that runs this process, from `npm_config_user_agent`
 * (`pnpm/10.34.8 npm/? node/v20…`); npm when unknown.
 */
export function packageManagerFromUserAgent(userAgent: string | undefined): ScaffoldPackageManager {
  const name = userAgent?.split(" ")[0]?.split("/")[0];
  return name === "pnpm" || name === "yarn" || name === "bun" ? name : "npm";
}

/** A child (or attachment) rule resolved to its kind. */
export interface ScaffoldChild {
  /** Plural resource name, e.g. `deployments`. */
  readonly resource: string;
  /** e.g. `apps/v1`, `v1`, `example.com/v1`. */
  readonly apiVersion: string;
  readonly kind: string;
  readonly namespaced: boolean;
  /** Resolved from a CRD rather than the built-in table. */
  readonly custom: boolean;
  /** The update strategy the scaffold picks for it. */
  readonly updateStrategy: "OnDelete" | "Recreate" | "InPlace";
}

/** The parent (composite) or decorated (decorator) resource. */
export interface ScaffoldParent {
  readonly apiVersion: string;
  readonly resource: string;
  readonly kind: string;
  readonly namespaced: boolean;
  readonly crd: Crd;
}

/** A file to write, relative to the project directory. */
export interface ScaffoldFile {
  readonly path: string;
  readonly content: string;
}

/** Options of {@link scaffoldController}. */
export interface ScaffoldControllerOptions {
  /** CRD files: the first CRD found is the parent; the others resolve custom children. */
  readonly crds: readonly InputFile[];
  /** `deployments.apps/v1,services.v1,…` (or the list already split). Empty: no children. */
  readonly children: string | readonly string[];
  /** A DecoratorController instead of a CompositeController. */
  readonly decorator?: boolean;
  readonly finalize?: boolean;
  readonly customize?: boolean;
  readonly hookVersion?: ScaffoldHookVersion;
  /** Namespace of the hook server (default `default`). */
  readonly namespace?: string;
  /** Controller name (default `<singular>-controller`): also the Service, Deployment and route name. */
  readonly name?: string;
  /** Hook image (default `<name>:dev`, what the kind walkthrough builds and loads). */
  readonly image?: string;
  /** Which package manager the Dockerfile installs with (default npm). */
  readonly packageManager?: ScaffoldPackageManager;
  /**
   * The CRD files as the kustomization should list them, relative to `deploy/` (default: each
   * CRD input is copied to `deploy/<basename>`).
   */
  readonly crdResources?: readonly string[];
  /**
   * Serve the hooks over HTTPS (a cert-manager certificate) and require Metacontroller's
   * credentials: a bearer token, basic auth, or a client certificate (`mtls`).
   */
  readonly auth?: ScaffoldAuth;
}

/** What {@link scaffoldController} produced. */
export interface ScaffoldedController {
  readonly name: string;
  readonly namespace: string;
  readonly kind: "CompositeController" | "DecoratorController";
  readonly parent: ScaffoldParent;
  readonly children: readonly ScaffoldChild[];
  readonly hookVersion: ScaffoldHookVersion;
  /** The controller manifest, typed by Metacontroller's own CRDs (the runtime's generated types). */
  readonly controller: CompositeController | DecoratorController;
  /** `deploy/…` manifests, `Dockerfile` and `.dockerignore`. */
  readonly files: readonly ScaffoldFile[];
}

const HTTP_PORT = 8080;

function usage(message: string): ScaffoldError {
  return new ScaffoldError("INVALID_OPTION", message);
}

function strategyFor(kind: string, group: string): ScaffoldChild["updateStrategy"] {
  // Pod specs and Job templates are mostly immutable: replace them. PVCs hold data: never touch.
  if (group === "" && kind === "Pod") return "Recreate";
  if (group === "batch" && kind === "Job") return "Recreate";
  if (group === "" && kind === "PersistentVolumeClaim") return "OnDelete";
  return "InPlace";
}

function readAllCrds(inputs: readonly InputFile[]): Crd[] {
  try {
    return readCrds(inputs).crds;
  } catch (cause) {
    if (cause instanceof CrdTypesError) {
      throw new ScaffoldError(
        cause.code === "INPUT_NOT_FOUND" ? "INPUT_NOT_FOUND" : "INVALID_INPUT",
        cause.message,
        { cause },
      );
    }
    throw cause;
  }
}

function servedVersion(crd: Crd): string {
  const version = crd.versions.find((v) => v.storage) ?? crd.versions.find((v) => v.served);
  if (!version)
    throw new ScaffoldError("INVALID_INPUT", `${crd.file}: ${crd.name} serves no version`);
  return version.name;
}

/**
 * Splits and resolves `--children`: each entry is `<plural>.<apiVersion>` (`deployments.apps/v1`,
 * `services.v1`, `blogs.example.com/v1`), resolved through the runtime's one resolver
 * (`resolveResource`: the given CRDs, then the built-in table).
 *
 * @throws {@link ScaffoldError} `INVALID_OPTION` naming the entry that does not resolve.
 */
export function parseChildren(
  children: string | readonly string[],
  crds: readonly Crd[],
): ScaffoldChild[] {
  const entries = (typeof children === "string" ? children.split(",") : children)
    .map((e) => e.trim())
    .filter((e) => e !== "");
  const out: ScaffoldChild[] = [];
  const seen = new Set<string>();
  for (const entry of entries) {
    const dot = entry.indexOf(".");
    const resource = dot === -1 ? "" : entry.slice(0, dot);
    const apiVersion = dot === -1 ? "" : entry.slice(dot + 1);
    if (resource === "" || apiVersion === "" || !/^([a-z0-9.-]+\/)?v[0-9a-z]+$/.test(apiVersion)) {
      throw usage(
        `--children ${entry}: expected <plural>.<apiVersion>, e.g. deployments.apps/v1, services.v1 or blogs.example.com/v1`,
      );
    }
    const key = `${resource}.${apiVersion}`;
    if (seen.has(key)) throw usage(`--children ${entry}: listed twice`);
    seen.add(key);
    const found = resolveResource({ apiVersion, resource }, { crds });
    if (found.ok) {
      const { kind, namespaced, group, source } = found.resolved;
      out.push({
        resource,
        apiVersion,
        kind,
        // CRDs and the built-in table, the only sources given here, always know the scope.
        namespaced: namespaced !== false,
        custom: source === "crd",
        updateStrategy: source === "crd" ? "InPlace" : strategyFor(kind, group),
      });
      continue;
    }
    if (found.reason === "unserved-version") {
      throw usage(
        `--children ${entry}: ${found.crd.name} does not serve ${apiVersion.slice(apiVersion.indexOf("/") + 1)} (it serves ${found.served.join(", ")})`,
      );
    }
    throw usage(
      `--children ${entry}: ${resource} is not a built-in resource of ${apiVersion}${found.group === "" ? "" : ` and no --crd defines ${resource}.${found.group}`}`,
    );
  }
  return out;
}

function hookUrl(name: string, namespace: string, hook: string): string {
  // `metahook serve` routes /<module>/<hook>; the Service listens on port 80.
  return `http://${name}.${namespace}/${name}/${hook}`;
}

function controllerManifest(
  kind: ScaffoldedController["kind"],
  name: string,
  namespace: string,
  parent: ScaffoldParent,
  children: readonly ScaffoldChild[],
  options: ScaffoldControllerOptions,
  hookVersion: ScaffoldHookVersion,
  auth: AuthScaffold | undefined,
): CompositeController | DecoratorController {
  const hook = (which: string): Hook => ({
    version: hookVersion,
    webhook: auth
      ? { ...auth.webhook(name, namespace, which), timeout: "10s" }
      : { url: hookUrl(name, namespace, which), timeout: "10s" },
  });
  const hooks = {
    sync: hook("sync"),
    ...(options.finalize ? { finalize: hook("finalize") } : {}),
    ...(options.customize ? { customize: hook("customize") } : {}),
  };
  const rules = children.map((c): ChildResourceRule & AttachmentRule => ({
    apiVersion: c.apiVersion,
    resource: c.resource,
    updateStrategy: { method: c.updateStrategy },
  }));
  const metadata = {
    name,
    labels: { "app.kubernetes.io/name": name, "app.kubernetes.io/part-of": name },
  };
  if (kind === "CompositeController") {
    return {
      apiVersion: "metacontroller.k8s.io/v1alpha1",
      kind,
      metadata,
      spec: {
        generateSelector: true,
        parentResource: { apiVersion: parent.apiVersion, resource: parent.resource },
        ...(rules.length > 0 ? { childResources: rules } : {}),
        hooks,
      },
    };
  }
  return {
    apiVersion: "metacontroller.k8s.io/v1alpha1",
    kind,
    metadata,
    spec: {
      resources: [{ apiVersion: parent.apiVersion, resource: parent.resource }],
      ...(rules.length > 0 ? { attachments: rules } : {}),
      hooks,
    },
  };
}

function labelsOf(name: string): { [key: string]: string } {
  return { "app.kubernetes.io/name": name, "app.kubernetes.io/component": "hooks" };
}

function deployment(name: string, namespace: string, image: string): IDeployment {
  const labels = labelsOf(name);
  return {
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: { name, namespace, labels: { ...labels, "app.kubernetes.io/part-of": name } },
    spec: {
      replicas: 2,
      revisionHistoryLimit: 5,
      selector: { matchLabels: labels },
      strategy: { type: "RollingUpdate", rollingUpdate: { maxUnavailable: 0, maxSurge: 1 } },
      template: {
        metadata: { labels },
        spec: {
          automountServiceAccountToken: false,
          enableServiceLinks: false,
          // Longer than the preStop pause plus the server's drain.
          terminationGracePeriodSeconds: 30,
          securityContext: {
            runAsNonRoot: true,
            runAsUser: 1000,
            runAsGroup: 1000,
            seccompProfile: { type: "RuntimeDefault" },
          },
          topologySpreadConstraints: [
            {
              maxSkew: 1,
              topologyKey: "kubernetes.io/hostname",
              whenUnsatisfiable: "ScheduleAnyway",
              labelSelector: { matchLabels: labels },
            },
          ],
          containers: [
            {
              name: "hooks",
              image,
              imagePullPolicy: "IfNotPresent",
              env: [
                { name: "PORT", value: String(HTTP_PORT) },
                { name: "LOG_LEVEL", value: "info" },
                { name: "NODE_ENV", value: "production" },
                { name: "NODE_OPTIONS", value: HOOK_SERVER_NODE_OPTIONS },
              ],
              ports: [{ name: "http", containerPort: HTTP_PORT, protocol: "TCP" }],
              readinessProbe: {
                httpGet: { path: "/readyz", port: "http" },
                periodSeconds: 5,
                failureThreshold: 2,
              },
              livenessProbe: {
                httpGet: { path: "/healthz", port: "http" },
                initialDelaySeconds: 5,
                periodSeconds: 10,
                failureThreshold: 3,
              },
              // Keep serving while the endpoint is removed from the Service (kube-proxy lags).
              lifecycle: { preStop: { sleep: { seconds: 5 } } },
              resources: {
                requests: { cpu: "50m", memory: "96Mi" },
                limits: { memory: "256Mi" },
              },
              securityContext: {
                allowPrivilegeEscalation: false,
                readOnlyRootFilesystem: true,
                runAsNonRoot: true,
                capabilities: { drop: ["ALL"] },
              },
              volumeMounts: [{ name: "tmp", mountPath: "/tmp" }],
            },
          ],
          volumes: [{ name: "tmp", emptyDir: { sizeLimit: "64Mi" } }],
        },
      },
    },
  };
}

function service(name: string, namespace: string): IService {
  return {
    apiVersion: "v1",
    kind: "Service",
    metadata: { name, namespace, labels: { ...labelsOf(name), "app.kubernetes.io/part-of": name } },
    spec: {
      type: "ClusterIP",
      selector: labelsOf(name),
      ports: [{ name: "http", port: 80, targetPort: "http", protocol: "TCP" }],
    },
  };
}

function podDisruptionBudget(name: string, namespace: string): IPodDisruptionBudget {
  return {
    apiVersion: "policy/v1",
    kind: "PodDisruptionBudget",
    metadata: { name, namespace, labels: { ...labelsOf(name), "app.kubernetes.io/part-of": name } },
    spec: { minAvailable: 1, selector: { matchLabels: labelsOf(name) } },
  };
}

/** The Dockerfile of the hook image: build stage with dev dependencies, runtime stage without. */
export function dockerfile(packageManager: ScaffoldPackageManager = "npm"): string {
  const install =
    packageManager === "pnpm"
      ? [
          "COPY package.json pnpm-lock.yaml* ./",
          "RUN corepack enable pnpm && pnpm install --frozen-lockfile",
        ]
      : packageManager === "npm"
        ? ["COPY package.json package-lock.json* ./", "RUN npm ci --no-audit --no-fund"]
        : // yarn and bun: install with npm inside the image (no lockfile to honour).
          ["COPY package.json ./", "RUN npm install --no-audit --no-fund"];
  const build =
    packageManager === "pnpm"
      ? "RUN pnpm run build && pnpm prune --prod --ignore-scripts"
      : "RUN npm run build && npm prune --omit=dev";
  return `# syntax=docker/dockerfile:1
# The hook server image: docker build -t <name>:dev .
# Stage 1 compiles TypeScript with the dev dependencies; stage 2 keeps only what serving needs.
FROM node:20-slim AS build
WORKDIR /app
${install.join("\n")}
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
${build}

FROM node:20-slim
ENV NODE_ENV=production PORT=${HTTP_PORT}
WORKDIR /app
COPY --from=build /app/package.json ./
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
# The node user of the official image, numeric so runAsNonRoot can verify it.
USER 1000:1000
EXPOSE ${HTTP_PORT}
CMD ["node", "node_modules/@metahook/cli/dist/bin.js", "serve", "dist"]
`;
}

const DOCKERIGNORE = `node_modules
dist
coverage
.git
*.log
.vitest-report.json
`;

function yamlDocument(value: unknown): string {
  return stringify(value, { lineWidth: 0, aliasDuplicateObjects: false });
}

function basename(path: string): string {
  return path.split(/[\\/]/).pop() ?? path;
}

/**
 * Builds a controller and its deployment from a CRD: the CompositeController (or
 * DecoratorController) with hooks pointing at the hook Service, `generateSelector` and an update
 * strategy per child; the hook server's Deployment (2 replicas, probes on /readyz and /healthz,
 * non-root with a read-only root filesystem and no capabilities, resource requests, a preStop
 * pause), Service, PodDisruptionBudget and kustomization; and a multi-stage non-root Dockerfile.
 * Every manifest is validated before it is returned.
 *
 * @throws {@link ScaffoldError} `INVALID_OPTION` for bad names or children, `INVALID_INPUT` for a bad CRD.
 * @example
 * ```ts
 * const { files } = scaffoldController({
 *   crds: [{ path: "crd.yaml", content: readFileSync("crd.yaml", "utf8") }],
 *   children: "deployments.apps/v1,services.v1",
 * });
 * ```
 */
export function scaffoldController(options: ScaffoldControllerOptions): ScaffoldedController {
  if (options.crds.length === 0) throw usage("--crd: is required (the parent's CRD)");
  const crds = readAllCrds(options.crds);
  const parentCrd = crds[0];
  if (!parentCrd) {
    throw new ScaffoldError(
      "INVALID_INPUT",
      `${options.crds.map((c) => c.path).join(", ")}: no apiextensions.k8s.io/v1 CustomResourceDefinition found`,
    );
  }
  const parent: ScaffoldParent = {
    apiVersion: `${parentCrd.group}/${servedVersion(parentCrd)}`,
    resource: parentCrd.plural,
    kind: parentCrd.kind,
    namespaced: parentCrd.scope === "Namespaced",
    crd: parentCrd,
  };
  const children = parseChildren(options.children, crds);
  const hookVersion = options.hookVersion ?? "v1";
  if (hookVersion !== "v1" && hookVersion !== "v2") {
    throw usage(`--hook-version ${String(hookVersion)}: must be v1 or v2`);
  }
  const name = checkLabelName(
    "--name",
    options.name ?? `${parentCrd.kind.toLowerCase()}-controller`,
  );
  const namespace = checkLabelName("--namespace", options.namespace ?? "default");
  const image = options.image ?? `${name}:dev`;
  const kind = options.decorator ? "DecoratorController" : "CompositeController";
  if (options.auth !== undefined && !SCAFFOLD_AUTH_MODES.includes(options.auth)) {
    throw usage(`--auth ${String(options.auth)}: must be one of ${SCAFFOLD_AUTH_MODES.join(", ")}`);
  }
  const auth = options.auth ? authScaffold(options.auth, name, namespace) : undefined;
  const controller = controllerManifest(
    kind,
    name,
    namespace,
    parent,
    children,
    options,
    hookVersion,
    auth,
  );

  const crdFiles: ScaffoldFile[] = [];
  let crdResources = options.crdResources;
  if (crdResources === undefined) {
    const used = new Set<string>();
    crdResources = options.crds.map((input) => {
      let file = basename(input.path);
      if (!/\.ya?ml$/.test(file)) file = `${file}.yaml`;
      while (
        used.has(file) ||
        ["controller.yaml", "deployment.yaml", "service.yaml", "pdb.yaml", "tls.yaml"].includes(
          file,
        )
      ) {
        file = `crd-${file}`;
      }
      used.add(file);
      const content =
        typeof input.content === "string"
          ? input.content
          : new TextDecoder("utf-8").decode(input.content);
      crdFiles.push({ path: `deploy/${file}`, content });
      return file;
    });
  }
  const kustomization = {
    apiVersion: "kustomize.config.k8s.io/v1beta1",
    kind: "Kustomization",
    resources: [
      ...crdResources,
      "controller.yaml",
      "deployment.yaml",
      "service.yaml",
      "pdb.yaml",
      ...(auth ? ["tls.yaml"] : []),
    ],
    images: [
      { name: image.replace(/:[^:/]*$/, ""), newTag: image.match(/:([^:/]*)$/)?.[1] ?? "dev" },
    ],
    ...auth?.kustomization,
  };
  const hookDeployment = deployment(name, namespace, image);
  const hookService = service(name, namespace);
  if (options.auth) {
    securedDeployment(hookDeployment, options.auth, name);
    securedService(hookService);
  }
  const files: ScaffoldFile[] = [
    ...crdFiles,
    { path: "deploy/controller.yaml", content: yamlDocument(controller) },
    { path: "deploy/deployment.yaml", content: yamlDocument(hookDeployment) },
    { path: "deploy/service.yaml", content: yamlDocument(hookService) },
    { path: "deploy/pdb.yaml", content: yamlDocument(podDisruptionBudget(name, namespace)) },
    ...(auth
      ? [
          { path: "deploy/tls.yaml", content: auth.certificates.map(yamlDocument).join("---\n") },
          { path: "deploy/AUTH.md", content: auth.readme },
        ]
      : []),
    { path: "deploy/kustomization.yaml", content: yamlDocument(kustomization) },
    { path: "Dockerfile", content: dockerfile(options.packageManager) },
    { path: ".dockerignore", content: DOCKERIGNORE },
  ];
  // A scaffold that writes an invalid manifest is a bug: refuse to hand it out.
  const problems = validateScaffold(
    files.filter((f) => !crdFiles.includes(f)),
    crdResources.map((file) => `deploy/${file}`),
  );
  if (problems.length > 0) {
    throw new ScaffoldError(
      "GENERATION_FAILED",
      `scaffolded manifests are invalid (a metahook bug):\n${problems.map((p) => `  ${p}`).join("\n")}`,
    );
  }
  return { name, namespace, kind, parent, children, hookVersion, controller, files };
}
