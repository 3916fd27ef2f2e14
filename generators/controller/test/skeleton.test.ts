// The skeleton every user starts from, for each template: one child per declared kind with a
// valid starter spec, names and labels from the parent, a status from the observed children,
// formatted within 100 columns; and its generated test passes (settles, no collision).
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { REPO_ROOT } from "@metahook/test-support";
import { describe, expect, it } from "vitest";
import { generateController, writeResult } from "../src/index.js";
import { runVitest, scratch, typecheck } from "./helpers.js";

// The scaffolded CRD's shape: spec.replicas, and a status with the fields the skeleton reports.
function blogCrd(scope: "Namespaced" | "Cluster", status: Status): string {
  return `apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata: { name: blogs.example.com }
spec:
  group: example.com
  scope: ${scope}
  names: { plural: blogs, singular: blog, kind: Blog }
  versions:
    - name: v1
      served: true
      storage: true
      subresources: { status: {} }
      schema:
        openAPIV3Schema:
          type: object
          properties:
            spec:
              type: object
              properties:
                replicas: { type: integer, minimum: 0, default: 1 }
${STATUS[status]}`;
}

// The status schemas: the scaffolded one, one with nothing the skeleton computes, and none.
type Status = "scaffolded" | "other" | "none";
const STATUS: { readonly [status in Status]: string } = {
  scaffolded: `            status:
              type: object
              properties:
                observedGeneration: { type: integer, format: int64 }
                observedChildren: { type: integer, minimum: 0 }
                readyReplicas: { type: integer, minimum: 0 }
`,
  other: `            status:
              type: object
              required: [phase]
              properties:
                observedGeneration: { type: integer, format: int64 }
                phase: { type: string, enum: [Pending, Ready] }
`,
  none: "",
};

interface Case {
  readonly id: string;
  readonly kind: "CompositeController" | "DecoratorController";
  readonly version: "v1" | "v2";
  readonly scope?: "Namespaced" | "Cluster";
  readonly status?: Status;
  readonly children: readonly { apiVersion: string; resource: string; kind: string }[];
  readonly finalize?: boolean;
  readonly customize?: boolean;
  /** Source text the skeleton must contain. */
  readonly want: readonly string[];
}

const COMMON = [
  { apiVersion: "apps/v1", resource: "deployments", kind: "Deployment" },
  { apiVersion: "apps/v1", resource: "statefulsets", kind: "StatefulSet" },
  { apiVersion: "v1", resource: "services", kind: "Service" },
  { apiVersion: "v1", resource: "configmaps", kind: "ConfigMap" },
  { apiVersion: "v1", resource: "secrets", kind: "Secret" },
  { apiVersion: "batch/v1", resource: "jobs", kind: "Job" },
  { apiVersion: "batch/v1", resource: "cronjobs", kind: "CronJob" },
  { apiVersion: "networking.k8s.io/v1", resource: "ingresses", kind: "Ingress" },
  { apiVersion: "v1", resource: "persistentvolumeclaims", kind: "PersistentVolumeClaim" },
  { apiVersion: "v1", resource: "serviceaccounts", kind: "ServiceAccount" },
  { apiVersion: "rbac.authorization.k8s.io/v1", resource: "roles", kind: "Role" },
  { apiVersion: "rbac.authorization.k8s.io/v1", resource: "rolebindings", kind: "RoleBinding" },
];
const [deployment, , service, configmap] = COMMON as [
  (typeof COMMON)[0],
  (typeof COMMON)[0],
  (typeof COMMON)[0],
  (typeof COMMON)[0],
];

// biome-ignore lint/suspicious/noTemplateCurlyInString: the start of a child's name in skeleton source
const NAME = "`${name}";

const cases: Case[] = [
  {
    id: "composite-v1-finalize-customize",
    kind: "CompositeController",
    version: "v1",
    children: [deployment, service],
    finalize: true,
    customize: true,
    want: [
      '"app.kubernetes.io/instance": name',
      `metadata: { name: ${NAME}-deployment\`, labels }`,
      'ports: [{ name: "http", port: 80, targetPort: "http" }]',
      "readyReplicas: deployment?.status?.readyReplicas ?? 0",
      "observedChildren,",
      "finalized: remaining === 0",
      '//     resource: "configmaps",',
    ],
  },
  {
    id: "composite-v2-common-kinds",
    kind: "CompositeController",
    version: "v2",
    children: COMMON,
    want: ["getObject(", `serviceName: ${NAME}-service\``, `name: ${NAME}-role\``],
  },
  {
    id: "composite-v2-cluster-parent",
    kind: "CompositeController",
    version: "v2",
    scope: "Cluster",
    children: [deployment, configmap],
    finalize: true,
    want: [
      'namespace: "default"',
      `getObject(children["Deployment.apps/v1"], ${NAME}-deployment\`, "default")`,
    ],
  },
  {
    id: "composite-v1-no-status",
    kind: "CompositeController",
    version: "v1",
    status: "none",
    children: [configmap],
    want: ["status: null,", "The CRD declares no status"],
  },
  {
    id: "composite-v1-status-of-its-own",
    kind: "CompositeController",
    version: "v1",
    status: "other",
    children: [deployment],
    want: ['status: { phase: "Pending" },', "declare fields in the CRD's status schema"],
  },
  {
    id: "composite-v1-no-children",
    kind: "CompositeController",
    version: "v1",
    children: [],
    customize: true,
    want: ["children: [],", "status: { observedChildren: 0 },"],
  },
  {
    id: "decorator-v1-finalize",
    kind: "DecoratorController",
    version: "v1",
    children: [configmap, service],
    finalize: true,
    want: ['labels: { "metahook.dev/decorated": "true" }', "attachments: ["],
  },
  {
    id: "decorator-v2-customize",
    kind: "DecoratorController",
    version: "v2",
    children: [deployment],
    customize: true,
    want: ["const name = object.metadata.name;", "attachments: ["],
  },
];

