// Every example, run as Metacontroller would run it against the objects of its sample manifest:
// build the request, call the hook, apply the answer to an in-memory cluster, sync again, until
// two answers in a row agree and nothing changes. A controller that regenerates a value on every
// sync (a password, a timestamp) or fights its own output never gets there.
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import {
  type ControllerDefinition,
  defineCompositeController,
  isControllerDefinition,
  type KubeObject,
} from "@metahook/runtime";
import { converge } from "@metahook/runtime/testing";
import { type Document, REPO_ROOT, yamlDocuments } from "@metahook/test-support";
import { describe, expect, it } from "vitest";

interface Example {
  /** The example's directory and module name. */
  readonly name: string;
  /** The sample manifest holding the parents and whatever they relate to. */
  readonly sample: string;
  readonly parentKind: string;
}

const EXAMPLES: readonly Example[] = [
  { name: "catset", sample: "catset.yaml", parentKind: "CatSet" },
  { name: "configmap-list", sample: "configmaplist.yaml", parentKind: "ConfigMapList" },
  { name: "globalconfigmap", sample: "globalconfigmap.yaml", parentKind: "GlobalConfigMap" },
  { name: "pod-name-label", sample: "pod.yaml", parentKind: "Pod" },
  { name: "service-per-pod", sample: "statefulset.yaml", parentKind: "StatefulSet" },
  { name: "blog", sample: "blog.yaml", parentKind: "Blog" },
  { name: "useless-controller", sample: "uselesspod.yaml", parentKind: "UselessPod" },
  { name: "indexedjob", sample: "indexedjob.yaml", parentKind: "IndexedJob" },
  { name: "bluegreen", sample: "bluegreen.yaml", parentKind: "BlueGreenDeployment" },
];

function manifests(example: string, file: string): Document[] {
  return yamlDocuments(join(REPO_ROOT, "examples", example, "manifests", file));
}

/** `resource.group` → Kind for every CRD of the example, for the request builder. */
function kindsOf(example: string): { [resource: string]: string } {
  let crds: Document[] = [];
  try {
    crds = manifests(example, "crd.yaml");
  } catch {
    return {};
  }
  return Object.fromEntries(
    crds.map((crd) => {
      const spec = crd.spec as { group: string; names: { plural: string; kind: string } };
      return [`${spec.names.plural}.${spec.group}`, spec.names.kind];
    }),
  );
}

async function controllerOf(example: string): Promise<ControllerDefinition> {
  const url = pathToFileURL(join(REPO_ROOT, "examples", example, "src", `${example}.ts`)).href;
  const mod = (await import(url)) as { default?: unknown };
  if (isControllerDefinition(mod.default)) return mod.default;
  // A bare hook function (served at /<name>) is a composite sync hook without the runtime's
  // dispatch; converge needs a definition to call it through.
  if (typeof mod.default === "function") {
    return defineCompositeController({ sync: mod.default as (request: never) => never });
  }
  throw new Error(`${url}: no controller or hook function default export`);
}

const cases = EXAMPLES.flatMap((example) => {
  const docs = manifests(example.name, example.sample);
  const parents = docs.filter((d) => d.kind === example.parentKind);
  const others = docs.filter((d) => d.kind !== example.parentKind) as unknown as KubeObject[];
  return parents.map((parent, i) => ({
    label: `${example.name}: ${String((parent.metadata as { name?: string }).name)}`,
    example,
    // kubectl apply -n default gives a namespaced object without one its namespace.
    parent: withNamespace(parent as unknown as KubeObject, i),
    related: others,
  }));
});

function withNamespace(object: KubeObject, i: number): KubeObject {
  const metadata = { uid: `0000-sample-${i}`, ...object.metadata };
  const clusterScoped = object.kind === "GlobalConfigMap";
  if (!clusterScoped && metadata.namespace === undefined) metadata.namespace = "default";
  return { ...object, metadata };
}

describe("every example settles when Metacontroller applies its answers", () => {
  it("covers every example", () => {
    expect(new Set(cases.map((c) => c.example.name)).size).toBe(EXAMPLES.length);
  });

  it.each(cases)("$label", async ({ example, parent, related }) => {
    const definition = await controllerOf(example.name);
    const [controller] = manifests(example.name, "controller.yaml");
    const result = await converge(definition, {
      controller,
      parent,
      related,
      kinds: kindsOf(example.name),
      maxRounds: 6,
    });
    expect(result.settled, result.difference.join("\n")).toBe(true);
    // Settled means the last answer equals the one before it.
    const [before, last] = result.rounds.slice(-2);
    expect(last?.response).toEqual(before?.response);
    expect(result.rounds.length).toBeLessThanOrEqual(4);
  });
});
