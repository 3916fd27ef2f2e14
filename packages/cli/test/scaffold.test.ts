import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { generateController, readControllers } from "@metahook/gen-controller";
import {
  scaffoldController,
  scaffoldCrd,
  validateManifest,
  validateScaffold,
} from "@metahook/scaffold";
import { REFERENCE } from "@metahook/test-support";
import { CustomResourceDefinition } from "kubernetes-models/apiextensions.k8s.io/v1/CustomResourceDefinition";
import { Deployment, type IDeployment } from "kubernetes-models/apps/v1/Deployment";
import {
  type IPodDisruptionBudget,
  PodDisruptionBudget,
} from "kubernetes-models/policy/v1/PodDisruptionBudget";
import { type IService, Service } from "kubernetes-models/v1/Service";
import { afterAll, describe, expect, it } from "vitest";
import { parse, parseAllDocuments } from "yaml";
import { runMain } from "./helpers.js";

const shared = join(REFERENCE, "metacontroller");
const tmp = mkdtempSync(join(tmpdir(), "metahook-scaffold-"));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const run = (argv: string[], cwd = tmp, env: NodeJS.ProcessEnv = {}) => runMain(argv, cwd, env);

function freshDir(name: string): string {
  return mkdtempSync(join(tmp, `${name}-`));
}

type Schema = {
  type?: string;
  properties?: { [key: string]: Schema };
  required?: string[];
  items?: Schema;
  enum?: unknown[];
  additionalProperties?: Schema | boolean;
  "x-kubernetes-preserve-unknown-fields"?: boolean;
};

// What the API server's structural schema checks would refuse: unknown fields, missing required
// ones, wrong types, values outside an enum.
function schemaProblems(value: unknown, schema: Schema, path: string): string[] {
  if (schema.enum && !schema.enum.includes(value)) return [`${path}: ${String(value)} not in enum`];
  switch (schema.type) {
    case "object": {
      if (typeof value !== "object" || value === null || Array.isArray(value))
        return [`${path}: not an object`];
      const out: string[] = [];
      for (const key of schema.required ?? []) {
        if (!(key in value)) out.push(`${path}.${key}: required`);
      }
      for (const [key, field] of Object.entries(value)) {
        const sub =
          schema.properties?.[key] ??
          (typeof schema.additionalProperties === "object"
            ? schema.additionalProperties
            : undefined);
        if (sub) out.push(...schemaProblems(field, sub, `${path}.${key}`));
        else if (!schema["x-kubernetes-preserve-unknown-fields"])
          out.push(`${path}.${key}: unknown field`);
      }
      return out;
    }
    case "array":
      return Array.isArray(value)
        ? value.flatMap((v, i) =>
            schema.items ? schemaProblems(v, schema.items, `${path}[${i}]`) : [],
          )
        : [`${path}: not an array`];
    case "string":
      return typeof value === "string" ? [] : [`${path}: not a string`];
    case "boolean":
      return typeof value === "boolean" ? [] : [`${path}: not a boolean`];
    case "integer":
      return Number.isInteger(value) ? [] : [`${path}: not an integer`];
    default:
      return [];
  }
}

// cert-manager's published CRDs (test/fixtures/crds); an Issuer's spec is the ClusterIssuer's.
function certManagerSchema(kind: "Certificate" | "Issuer"): Schema {
  const file =
    kind === "Certificate" ? "certificates.cert-manager.io" : "clusterissuers.cert-manager.io";
  const crd = parse(readFileSync(join(REFERENCE, `crds/cert-manager__${file}.yaml`), "utf8"));
  const v1 = crd.spec.versions.find((v: { name: string }) => v.name === "v1");
  const schema = v1.schema.openAPIV3Schema as Schema;
  // metadata is checked by the API server's ObjectMeta, not the CRD schema.
  return {
    ...schema,
    properties: {
      ...schema.properties,
      metadata: { type: "object", "x-kubernetes-preserve-unknown-fields": true },
    },
  };
}

