import { readdirSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { describe, expect, it } from "vitest";
import {
  BUILTIN_RESOURCES,
  builtinResource,
  builtinResourceOfKind,
  type CustomResourceSource,
  pluralOf,
  type ResolveSources,
  resolveResource,
} from "../src/index.js";

const require = createRequire(import.meta.url);
const modelsRoot = dirname(require.resolve("kubernetes-models/package.json"));

// Every kind kubernetes-models ships: <group>/<version>/<Kind>.d.ts with an apiVersion literal.
function modelKinds(): { apiVersion: string; kind: string }[] {
  const out: { apiVersion: string; kind: string }[] = [];
  const groups = readdirSync(modelsRoot, { withFileTypes: true }).filter(
    (d) => d.isDirectory() && !d.name.startsWith("_"),
  );
  for (const group of groups) {
    const versionDirs =
      group.name === "v1"
        ? [{ dir: join(modelsRoot, "v1"), apiVersion: "v1" }]
        : readdirSync(join(modelsRoot, group.name), { withFileTypes: true })
            .filter((d) => d.isDirectory())
            .map((d) => ({
              dir: join(modelsRoot, group.name, d.name),
              apiVersion: `${group.name}/${d.name}`,
            }));
    for (const { dir, apiVersion } of versionDirs) {
      for (const file of readdirSync(dir)) {
        const kind = file.replace(/\.d\.ts$/, "");
        if (!file.endsWith(".d.ts") || kind === "index" || !/^[A-Z]/.test(kind)) continue;
        out.push({ apiVersion, kind });
      }
    }
  }
  return out;
}

const SUBRESOURCE_KINDS = new Set([
  "Status",
  "WatchEvent",
  "DeleteOptions",
  "Scale",
  "DeploymentRollback",
  "TokenRequest",
]);

describe("built-in resource table", () => {
  const kinds = modelKinds();
  it("sees the kubernetes-models kinds", () => expect(kinds.length).toBeGreaterThan(100));

  // Sub-resources and nested types (ObjectMeta, PodSpec...) live beside kinds; only
  // files that define a top-level kind with apiVersion/kind are resources.
  it("knows the scope of every top-level kind kubernetes-models ships", async () => {
    const missing: string[] = [];
    for (const { apiVersion, kind } of kinds) {
      const mod = (await import(
        /* @vite-ignore */ `kubernetes-models/${apiVersion}/${kind}`
      )) as Record<string, unknown>;
      const ctor = mod[kind] as { apiVersion?: string; kind?: string } | undefined;
      if (!ctor || ctor.kind !== kind) continue;
      // Lists and sub-resource kinds (Scale, DeploymentRollback, ...) are not resources of their own.
      if (kind.endsWith("List") || SUBRESOURCE_KINDS.has(kind)) continue;
      if (!builtinResourceOfKind(apiVersion, kind)) missing.push(`${apiVersion} ${kind}`);
    }
    expect(missing).toEqual([]);
  });

  it.each([
    ["v1", "pods", "Pod", true],
    ["v1", "namespaces", "Namespace", false],
    ["apps/v1", "statefulsets", "StatefulSet", true],
    ["rbac.authorization.k8s.io/v1", "clusterroles", "ClusterRole", false],
    ["apiextensions.k8s.io/v1", "customresourcedefinitions", "CustomResourceDefinition", false],
  ])("%s %s is %s (namespaced: %s)", (apiVersion, resource, kind, namespaced) => {
    expect(builtinResource(apiVersion, resource)).toMatchObject({ kind, namespaced });
    expect(builtinResourceOfKind(apiVersion, kind)?.resource).toBe(resource);
  });
});

describe("pluralOf", () => {
  it.each([
    ["Blog", "blogs"],
    ["Policy", "policies"],
    ["Gateway", "gateways"],
    ["Ingress", "ingresses"],
    ["Box", "boxes"],
    ["Patch", "patches"],
    ["Mesh", "meshes"],
  ])("%s → %s", (kind, plural) => {
    expect(pluralOf(kind)).toBe(plural);
  });

  it("agrees with the built-in table for every regular kind it lists", () => {
    // Irregular plurals (Endpoints) are why the table exists; the rest must match the rule.
    const irregular = new Set(["Endpoints", "ResourceClaimParameters", "ResourceClassParameters"]);
    const wrong = BUILTIN_RESOURCES.filter(
      (r) => !irregular.has(r.kind) && pluralOf(r.kind) !== r.resource,
    );
    expect(wrong.map((r) => `${r.kind} → ${r.resource}`)).toEqual([]);
  });
});

const BLOG: CustomResourceSource = {
  group: "example.com",
  plural: "blogs",
  kind: "Blog",
  scope: "Namespaced",
  versions: [
    { name: "v1", served: true },
    { name: "v2", served: false },
  ],
};
const SHADOW: CustomResourceSource = {
  group: "apps",
  plural: "deployments",
  kind: "ShadowDeployment",
  scope: "Cluster",
  versions: [{ name: "v1", served: true }],
};

describe("resolveResource: one precedence for every caller", () => {
  const cases: {
    name: string;
    rule: { apiVersion: string; resource: string };
    sources: ResolveSources;
    want: { kind: string; namespaced: boolean | undefined; source: string } | { reason: string };
  }[] = [
    {
      name: "a built-in kind from the table",
      rule: { apiVersion: "apps/v1", resource: "deployments" },
      sources: {},
      want: { kind: "Deployment", namespaced: true, source: "builtin" },
    },
    {
      name: "a cluster-scoped built-in",
      rule: { apiVersion: "v1", resource: "namespaces" },
      sources: {},
      want: { kind: "Namespace", namespaced: false, source: "builtin" },
    },
    {
      name: "a custom kind from its CRD",
      rule: { apiVersion: "example.com/v1", resource: "blogs" },
      sources: { crds: [BLOG] },
      want: { kind: "Blog", namespaced: true, source: "crd" },
    },
    {
      name: "a given CRD wins over the built-in table",
      rule: { apiVersion: "apps/v1", resource: "deployments" },
      sources: { crds: [SHADOW] },
      want: { kind: "ShadowDeployment", namespaced: false, source: "crd" },
    },
    {
      name: "a CRD that does not serve the version",
      rule: { apiVersion: "example.com/v2", resource: "blogs" },
      sources: { crds: [BLOG] },
      want: { reason: "unserved-version" },
    },
    {
      name: "a kind table entry keyed resource.group",
      rule: { apiVersion: "example.com/v1", resource: "blogs" },
      sources: { kinds: { "blogs.example.com": "Blog" } },
      want: { kind: "Blog", namespaced: undefined, source: "kinds" },
    },
    {
      name: "a kind table entry keyed by the bare resource",
      rule: { apiVersion: "example.com/v1", resource: "blogs" },
      sources: { kinds: { blogs: "Blog" } },
      want: { kind: "Blog", namespaced: undefined, source: "kinds" },
    },
    {
      name: "a kind table naming a built-in keeps its scope",
      rule: { apiVersion: "v1", resource: "configmaps" },
      sources: { kinds: { configmaps: "ConfigMap" } },
      want: { kind: "ConfigMap", namespaced: true, source: "kinds" },
    },
    {
      name: "an observed object whose kind pluralizes to the resource",
      rule: { apiVersion: "example.com/v1", resource: "policies" },
      sources: { objects: [{ apiVersion: "example.com/v1", kind: "Policy" }] },
      want: { kind: "Policy", namespaced: undefined, source: "observed" },
    },
    {
      name: "an observed object of another version does not count",
      rule: { apiVersion: "example.com/v2", resource: "policies" },
      sources: { objects: [{ apiVersion: "example.com/v1", kind: "Policy" }] },
      want: { reason: "unknown" },
    },
    {
      name: "a misspelt core resource",
      rule: { apiVersion: "v1", resource: "configmap" },
      sources: {},
      want: { reason: "unknown" },
    },
  ];
  it.each(cases)("$name", ({ rule, sources, want }) => {
    const got = resolveResource(rule, sources);
    if ("reason" in want) {
      expect(got).toMatchObject({ ok: false, reason: want.reason });
    } else {
      expect(got).toMatchObject({ ok: true, resolved: want });
    }
  });
});
