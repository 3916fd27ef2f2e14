// How rules of a controller manifest resolve, shared by the request builders and the
// converge loop: the manifest as Metacontroller serializes it, and the kind behind a rule.
import { HookError } from "./errors.js";
import { type KindTable, resolveResource } from "./resources.js";
import type { CompositeController, DecoratorController, KubeObject } from "./types.js";

type Json = { [key: string]: unknown };

export function clone<T>(value: T): T {
  return JSON.parse(JSON.stringify(value)) as T;
}

// Metacontroller re-serializes its typed Go object: CRD defaults and empty structs appear.
export function normalizeController<T extends CompositeController | DecoratorController>(
  manifest: unknown,
  kind: T["kind"],
): T {
  if (typeof manifest !== "object" || manifest === null) {
    throw new HookError("INVALID_DEFINITION", `expected a ${kind} manifest object`);
  }
  const c = clone(manifest) as Json;
  if (c.kind !== undefined && c.kind !== kind) {
    throw new HookError(
      "INVALID_DEFINITION",
      `expected a ${kind} manifest, got kind ${String(c.kind)}`,
    );
  }
  const spec = (c.spec ?? {}) as Json;
  const hooks = (spec.hooks ?? {}) as { [hook: string]: Json | undefined };
  for (const hook of Object.values(hooks)) {
    if (hook && hook.version === undefined) hook.version = "v1";
  }
  const rules = (kind === "CompositeController" ? spec.childResources : spec.attachments) as
    | Json[]
    | undefined;
  for (const rule of rules ?? []) {
    const strategy = rule.updateStrategy as Json | undefined;
    if (strategy && kind === "CompositeController" && strategy.statusChecks === undefined) {
      strategy.statusChecks = {};
    }
  }
  return {
    kind,
    apiVersion: "metacontroller.k8s.io/v1alpha1",
    metadata: (c.metadata as Json | undefined) ?? {},
    spec,
    status: {},
  } as unknown as T;
}

// The request builders and converge need a kind for every rule: say how to name one if none is found.
export function ruleKind(
  rule: { apiVersion: string; resource: string },
  objects: readonly KubeObject[],
  kinds: KindTable | undefined,
): string {
  const found = resolveResource(rule, { kinds, objects });
  if (found.ok) return found.resolved.kind;
  const key = found.group ? `${rule.resource}.${found.group}` : rule.resource;
  throw new HookError(
    "INVALID_DEFINITION",
    `cannot tell the kind of rule {apiVersion: ${rule.apiVersion}, resource: ${rule.resource}}; pass kinds: { "${key}": "<Kind>" }`,
  );
}
