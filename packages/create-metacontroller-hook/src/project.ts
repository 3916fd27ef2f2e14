// The project: every file, in memory. Writing and installing happen in create.ts.
import { readCrds } from "@metahook/crd-types";
import {
  GenControllerError,
  generateController,
  type SampleTodo,
  sampleObject,
  validateSample,
} from "@metahook/gen-controller";
import type { KubeObject } from "@metahook/runtime";
import {
  requestFixture,
  ScaffoldError,
  type ScaffoldedController,
  type ScaffoldFile,
  scaffoldController,
  scaffoldCrd,
} from "@metahook/scaffold";
import { Document, isNode } from "yaml";
import type { PackageManager, Template } from "./args.js";
import { CreateError } from "./errors.js";
import type { MetahookDependencies } from "./source.js";
import { PROJECT_DEPENDENCIES, PROJECT_DEV_DEPENDENCIES, PROJECT_OVERRIDES } from "./versions.js";

/** A parent CRD to scaffold: its names. */
export interface NewParent {
  readonly group: string;
  readonly kind: string;
  readonly scope?: "Namespaced" | "Cluster";
  readonly plural?: string;
}

/** The choices that shape the controller, shared by the CLI's answers and the project builder. */
export interface ControllerChoices {
  /** `deployments.apps/v1,services.v1`; empty for none. */
  readonly children: string;
  readonly template: Template;
  readonly hookVersion: "v1" | "v2";
  readonly finalize?: boolean;
  readonly customize?: boolean;
  /** `--auth`: HTTPS and Metacontroller's credentials (see `@metahook/scaffold`). */
  readonly auth?: "bearer" | "basic" | "mtls";
  readonly namespace?: string;
  readonly packageManager: PackageManager;
}

/** Everything that decides what the project contains. */
export interface ProjectOptions extends ControllerChoices {
  /** The npm package name of the project. */
  readonly name: string;
  /** The parent: an existing CRD file's content, or names for a new one. */
  readonly parent:
    | { readonly crd: { readonly path: string; readonly content: string } }
    | NewParent;
  readonly dependencies: MetahookDependencies;
}

/** The project in memory. */
export interface Project {
  readonly files: readonly ScaffoldFile[];
  readonly controller: ScaffoldedController;
  /** Where the request fixture is, relative to the project. */
  readonly fixture: string;
  /** What the generator noticed (printed as notes on stderr). */
  readonly notes: readonly string[];
}

/** `npm run build` / `pnpm build` / … */
export function runCommand(pm: PackageManager, script: string, args = ""): string {
  const extra = args === "" ? "" : pm === "npm" ? ` -- ${args}` : ` ${args}`;
  if (pm === "npm")
    return `npm ${script === "test" || script === "start" ? "" : "run "}${script}${extra}`;
  if (pm === "bun") return `bun run ${script}${extra}`;
  return `${pm} ${script}${extra}`;
}

// What `npm run generate` runs. Its banners are what the CLI names when run in the project (paths
// relative to it, no output directory), so `generate -- --check` passes on a fresh project.
const GEN_CONTROLLER = "metahook gen controller deploy/controller.yaml --crd deploy/crd.yaml";
const FIXTURE = "fixtures/sync-request.json";

function generateScript(example: string): string {
  return `${GEN_CONTROLLER} -o src --request ${FIXTURE} --parent ${example}`;
}

function packageName(name: string): string {
  const cleaned = name
    .toLowerCase()
    .replace(/[^a-z0-9._~-]+/g, "-")
    .replace(/^[._-]+|[-]+$/g, "");
  return cleaned === "" ? "metacontroller-hook" : cleaned.slice(0, 214);
}

