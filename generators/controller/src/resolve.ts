// Stage 2 — resolve every rule (apiVersion + plural resource) to a kind and a TypeScript type.
import { existsSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { type Crd, type CrdVersion, typeNameForKind } from "@metahook/crd-types";
import { groupKey, type ResourceRule, resolveResource } from "@metahook/runtime/resources";
import { GenControllerError } from "./errors.js";

/** A rule resolved to its kind and the type that describes it. */
export interface ResolvedKind {
  /** Metacontroller's group key, `Kind.v1` or `Kind.group/version`. */
  readonly groupKey: string;
  readonly apiVersion: string;
  readonly group: string;
  readonly version: string;
  readonly kind: string;
  /** Plural resource name, as in the rule. */
  readonly resource: string;
  readonly namespaced: boolean;
  /** Module the type is imported from (relative ones are relative to the generated module). */
  readonly importFrom: string;
  /** The name the module exports. */
  readonly importName: string;
  /** The CRD and version, for custom kinds. */
  readonly crd?: { readonly crd: Crd; readonly version: CrdVersion };
}

const require = createRequire(import.meta.url);
let modelsRoot: string | undefined;

// kubernetes-models lays out one declaration file per kind: <apiVersion>/<Kind>.d.ts.
function hasModel(apiVersion: string, kind: string): boolean {
  modelsRoot ??= dirname(require.resolve("kubernetes-models/package.json"));
  return existsSync(join(modelsRoot, apiVersion, `${kind}.d.ts`));
}

/** A rule as written in a manifest. */
export type Rule = ResourceRule;

/**
 * Resolves a rule through the runtime's one resolver (`resolveResource`: the given CRDs, then
 * the built-in table) and finds the type that describes it: the kubernetes-models interface
 * of a built-in kind, the generated CRD type of a custom one.
 *
 * @param typesDir - where generated CRD types live, relative to the generated module.
 * @param where - the rule's place in the manifest, for the error message.
 */
export function resolveRule(
  rule: Rule,
  crds: readonly Crd[],
  typesDir: string,
  where: string,
): ResolvedKind {
  const found = resolveResource(rule, { crds });
  if (!found.ok) {
    if (found.reason === "unserved-version") {
      const { crd } = found;
      throw new GenControllerError(
        "UNRESOLVED_RULE",
        `${where}: CRD ${crd.name} (${crd.file}) does not serve version ${rule.apiVersion.slice(rule.apiVersion.lastIndexOf("/") + 1)}; served: ${found.served.join(", ")}`,
      );
    }
    const hint =
      found.group === ""
        ? `the core group has no resource "${rule.resource}" (plural, lowercase, e.g. "configmaps")`
        : `pass the CRD that defines ${rule.resource}.${found.group} with --crd`;
    throw unresolved(rule, where, hint);
  }
  const { resolved } = found;
  const base = {
    groupKey: groupKey(rule.apiVersion, resolved.kind),
    apiVersion: rule.apiVersion,
    group: resolved.group,
    version: resolved.version,
    kind: resolved.kind,
    resource: rule.resource,
    // Only CRDs and the built-in table answer here, and both know the scope.
    namespaced: resolved.namespaced !== false,
  };
  const crd = resolved.crd;
  if (crd) {
    const version = crd.versions.find((v) => v.name === resolved.version);
    if (!version) throw new Error(`resolveResource returned an unserved version of ${crd.name}`);
    return {
      ...base,
      importFrom: `${typesDir}/${resolved.group}/${resolved.version}/${crd.kind}.js`,
      importName: typeNameForKind(crd.kind),
      crd: { crd, version },
    };
  }
  if (!hasModel(rule.apiVersion, resolved.kind)) {
    throw unresolved(
      rule,
      where,
      `${resolved.kind} is built in but kubernetes-models has no ${rule.apiVersion}/${resolved.kind}; pass its CRD with --crd`,
    );
  }
  return {
    ...base,
    importFrom: `kubernetes-models/${rule.apiVersion}/${resolved.kind}`,
    importName: `I${resolved.kind}`,
  };
}

function unresolved(rule: Rule, where: string, hint: string): GenControllerError {
  return new GenControllerError(
    "UNRESOLVED_RULE",
    `${where}: {apiVersion: ${rule.apiVersion}, resource: ${rule.resource}} matches no built-in kind and no given CRD; ${hint}`,
  );
}

/**
 * Parses a related-resources list (`configmaps.v1,deployments.apps/v1`) as given in the
 * `metahook.dev/related` annotation or the `--related` option.
 */
export function parseRuleList(text: string, where: string): Rule[] {
  return text
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean)
    .map((item) => {
      const dot = item.indexOf(".");
      if (dot <= 0 || dot === item.length - 1) {
        throw new GenControllerError(
          "INVALID_MANIFEST",
          `${where}: "${item}" is not <plural>.<apiVersion> (e.g. configmaps.v1 or deployments.apps/v1)`,
        );
      }
      return { resource: item.slice(0, dot), apiVersion: item.slice(dot + 1) };
    });
}