// Validation straight from the sources of truth, independent of validateScaffold.
function validateIndependently(path: string, content: string): void {
  for (const doc of parseAllDocuments(content)) {
    const value = doc.toJS() as { apiVersion: string; kind: string };
    switch (`${value.apiVersion}/${value.kind}`) {
      case "apps/v1/Deployment":
        new Deployment(value as IDeployment).validate();
        break;
      case "v1/Service":
        new Service(value as IService).validate();
        break;
      case "policy/v1/PodDisruptionBudget":
        new PodDisruptionBudget(value as IPodDisruptionBudget).validate();
        break;
      case "apiextensions.k8s.io/v1/CustomResourceDefinition":
        new CustomResourceDefinition(value as never).validate();
        break;
      case "metacontroller.k8s.io/v1alpha1/CompositeController":
      case "metacontroller.k8s.io/v1alpha1/DecoratorController":
        expect(readControllers({ path, content })).toHaveLength(1);
        break;
      case "kustomize.config.k8s.io/v1beta1/Kustomization":
        break;
      case "cert-manager.io/v1/Certificate":
      case "cert-manager.io/v1/Issuer":
        expect(
          schemaProblems(
            value,
            certManagerSchema(value.kind as "Certificate" | "Issuer"),
            value.kind,
          ),
        ).toEqual([]);
        break;
      default:
        throw new Error(`${path}: unexpected ${value.apiVersion} ${value.kind}`);
    }
  }
}

