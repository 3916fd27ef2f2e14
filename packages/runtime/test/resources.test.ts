import { readdirSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { describe, expect, it } from "vitest";
import { builtinResource, builtinResourceOfKind } from "../src/index.js";

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
