// The mistakes that lose data do not compile against `gen controller` output (issue #8 items 1-4),
// and a value only the API server would refuse fails the generated project's own test (item 5).
// Each case generates a real project, writes a probe module with `@ts-expect-error` on exactly the
// offending lines, and type-checks it strictly: an unused directive is an error too, so every
// directive proves a compile error on the line below it.
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { generateController, readExisting, writeResult } from "../src/index.js";
import { PKG, read, runVitest, scratch, typecheck } from "./helpers.js";

const crd = read(join(PKG, "test/fixtures/blog-crd.yaml"));

function manifest(version: "v1" | "v2"): string {
  return `apiVersion: metacontroller.k8s.io/v1alpha1
kind: CompositeController
metadata:
  name: blog-controller
spec:
  generateSelector: true
  parentResource: { apiVersion: example.com/v1, resource: blogs }
  childResources:
    - { apiVersion: v1, resource: secrets }
    - { apiVersion: apps/v1, resource: deployments }
  hooks:
    sync:
      version: ${version}
      webhook: { url: http://blog-hooks.default/blog-controller/sync }
`;
}

async function project(name: string, version: "v1" | "v2", scope: "Namespaced" | "Cluster") {
  const dir = scratch(`safety-${name}`);
  const crdFile = { ...crd, content: crd.content.replace(/scope: \w+/, `scope: ${scope}`) };
  const result = generateController(
    { path: "blog-controller.yaml", content: manifest(version) },
    [crdFile],
    {
      command: "metahook gen controller blog-controller.yaml --crd blog-crd.yaml -o src",
      existing: await readExisting(dir, ["blog-controller"]),
    },
  );
  await writeResult(dir, result);
  return dir;
}

/** A hook body written the way users write them; `bare` is the lookup under test. */
const probe = (lookup: string) => `import { getObject } from "@metahook/runtime";
import type { SyncRequest, SyncResponse } from "./blog-controller.generated.js";

export function sync(request: SyncRequest): SyncResponse {
  const { parent, children } = request;
  // Item 3: Metacontroller always sends the name; no optional chaining, no "" fallback.
  const name: string = parent.metadata.name;
${lookup}
  // The lookup that works under every keying.
  const existing = getObject(children["Secret.v1"], \`\${name}-db\`, "blogs");
  return {
    status: { ready: existing !== undefined },
    children: [
      {
        apiVersion: "apps/v1",
        kind: "Deployment",
        metadata: { name },
        spec: {
          // @ts-expect-error item 4: \`replica\` is not a DeploymentSpec field (\`replicas\` is)
          replica: 3,
          selector: {},
          template: {},
        },
      },
    ],
  };
}

export function forgetful(): SyncResponse {
  // @ts-expect-error item 2: status is required (leaving it out clears the parent's status)
  return { children: [] };
}
`;

const BARE_IS_WRONG = `  // @ts-expect-error item 1: the Secret is keyed "namespace/name" here, so a bare name misses
  const bare = children["Secret.v1"][\`\${name}-db\`];
  const qualified = children["Secret.v1"][\`blogs/\${name}-db\`];
  void bare;
  void qualified;`;
const BARE_IS_RIGHT = `  // Under v1 a namespaced parent's children are keyed by bare name: this compiles.
  const bare = children["Secret.v1"][\`\${name}-db\`];
  void bare;`;

describe("gen controller output refuses the data-losing mistakes at compile time", () => {
  it.each([
    ["hook v2, namespaced parent", "v2", "Namespaced", BARE_IS_WRONG],
    ["hook v1, cluster-scoped parent", "v1", "Cluster", BARE_IS_WRONG],
    ["hook v1, namespaced parent", "v1", "Namespaced", BARE_IS_RIGHT],
  ] as const)("%s", async (name, version, scope, lookup) => {
    const dir = await project(name.replace(/\W+/g, "-"), version, scope);
    writeFileSync(join(dir, "probe.ts"), probe(lookup));
    expect(typecheck(dir)).toEqual([]);
  });
});