describe("metahook scaffold crd", () => {
  const cases: {
    name: string;
    args: string[];
    plural: string;
    version: string;
    scope: string;
  }[] = [
    {
      name: "defaults",
      args: ["--group", "example.com", "--kind", "Blog"],
      plural: "blogs",
      version: "v1",
      scope: "Namespaced",
    },
    {
      name: "cluster scope",
      args: ["--group", "ops.example.com", "--kind", "Fleet", "--scope", "Cluster"],
      plural: "fleets",
      version: "v1",
      scope: "Cluster",
    },
    {
      name: "y plural and alpha version",
      args: ["--group", "acme.io", "--kind", "Policy", "--version", "v1alpha1"],
      plural: "policies",
      version: "v1alpha1",
      scope: "Namespaced",
    },
    {
      name: "es plural",
      args: ["--group", "net.acme.io", "--kind", "Ingress"],
      plural: "ingresses",
      version: "v1",
      scope: "Namespaced",
    },
    {
      name: "explicit plural",
      args: ["--group", "example.com", "--kind", "Octopus", "--plural", "octopodes"],
      plural: "octopodes",
      version: "v1",
      scope: "Namespaced",
    },
  ];

  it.each(cases)("$name: a valid CRD on stdout", async ({ args, plural, version, scope }) => {
    const res = await run(["scaffold", "crd", ...args]);
    expect(res.code, res.stderr).toBe(0);
    const crd = parse(res.stdout);
    new CustomResourceDefinition(crd).validate();
    const group = args[args.indexOf("--group") + 1];
    expect(crd.metadata.name).toBe(`${plural}.${group}`);
    expect(crd.spec.names.plural).toBe(plural);
    expect(crd.spec.scope).toBe(scope);
    const [v] = crd.spec.versions;
    expect(v.name).toBe(version);
    expect(v.subresources).toEqual({ status: {} });
    expect(v.additionalPrinterColumns.map((c: { name: string }) => c.name)).toEqual([
      "Ready",
      "Reason",
      "Age",
    ]);
    const status = v.schema.openAPIV3Schema.properties.status.properties;
    expect(status.observedGeneration).toMatchObject({ type: "integer", format: "int64" });
    expect(status.conditions.items.required).toEqual([
      "type",
      "status",
      "lastTransitionTime",
      "reason",
      "message",
    ]);
    expect(validateScaffold([{ path: "crd.yaml", content: res.stdout }])).toEqual([]);
  });

  const bad: { name: string; args: string[]; message: RegExp }[] = [
    {
      name: "group without a dot",
      args: ["--group", "example", "--kind", "Blog"],
      message: /--group example: a CRD group must be a domain with at least one dot/,
    },
    {
      name: "uppercase group",
      args: ["--group", "Example.com", "--kind", "Blog"],
      message: /--group Example.com: must be lowercase.*e\.g\. example\.com/,
    },
    {
      name: "group label ending in -",
      args: ["--group", "example-.com", "--kind", "Blog"],
      message: /"example-" is not a DNS label/,
    },
    {
      name: "camelCase kind",
      args: ["--group", "example.com", "--kind", "blogPost"],
      message: /--kind blogPost: must be PascalCase.*e\.g\. BlogPost/,
    },
    {
      name: "kind with a dash",
      args: ["--group", "example.com", "--kind", "Blog-Post"],
      message: /--kind Blog-Post: must be PascalCase/,
    },
    {
      name: "uppercase plural",
      args: ["--group", "example.com", "--kind", "Blog", "--plural", "Blogs"],
      message: /--plural Blogs: must be a DNS-1123 label/,
    },
    {
      name: "bad version",
      args: ["--group", "example.com", "--kind", "Blog", "--version", "1.0"],
      message: /--version 1.0: must look like v1/,
    },
    {
      name: "unknown scope",
      args: ["--group", "example.com", "--kind", "Blog", "--scope", "Global"],
      message: /argument 'Global' is invalid/,
    },
  ];

  it.each(bad)("$name: usage error, exit 2, nothing on stdout", async ({ args, message }) => {
    const res = await run(["scaffold", "crd", ...args]);
    expect(res.code).toBe(2);
    expect(res.stdout).toBe("");
    expect(res.stderr).toMatch(message);
  });

  it("prints the usage after a name error", async () => {
    const res = await run(["scaffold", "crd", "--group", "x", "--kind", "Blog"]);
    expect(res.stderr).toContain("Usage: metahook scaffold crd [options]");
  });

  it("-o writes the file and refuses to replace it without --force", async () => {
    const dir = freshDir("crd-out");
    const args = ["scaffold", "crd", "--group", "example.com", "--kind", "Blog"];
    const first = await run([...args, "-o", "deploy/crd.yaml"], dir);
    expect(first.code, first.stderr).toBe(0);
    expect(first.stdout).toBe("created deploy/crd.yaml");
    const file = join(dir, "deploy/crd.yaml");
    writeFileSync(file, "# mine\n");
    const second = await run([...args, "-o", "deploy/crd.yaml"], dir);
    expect(second.code).toBe(1);
    expect(second.stderr).toMatch(/crd\.yaml already exists .*nothing was written/);
    expect(readFileSync(file, "utf8")).toBe("# mine\n");
    const forced = await run([...args, "-o", "deploy/crd.yaml", "--force"], dir);
    expect(forced.code).toBe(0);
    expect(parse(readFileSync(file, "utf8")).metadata.name).toBe("blogs.example.com");
  });
});