function packageJson(options: ProjectOptions, example: string): string {
  const { specs, overrides: tarballs } = options.dependencies;
  const overrides = { ...PROJECT_OVERRIDES, ...tarballs };
  const pkg: { [key: string]: unknown } = {
    name: packageName(options.name),
    version: "0.1.0",
    private: true,
    type: "module",
    engines: { node: ">=20.19" },
    scripts: {
      build: "tsc -p tsconfig.build.json",
      test: "vitest run",
      typecheck: "tsc -p tsconfig.json --noEmit",
      start: "metahook serve dist",
      dev: "metahook dev src",
      gen: "metahook gen",
      generate: generateScript(example),
    },
    dependencies: {
      "@metahook/cli": specs["@metahook/cli"],
      "@metahook/runtime": specs["@metahook/runtime"],
      ...PROJECT_DEPENDENCIES,
    },
    devDependencies: { ...PROJECT_DEV_DEPENDENCIES },
  };
  if (Object.keys(overrides).length > 0) {
    pkg.overrides = overrides;
    pkg.pnpm = { overrides };
    pkg.resolutions = overrides;
  }
  return `${JSON.stringify(pkg, null, 2)}\n`;
}

const TSCONFIG = `{
  "compilerOptions": {
    "target": "ES2023",
    "lib": ["ES2023"],
    "module": "NodeNext",
    "moduleResolution": "NodeNext",
    "types": ["node"],
    "strict": true,
    "noUncheckedIndexedAccess": true,
    "noImplicitOverride": true,
    "verbatimModuleSyntax": true,
    "isolatedModules": true,
    "esModuleInterop": true,
    "resolveJsonModule": true,
    "skipLibCheck": true,
    "forceConsistentCasingInFileNames": true,
    "noEmit": true
  },
  "include": ["src", "vitest.config.ts"]
}
`;

const TSCONFIG_BUILD = `{
  "extends": "./tsconfig.json",
  "compilerOptions": {
    "noEmit": false,
    "rootDir": "src",
    "outDir": "dist",
    "sourceMap": true
  },
  "include": ["src"],
  "exclude": ["src/**/*.test.ts"]
}
`;

const VITEST_CONFIG = `import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["src/**/*.test.ts"],
  },
});
`;

const GITIGNORE = `node_modules/
dist/
coverage/
*.log
.vitest-report.json
*.tgz
`;

/** How the project's own binaries run: `npx`, `pnpm exec`, `yarn`, `bunx`. */
function execCommand(pm: PackageManager): string {
  return { npm: "npx", pnpm: "pnpm exec", yarn: "yarn", bun: "bunx" }[pm];
}

// Commands with their comments lined up.
function steps(lines: readonly [command: string, comment: string][]): string {
  const width = Math.max(...lines.map(([c]) => c.length));
  return lines.map(([c, comment]) => `${c.padEnd(width)}   # ${comment}`).join("\n");
}