describe("custom children: what a hook writes may leave defaulted fields out, what it reads has them", () => {
  it("a desired Database without its defaulted engine compiles; the observed one has it", async () => {
    const dir = scratch("safety-input-types");
    const database = {
      path: "database-crd.yaml",
      content: `apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata: { name: databases.example.com }
spec:
  group: example.com
  scope: Namespaced
  names: { plural: databases, singular: database, kind: Database }
  versions:
    - name: v1
      served: true
      storage: true
      schema:
        openAPIV3Schema:
          type: object
          properties:
            spec:
              type: object
              required: [engine, size]
              properties:
                engine: { type: string, default: postgres }
                size: { type: integer }
`,
    };
    const controller = manifest("v2").replace(
      "    - { apiVersion: apps/v1, resource: deployments }\n",
      "    - { apiVersion: example.com/v1, resource: databases }\n",
    );
    const result = generateController(
      { path: "blog-controller.yaml", content: controller },
      [crd, database],
      {
        command:
          "metahook gen controller blog-controller.yaml --crd blog-crd.yaml database-crd.yaml -o src",
      },
    );
    await writeResult(dir, result);
    writeFileSync(
      join(dir, "probe.ts"),
      `import { listObjects } from "@metahook/runtime";
import type { SyncRequest, SyncResponse } from "./blog-controller.generated.js";

export function sync({ parent, children }: SyncRequest): SyncResponse {
  for (const db of listObjects(children["Database.example.com/v1"])) {
    // Read back from the API server: the default is there.
    if (db.spec !== undefined) {
      const engine: string = db.spec.engine;
      void engine;
    }
  }
  return {
    status: null,
    children: [
      // The API server fills in spec.engine: leaving it out is fine.
      { apiVersion: "example.com/v1", kind: "Database", metadata: { name: parent.metadata.name }, spec: { size: 1 } },
      // @ts-expect-error size has no default: it is still required
      { apiVersion: "example.com/v1", kind: "Database", metadata: { name: "x" }, spec: { engine: "mysql" } },
    ],
  };
}
`,
    );
    expect(typecheck(dir)).toEqual([]);
  });
});

describe("a value only the API server would refuse fails the generated test", () => {
  it("replicas: '1' in a Deployment names the child and the path", async () => {
    const dir = await project("values", "v2", "Namespaced");
    // The value comes from data the type checker cannot see, as values from a template or a
    // ConfigMap do.
    writeFileSync(
      join(dir, "blog-controller.ts"),
      `import { defineCompositeController } from "@metahook/runtime";
import { clusterScopedKinds, models, type Children, type Keying, type Parent, type Related, type SyncRequest, type SyncResponse } from "./blog-controller.generated.js";

const fromConfig: { replicas: number } = JSON.parse('{"replicas": "1"}');

export default defineCompositeController<Parent, Children, Related, Keying>({
  clusterScopedKinds,
  models,
  sync({ parent }: SyncRequest): SyncResponse {
    const name = parent.metadata.name;
    const labels = { app: name };
    return {
      status: { ready: false },
      children: [
        {
          apiVersion: "apps/v1",
          kind: "Deployment",
          metadata: { name: \`\${name}-web\`, labels },
          spec: {
            replicas: fromConfig.replicas,
            selector: { matchLabels: labels },
            template: { metadata: { labels }, spec: { containers: [{ name: "web", image: "nginx" }] } },
          },
        },
      ],
    };
  },
});
`,
    );
    expect(typecheck(dir)).toEqual([]);
    const report = runVitest(dir);
    // Both sync cases (settling, two parents) call the hook, and both refuse the child.
    expect(report.numFailedTests).toBe(2);
    expect(report.output).toMatch(
      /children\[0\] \(Deployment\.apps\/v1 example-web\): \/spec\/replicas must be integer/,
    );
  });
});