describe("metahook scaffold controller", () => {
  const blogCrd = scaffoldCrd({ group: "example.com", kind: "Blog" }).yaml;
  const fleetCrd = scaffoldCrd({ group: "ops.example.com", kind: "Fleet", scope: "Cluster" }).yaml;
  const catsetCrd = readFileSync(join(shared, "examples/catset/v1/crdv1.yaml"), "utf8");

  interface Case {
    name: string;
    crd: string;
    extraCrd?: string;
    args: string[];
    kind: "CompositeController" | "DecoratorController";
    childKinds: string[];
    strategies: string[];
    hooks: string[];
    version: "v1" | "v2";
    namespace: string;
  }
  const cases: Case[] = [
    {
      name: "composite, deployments + services",
      crd: blogCrd,
      args: ["--children", "deployments.apps/v1,services.v1"],
      kind: "CompositeController",
      childKinds: ["Deployment", "Service"],
      strategies: ["InPlace", "InPlace"],
      hooks: ["sync"],
      version: "v1",
      namespace: "default",
    },
    {
      name: "composite v2 with finalize and customize in another namespace",
      crd: blogCrd,
      args: [
        "--children",
        "configmaps.v1,pods.v1,persistentvolumeclaims.v1",
        "--finalize",
        "--customize",
        "--hook-version",
        "v2",
        "--namespace",
        "blog-system",
      ],
      kind: "CompositeController",
      childKinds: ["ConfigMap", "Pod", "PersistentVolumeClaim"],
      strategies: ["InPlace", "Recreate", "OnDelete"],
      hooks: ["sync", "finalize", "customize"],
      version: "v2",
      namespace: "blog-system",
    },
    {
      name: "composite, cluster-scoped parent with a custom namespaced child",
      crd: fleetCrd,
      extraCrd: blogCrd,
      args: ["--children", "blogs.example.com/v1,jobs.batch/v1", "--name", "fleet"],
      kind: "CompositeController",
      childKinds: ["Blog", "Job"],
      strategies: ["InPlace", "Recreate"],
      hooks: ["sync"],
      version: "v1",
      namespace: "default",
    },
    {
      name: "decorator with attachments and finalize",
      crd: blogCrd,
      args: ["--decorator", "--children", "services.v1", "--finalize"],
      kind: "DecoratorController",
      childKinds: ["Service"],
      strategies: ["InPlace"],
      hooks: ["sync", "finalize"],
      version: "v1",
      namespace: "default",
    },
    {
      name: "decorator without attachments, v2",
      crd: blogCrd,
      args: ["--decorator", "--children", "", "--hook-version", "v2"],
      kind: "DecoratorController",
      childKinds: [],
      strategies: [],
      hooks: ["sync"],
      version: "v2",
      namespace: "default",
    },
    {
      name: "upstream CatSet CRD, pods and PVCs",
      crd: catsetCrd,
      args: ["--children", "pods.v1,persistentvolumeclaims.v1", "--finalize"],
      kind: "CompositeController",
      childKinds: ["Pod", "PersistentVolumeClaim"],
      strategies: ["Recreate", "OnDelete"],
      hooks: ["sync", "finalize"],
      version: "v1",
      namespace: "default",
    },
  ];

  it.each(cases)("$name: every manifest is valid and wired to the hook server", async (c) => {
    const dir = freshDir("controller");
    writeFileSync(join(dir, "parent-crd.yaml"), c.crd);
    const crdArgs = ["--crd", "parent-crd.yaml"];
    if (c.extraCrd) {
      writeFileSync(join(dir, "child-crd.yaml"), c.extraCrd);
      crdArgs.push("child-crd.yaml");
    }
    const res = await run(["scaffold", "controller", ...crdArgs, ...c.args], dir);
    expect(res.code, res.stderr).toBe(0);
    const deploy = (f: string) => readFileSync(join(dir, "deploy", f), "utf8");

    for (const file of ["controller.yaml", "deployment.yaml", "service.yaml", "pdb.yaml"]) {
      validateIndependently(file, deploy(file));
      // Plain YAML for humans: no anchors or aliases even where objects repeat.
      expect(deploy(file)).not.toMatch(/[&*]a\d+\b/);
    }
    const kustomization = parse(deploy("kustomization.yaml"));
    for (const resource of kustomization.resources as string[]) {
      // Every listed resource exists and is itself valid (the CRDs are copied next to the rest).
      expect(statSync(join(dir, "deploy", resource)).isFile()).toBe(true);
      validateIndependently(resource, deploy(resource));
    }

    const controller = parse(deploy("controller.yaml"));
    expect(controller.kind).toBe(c.kind);
    const name = controller.metadata.name as string;
    const rules =
      c.kind === "CompositeController"
        ? controller.spec.childResources
        : controller.spec.attachments;
    expect(
      (rules ?? []).map((r: { updateStrategy: { method: string } }) => r.updateStrategy.method),
    ).toEqual(c.strategies);
    if (c.kind === "CompositeController") expect(controller.spec.generateSelector).toBe(true);
    expect(Object.keys(controller.spec.hooks)).toEqual(c.hooks);
    for (const hook of c.hooks) {
      expect(controller.spec.hooks[hook]).toEqual({
        version: c.version,
        webhook: { url: `http://${name}.${c.namespace}/${name}/${hook}`, timeout: "10s" },
      });
    }

    // gen-controller accepts it, resolves every rule, and names the module as serve routes it.
    const generated = generateController(
      { path: "deploy/controller.yaml", content: deploy("controller.yaml") },
      [
        { path: "parent-crd.yaml", content: c.crd },
        ...(c.extraCrd ? [{ path: "child-crd.yaml", content: c.extraCrd }] : []),
      ],
    );
    expect(generated.models[0]?.name).toBe(name);
    expect(generated.models[0]?.children.map((k) => k.kind)).toEqual(c.childKinds);
    expect(generated.notes.filter((n) => /url|path|route/i.test(n))).toEqual([]);

    const deployment = parse(deploy("deployment.yaml")) as IDeployment;
    const pod = deployment.spec?.template.spec;
    const container = pod?.containers[0];
    expect(deployment.metadata?.namespace).toBe(c.namespace);
    expect(deployment.spec?.replicas).toBe(2);
    expect(container?.readinessProbe?.httpGet?.path).toBe("/readyz");
    expect(container?.livenessProbe?.httpGet?.path).toBe("/healthz");
    expect(pod?.securityContext?.runAsNonRoot).toBe(true);
    expect(container?.securityContext).toMatchObject({
      readOnlyRootFilesystem: true,
      allowPrivilegeEscalation: false,
      capabilities: { drop: ["ALL"] },
    });
    expect(container?.resources?.requests).toMatchObject({ cpu: expect.any(String) });
    expect(container?.lifecycle?.preStop?.sleep?.seconds).toBeGreaterThan(0);
    const svc = parse(deploy("service.yaml")) as IService;
    expect(svc.metadata?.name).toBe(name);
    expect(svc.spec?.ports?.[0]).toMatchObject({ port: 80, targetPort: "http" });
    expect(svc.spec?.selector).toEqual(deployment.spec?.selector.matchLabels);
    const pdb = parse(deploy("pdb.yaml")) as IPodDisruptionBudget;
    expect(pdb.spec?.selector?.matchLabels).toEqual(deployment.spec?.selector.matchLabels);

    const docker = readFileSync(join(dir, "Dockerfile"), "utf8");
    expect(docker.match(/^FROM /gm)).toHaveLength(2);
    expect(docker).toMatch(/^USER 1000:1000$/m);
  });

  it("lists a CRD that is already under deploy/ instead of copying it", async () => {
    const dir = freshDir("inside");
    await run(
      ["scaffold", "crd", "--group", "example.com", "--kind", "Blog", "-o", "deploy/blog.yaml"],
      dir,
    );
    const res = await run(
      ["scaffold", "controller", "--crd", "deploy/blog.yaml", "--children", "secrets.v1"],
      dir,
    );
    expect(res.code, res.stderr).toBe(0);
    expect(res.stdout.split("\n")).not.toContain("created deploy/blog.yaml");
    expect(parse(readFileSync(join(dir, "deploy/kustomization.yaml"), "utf8")).resources[0]).toBe(
      "blog.yaml",
    );
  });

  it("writes the Dockerfile for the package manager that runs it", async () => {
    const dir = freshDir("pnpm");
    writeFileSync(join(dir, "crd.yaml"), blogCrd);
    const res = await run(
      ["scaffold", "controller", "--crd", "crd.yaml", "--children", "configmaps.v1"],
      dir,
      { npm_config_user_agent: "pnpm/10.34.8 npm/? node/v20.20.0 linux x64" },
    );
    expect(res.code, res.stderr).toBe(0);
    expect(readFileSync(join(dir, "Dockerfile"), "utf8")).toContain(
      "pnpm install --frozen-lockfile",
    );
  });

  const bad: { name: string; args: string[]; code: number; message: RegExp }[] = [
    {
      name: "unknown built-in child",
      args: ["--crd", "crd.yaml", "--children", "deployments.apps/v1,gizmos.v1"],
      code: 2,
      message: /--children gizmos\.v1: gizmos is not a built-in resource of v1/,
    },
    {
      name: "custom child without its CRD",
      args: ["--crd", "crd.yaml", "--children", "widgets.acme.io/v1"],
      code: 2,
      message: /no --crd defines widgets\.acme\.io/,
    },
    {
      name: "child without an apiVersion",
      args: ["--crd", "crd.yaml", "--children", "deployments"],
      code: 2,
      message: /--children deployments: expected <plural>\.<apiVersion>/,
    },
    {
      name: "child listed twice",
      args: ["--crd", "crd.yaml", "--children", "services.v1,services.v1"],
      code: 2,
      message: /listed twice/,
    },
    {
      name: "version the CRD does not serve",
      args: ["--crd", "crd.yaml", "--children", "blogs.example.com/v2"],
      code: 2,
      message: /blogs\.example\.com does not serve v2/,
    },
    {
      name: "bad namespace",
      args: ["--crd", "crd.yaml", "--children", "services.v1", "--namespace", "Blog_NS"],
      code: 2,
      message: /--namespace Blog_NS: must be a DNS-1123 label/,
    },
    {
      name: "missing CRD file",
      args: ["--crd", "nope.yaml", "--children", "services.v1"],
      code: 1,
      message: /nope\.yaml: cannot be read/,
    },
    {
      name: "a file that is no CRD",
      args: ["--crd", "not-a-crd.yaml", "--children", "services.v1"],
      code: 1,
      message: /no apiextensions\.k8s\.io\/v1 CustomResourceDefinition found/,
    },
    {
      name: "missing --children",
      args: ["--crd", "crd.yaml"],
      code: 2,
      message: /required option '--children <list>' not specified/,
    },
  ];

  it.each(bad)("$name: exit $code, nothing written", async ({ args, code, message }) => {
    const dir = freshDir("bad");
    writeFileSync(join(dir, "crd.yaml"), blogCrd);
    writeFileSync(
      join(dir, "not-a-crd.yaml"),
      "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}\n",
    );
    const res = await run(["scaffold", "controller", ...args], dir);
    expect(res.code).toBe(code);
    expect(res.stderr).toMatch(message);
    expect(res.stdout).toBe("");
    expect(() => statSync(join(dir, "deploy"))).toThrow();
  });

  it("refuses to overwrite existing files and changes nothing; --force replaces them", async () => {
    const dir = freshDir("exists");
    writeFileSync(join(dir, "crd.yaml"), blogCrd);
    const args = ["scaffold", "controller", "--crd", "crd.yaml", "--children", "services.v1"];
    expect((await run(args, dir)).code).toBe(0);
    writeFileSync(join(dir, "Dockerfile"), "FROM scratch\n");
    const again = await run([...args, "--finalize"], dir);
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/deploy\/controller\.yaml, .*Dockerfile.* already exist/);
    expect(readFileSync(join(dir, "Dockerfile"), "utf8")).toBe("FROM scratch\n");
    expect(readFileSync(join(dir, "deploy/controller.yaml"), "utf8")).not.toContain("finalize");
    const forced = await run([...args, "--finalize", "--force"], dir);
    expect(forced.code).toBe(0);
    expect(readFileSync(join(dir, "deploy/controller.yaml"), "utf8")).toContain("finalize");
  });
});