function readme(
  options: ProjectOptions,
  controller: ScaffoldedController,
  example: string,
): string {
  const pm = options.packageManager;
  const { name, namespace, parent } = controller;
  const children = controller.children.map((c) => c.kind).join(", ") || "none";
  const kindLabel = controller.kind === "CompositeController" ? "children" : "attachments";
  const tarballs = options.dependencies.overrides !== undefined;
  return `# ${options.name}

A typed [Metacontroller](https://metacontroller.github.io/metacontroller/) hook, made with
\`create-metacontroller-hook\`: a ${controller.kind} \`${name}\` for \`${parent.kind}\`
(\`${parent.apiVersion}\`, ${parent.resource}), ${kindLabel}: ${children}; hook version ${controller.hookVersion}.

| path | what |
| --- | --- |
| \`deploy/crd.yaml\` | the ${parent.kind} CustomResourceDefinition |
| \`deploy/controller.yaml\` | the ${controller.kind}; hooks at \`http://${name}.${namespace}/${name}/<hook>\` |
| \`deploy/deployment.yaml\`, \`service.yaml\`, \`pdb.yaml\`, \`kustomization.yaml\` | the hook server (2 replicas, probes on /readyz and /healthz, non-root, read-only root filesystem) |
| \`src/${name}.ts\` | **your controller** — edit \`sync\` here |
| \`src/${name}.test.ts\` | its test: the request Metacontroller would send, through the server's checks |
| \`src/${name}.generated.ts\`, \`src/types/\` | generated types — do not edit; regenerate (below) |
| \`fixtures/sync-request.json\` | a sync request for this controller, for \`metahook run\` and curl |
| \`${example}\` | a sample ${parent.kind} to apply |
| \`Dockerfile\` | the hook image (multi-stage, non-root) |

## Next steps

\`\`\`sh
${steps([
  [`${pm} install`, "unless it already ran"],
  [runCommand(pm, "test"), "the controller's test"],
  [runCommand(pm, "dev"), "serve src/ on :8080, reload on change"],
  [`${runCommand(pm, "build")} && ${runCommand(pm, "start")}`, "compile to dist/ and serve that"],
])}
\`\`\`

Try a hook call while it serves:

\`\`\`sh
curl -s -H 'content-type: application/json' --data @fixtures/sync-request.json \\
  http://localhost:8080/${name}/sync
${execCommand(pm)} metahook run src/${name}.ts fixtures/sync-request.json    # the same, without a server
\`\`\`

Changed the CRD, the controller manifest or \`${example}\`? Regenerate the types and the request
fixture (your \`src/${name}.ts\` is kept; hooks newly declared in the manifest are added to it):

\`\`\`sh
${steps([
  [runCommand(pm, "generate"), "types, hooks newly declared, fixtures/sync-request.json"],
  [runCommand(pm, "generate", "--check"), "the same, as a CI drift check"],
  [runCommand(pm, "gen", "types deploy/crd.yaml -o src/types"), "the CRD types alone"],
])}
\`\`\`

## Run it on a kind cluster

> Not run in CI: this walkthrough needs Docker, [kind](https://kind.sigs.k8s.io/) and kubectl.
> The preStop pause uses the \`sleep\` lifecycle action (Kubernetes ≥ 1.30; kind's default node is newer).

\`\`\`sh
# 1. a cluster
kind create cluster --name metahook

# 2. Metacontroller (v4.17.2; hook version v2 needs ≥ 4.15)
kubectl apply -k 'https://github.com/metacontroller/metacontroller/manifests/production?ref=v4.17.2'
kubectl -n metacontroller rollout status statefulset/metacontroller

# 3. the hook image, built and loaded into the cluster (no registry needed)
docker build -t ${name}:dev .
kind load docker-image ${name}:dev --name metahook

# 4. CRD, controller and hook server
kubectl apply -k deploy
kubectl -n ${namespace} rollout status deployment/${name}

# 5. a parent
kubectl apply -f ${example}
kubectl get ${parent.resource}
kubectl logs -n ${namespace} deployment/${name}
\`\`\`
${
  tarballs
    ? `
This project depends on packed tarballs of a metahook checkout (\`file:\` paths in package.json),
which \`docker build\` cannot see: switch to the published versions before building the image.
`
    : ""
}`;
}

// The sample parent as YAML, each TODO as a comment on the field it concerns.
function exampleYaml(parent: unknown, todos: readonly SampleTodo[]): string {
  const doc = new Document(parent, { aliasDuplicateObjects: false });
  for (const todo of todos) {
    const keys = todo.path
      .split(/\.|\[(\d+)\]/)
      .filter((k) => k !== undefined && k !== "")
      .map((k) => (/^\d+$/.test(k) ? Number(k) : k));
    const node = keys.length > 0 ? doc.getIn(keys, true) : undefined;
    const comment = ` TODO: ${todo.reason}`;
    if (isNode(node)) node.comment = node.comment ? `${node.comment}\n${comment}` : comment;
    else doc.commentBefore = doc.commentBefore ? `${doc.commentBefore}\n${comment}` : comment;
  }
  return doc.toString({ lineWidth: 0 });
}

function asCreateError(error: unknown): never {
  if (error instanceof ScaffoldError) {
    throw new CreateError(
      error.code === "INVALID_OPTION" ? "USAGE" : "INVALID_INPUT",
      error.message.replace(/^--crd: /, "--crd "),
      { cause: error },
    );
  }
  if (error instanceof GenControllerError) {
    throw new CreateError("INVALID_INPUT", error.message, { cause: error });
  }
  throw error;
}

/**
 * Builds the whole project in memory: CRD (scaffolded or given), controller and deploy
 * manifests, Dockerfile, generated types and the typed controller with its test (through
 * `@metahook/gen-controller`), a sync request fixture and a sample parent, package.json,
 * tsconfig, vitest config, .gitignore and README.
 *
 * @throws {@link CreateError} `USAGE` for bad names or children, `INVALID_INPUT` for a bad CRD.
 */
export function buildProject(options: ProjectOptions): Project {
  try {
    return build(options);
  } catch (error) {
    return asCreateError(error);
  }
}

function build(options: ProjectOptions): Project {
  const crdContent =
    "crd" in options.parent
      ? options.parent.crd.content
      : scaffoldCrd({
          group: options.parent.group,
          kind: options.parent.kind,
          ...(options.parent.scope ? { scope: options.parent.scope } : {}),
          ...(options.parent.plural ? { plural: options.parent.plural } : {}),
        }).yaml;
  const controller = scaffoldController({
    crds: [{ path: "deploy/crd.yaml", content: crdContent }],
    children: options.children,
    decorator: options.template === "decorator",
    finalize: options.finalize === true,
    customize: options.customize === true,
    hookVersion: options.hookVersion,
    packageManager: options.packageManager,
    crdResources: ["crd.yaml"],
    ...(options.namespace !== undefined ? { namespace: options.namespace } : {}),
    ...(options.auth !== undefined ? { auth: options.auth } : {}),
  });
  const controllerYaml = controller.files.find((f) => f.path === "deploy/controller.yaml");
  if (!controllerYaml) throw new Error("scaffoldController wrote no deploy/controller.yaml");

  const generated = generateController(
    { path: "deploy/controller.yaml", content: controllerYaml.content },
    [{ path: "deploy/crd.yaml", content: crdContent }],
    {
      command: GEN_CONTROLLER,
      typesCommand: (paths) => ["metahook gen types", ...paths].join(" "),
    },
  );
  const sources: ScaffoldFile[] = [
    ...generated.generated.map((f) => ({ path: `src/${f.path}`, content: f.content })),
    ...generated.owned.map((f) => ({ path: `src/${f.path}`, content: f.content })),
  ];

  // The parent Metacontroller would see: API-server defaults applied, a uid and a generation.
  const { parent } = controller;
  const version = parent.crd.versions.find(
    (v) => `${parent.crd.group}/${v.name}` === parent.apiVersion,
  );
  const metadata = {
    name: "example",
    ...(parent.namespaced ? { namespace: "default" } : {}),
  };
  // Patterns, formats, bounds and required fields honoured; a placeholder and a TODO where the
  // sampler cannot make a valid value.
  const sampled = sampleObject(version?.schema, {
    apiVersion: parent.apiVersion,
    kind: parent.kind,
    metadata,
  });
  const sampleParent = sampled.value as KubeObject;
  // The sample is checked as the API server would check it; what the sampler could not satisfy
  // is marked where it is, never left for `kubectl apply` to find.
  const todos: SampleTodo[] = [...sampled.todos];
  for (const problem of validateSample(version?.schema, sampleParent)) {
    if (!todos.some((t) => t.path === problem.path))
      todos.push({ path: problem.path, reason: problem.message });
  }
  // Exactly what `npm run generate` (`gen controller --request --parent`) makes of these files.
  const request = requestFixture({
    controller: controller.controller,
    parent: sampleParent,
    crds: readCrds([{ path: "deploy/crd.yaml", content: crdContent }]).crds,
  });
  const example = `examples/${parent.crd.kind.toLowerCase()}.yaml`;

  const files: ScaffoldFile[] = [
    { path: "package.json", content: packageJson(options, example) },
    { path: "tsconfig.json", content: TSCONFIG },
    { path: "tsconfig.build.json", content: TSCONFIG_BUILD },
    { path: "vitest.config.ts", content: VITEST_CONFIG },
    { path: ".gitignore", content: GITIGNORE },
    { path: "README.md", content: readme(options, controller, example) },
    { path: "deploy/crd.yaml", content: crdContent },
    ...controller.files,
    ...sources,
    { path: FIXTURE, content: `${JSON.stringify(request, null, 2)}\n` },
    {
      path: example,
      content: exampleYaml(sampleParent, todos),
    },
  ];
  const notes = [
    ...generated.notes,
    ...todos.map((t) => `${example}: ${t.path || "the object"}: TODO ${t.reason}`),
  ];
  return { files, controller, fixture: FIXTURE, notes };
}