function manifest(c: Case): string {
  const rules = c.children.map(
    (r) => `    - { apiVersion: ${r.apiVersion}, resource: ${r.resource} }`,
  );
  const hook = (name: string) =>
    `    ${name}:\n      version: ${c.version}\n      webhook: { url: http://hooks.default/blog-controller/${name} }`;
  const hooks = [
    hook("sync"),
    ...(c.finalize ? [hook("finalize")] : []),
    ...(c.customize ? [hook("customize")] : []),
  ];
  const composite = c.kind === "CompositeController";
  return [
    "apiVersion: metacontroller.k8s.io/v1alpha1",
    `kind: ${c.kind}`,
    "metadata: { name: blog-controller }",
    "spec:",
    ...(composite
      ? [
          "  generateSelector: true",
          "  parentResource: { apiVersion: example.com/v1, resource: blogs }",
        ]
      : ["  resources:", "    - { apiVersion: example.com/v1, resource: blogs }"]),
    `  ${composite ? "childResources" : "attachments"}:${rules.length === 0 ? " []" : ""}`,
    ...rules,
    "  hooks:",
    ...hooks,
    "",
  ].join("\n");
}

function generate(c: Case) {
  return generateController(
    { path: "blog-controller.yaml", content: manifest(c) },
    [
      {
        path: "blog-crd.yaml",
        content: blogCrd(c.scope ?? "Namespaced", c.status ?? "scaffolded"),
      },
    ],
    { command: "metahook gen controller blog-controller.yaml --crd blog-crd.yaml" },
  );
}

function owned(c: Case, path: string): string {
  const file = generate(c).owned.find((f) => f.path === path);
  if (!file) throw new Error(`${c.id}: ${path} was not generated`);
  return file.content;
}

// What biome, with the repository's settings, makes of a file: the skeleton must already be it.
function formatted(path: string, content: string): string {
  const biome = join(REPO_ROOT, "node_modules/.bin/biome");
  const res = spawnSync(biome, ["format", `--stdin-file-path=${path}`], {
    cwd: REPO_ROOT,
    input: content,
    encoding: "utf8",
  });
  if (res.status !== 0) throw new Error(`biome format ${path}: ${res.stderr}`);
  return res.stdout;
}

describe("the skeleton of each template", () => {
  it.each(cases)("$id: one child per declared kind, from the parent's name", (c) => {
    const skeleton = owned(c, "blog-controller.ts");
    for (const child of c.children) {
      const desired = new RegExp(`kind: "${child.kind}",\\s*metadata:`, "g");
      expect(skeleton.match(desired)?.length, child.kind).toBe(1);
    }
    for (const text of c.want) expect(skeleton).toContain(text);
    expect(skeleton).not.toContain('?? ""');
    expect(skeleton).not.toMatch(/labels = \{ app: /);
  });

  it.each(cases)("$id: skeleton and test fit 100 columns and are formatted", (c) => {
    for (const path of ["blog-controller.ts", "blog-controller.test.ts"]) {
      const content = owned(c, path);
      const long = content.split("\n").filter((line) => line.length > 100);
      expect(long, path).toEqual([]);
      expect(formatted(path, content), path).toBe(content);
    }
  });

  it("every generated skeleton type-checks and its test passes", async () => {
    const root = scratch("skeletons");
    let expected = 0;
    for (const c of cases) {
      await writeResult(join(root, c.id), generate(c));
      expected += 2 + (c.finalize ? 1 : 0) + (c.customize ? 1 : 0);
    }
    const diagnostics = typecheck(root);
    expect(diagnostics, diagnostics.join("\n")).toEqual([]);
    const report = runVitest(root);
    expect(report.numFailedTests, report.output).toBe(0);
    expect(report.numPassedTests).toBe(expected);
  }, 120_000);
});