describe("metahook scaffold controller --auth", () => {
  const blogCrd = scaffoldCrd({ group: "example.com", kind: "Blog" }).yaml;
  it.each<{
    mode: "bearer" | "basic" | "mtls";
    credential: string;
    env: string[];
    secrets: string[];
  }>([
    {
      mode: "bearer",
      credential: "authorization",
      env: ["METAHOOK_TLS_CERT", "METAHOOK_TLS_KEY", "METAHOOK_AUTH_BEARER_FILE"],
      secrets: ["blog-controller-tls", "blog-controller-auth"],
    },
    {
      mode: "basic",
      credential: "basicAuth",
      env: ["METAHOOK_TLS_CERT", "METAHOOK_TLS_KEY", "METAHOOK_AUTH_BASIC_FILE"],
      secrets: ["blog-controller-tls", "blog-controller-auth"],
    },
    {
      mode: "mtls",
      credential: "clientTLS",
      env: ["METAHOOK_TLS_CERT", "METAHOOK_TLS_KEY", "METAHOOK_CLIENT_CA"],
      secrets: ["blog-controller-tls", "blog-controller-ca"],
    },
  ])(
    "$mode: valid manifests, webhooks over HTTPS with $credential, mounts and settings the server reads",
    async ({ mode, credential, env, secrets }) => {
      const dir = freshDir(`auth-${mode}`);
      writeFileSync(join(dir, "crd.yaml"), blogCrd);
      const res = await run(
        [
          "scaffold",
          "controller",
          "--crd",
          "crd.yaml",
          "--children",
          "configmaps.v1",
          "--finalize",
          "--auth",
          mode,
        ],
        dir,
      );
      expect(res.code, res.stderr).toBe(0);
      expect(res.stderr).toContain(
        `https://blog-controller.default.svc/blog-controller/… (${mode}; see deploy/AUTH.md)`,
      );
      const deploy = (f: string) => readFileSync(join(dir, "deploy", f), "utf8");
      const kustomization = parse(deploy("kustomization.yaml"));
      expect(kustomization.resources).toContain("tls.yaml");
      for (const resource of kustomization.resources as string[])
        validateIndependently(resource, deploy(resource));

      // Metacontroller's side: HTTPS to the certificate's DNS name, the CA, the credentials.
      const controller = parse(deploy("controller.yaml"));
      const tls = parseAllDocuments(deploy("tls.yaml")).map((d) => d.toJS());
      const serverCert = tls.find((d) => d.metadata.name === "blog-controller-tls");
      for (const hook of ["sync", "finalize"]) {
        const webhook = controller.spec.hooks[hook].webhook;
        expect(webhook.url).toBe(`https://blog-controller.default.svc/blog-controller/${hook}`);
        expect(serverCert.spec.dnsNames).toContain(new URL(webhook.url).hostname);
        expect(webhook.caBundle.secretRef).toEqual({
          name: "blog-controller-ca",
          namespace: "default",
          key: "ca.crt",
        });
        expect(
          Object.keys(webhook).filter((k) =>
            ["authorization", "basicAuth", "clientTLS"].includes(k),
          ),
        ).toEqual([credential]);
      }
      // Every Secret the controller names is made by cert-manager or by the kustomization.
      const made = new Set([
        ...tls.filter((d) => d.kind === "Certificate").map((d) => d.spec.secretName as string),
        ...((kustomization.secretGenerator ?? []) as { name: string }[]).map((g) => g.name),
      ]);
      const named = JSON.stringify(controller).match(/"secretRef":\{"name":"[^"]+"/g) ?? [];
      for (const ref of named) expect(made).toContain(ref.split('"').at(-2));
      if (mode === "mtls") {
        const client = tls.find((d) => d.metadata.name === "blog-controller-client");
        expect(client.spec.usages).toContain("client auth");
        expect(client.spec.issuerRef.name).toBe("blog-controller-ca");
      } else {
        expect(kustomization.generatorOptions).toEqual({ disableNameSuffixHash: true });
      }

      // The server's side: the mounted Secrets, the settings pointing into them, HTTPS probes.
      const deployment = parse(deploy("deployment.yaml"));
      const pod = deployment.spec.template.spec;
      const container = pod.containers[0];
      const vars = Object.fromEntries(
        container.env.map((e: { name: string; value: string }) => [e.name, e.value]),
      );
      for (const name of env) expect(vars[name], name).toBeDefined();
      const mounted = pod.volumes
        .filter((v: { secret?: unknown }) => v.secret)
        .map((v: { secret: { secretName: string } }) => v.secret.secretName);
      expect(new Set(mounted)).toEqual(new Set(secrets));
      for (const secret of mounted) expect(made).toContain(secret);
      for (const name of env) {
        const value = vars[name] as string;
        const mount = container.volumeMounts.find((m: { mountPath: string }) =>
          value.startsWith(`${m.mountPath}/`),
        );
        expect(mount, `${name}=${value} is under a mount`).toBeDefined();
      }
      expect(container.readinessProbe.httpGet).toEqual({
        path: "/readyz",
        port: "https",
        scheme: "HTTPS",
      });
      const service = parse(deploy("service.yaml"));
      expect(service.spec.ports).toEqual([
        { name: "https", port: 443, targetPort: "https", protocol: "TCP" },
      ]);
      expect(container.ports[0].name).toBe("https");
      // The settings are ones `metahook serve` reads.
      const help = await run(["serve", "--help"], dir);
      const helpText = help.stdout.replace(/\s+/g, " ");
      for (const name of env) expect(helpText).toContain(`env ${name}`);
      // The walkthrough covers this mode on kind and says it is not run in CI.
      const readme = deploy("AUTH.md");
      expect(readme).toContain("not run in CI");
      expect(readme).toContain(`--auth ${mode}`);
      expect(readme).toContain("kind create cluster");
    },
  );

  it("refuses an unknown mode with the choices", async () => {
    const dir = freshDir("auth-bad");
    writeFileSync(join(dir, "crd.yaml"), blogCrd);
    const res = await run(
      ["scaffold", "controller", "--crd", "crd.yaml", "--children", "", "--auth", "token"],
      dir,
    );
    expect(res.code).toBe(2);
    expect(res.stderr).toMatch(/Allowed choices are bearer, basic, mtls/);
  });
});

describe("validateManifest", () => {
  const valid = scaffoldController({
    crds: [{ path: "crd.yaml", content: scaffoldCrd({ group: "example.com", kind: "Blog" }).yaml }],
    children: "services.v1",
  });
  const deployment = parse(
    valid.files.find((f) => f.path === "deploy/deployment.yaml")?.content ?? "",
  ) as IDeployment;

  const broken: { name: string; doc: unknown; message: RegExp }[] = [
    {
      name: "Deployment without a selector",
      doc: { ...deployment, spec: { ...deployment.spec, selector: undefined } },
      message: /Deployment .*selector/,
    },
    {
      name: "Service port out of type",
      doc: { apiVersion: "v1", kind: "Service", spec: { ports: [{ port: "eighty" }] } },
      message: /Service .*port/,
    },
    {
      name: "controller without a parent resource",
      doc: {
        ...valid.controller,
        spec: { ...(valid.controller.spec as object), parentResource: undefined },
      },
      message: /spec\.parentResource: is required/,
    },
    {
      name: "kustomization naming a missing file",
      doc: {
        apiVersion: "kustomize.config.k8s.io/v1beta1",
        kind: "Kustomization",
        resources: ["gone.yaml"],
      },
      message: /resource gone\.yaml is not among the files/,
    },
    {
      name: "a kind with no validator",
      doc: { apiVersion: "example.com/v1", kind: "Blog" },
      message: /no validator for example\.com\/v1\/Blog/,
    },
  ];

  it.each(broken)("$name is reported", ({ doc, message }) => {
    const problems = validateManifest(doc, "x.yaml", { files: new Set() });
    expect(problems.join("\n")).toMatch(message);
  });

  it("finds nothing wrong with what scaffoldController returns", () => {
    expect(validateScaffold(valid.files, ["deploy/crd.yaml"])).toEqual([]);
  });
});

describe("program options next to scaffold's --version", () => {
  it("metahook --version still prints the CLI version", async () => {
    const res = await run(["--version"]);
    expect(res.code).toBe(0);
    expect(res.stdout).toMatch(/^\d+\.\d+\.\d+/);
  });
});
