// Stage 2 — resolve every rule (apiVersion + plural resource) to a kind and a TypeScript type.
import { existsSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { type Crd, type CrdVersion, typeNameForKind } from "@metahook/crd-types";
import { apiGroup, builtinResource, groupKey } from "@metahook/runtime";
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
export interface Rule {
  readonly apiVersion: string;
  readonly resource: string;
}

/**
 * Resolves a rule: built-in kinds through the table of built-in resources and their
 * kubernetes-models interface, custom ones through the given CRDs.
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
  const group = apiGroup(rule.apiVersion);
  const version = rule.apiVersion.slice(rule.apiVersion.lastIndexOf("/") + 1);
  const crd = crds.find((c) => c.group === group && c.plural === rule.resource);
  if (crd) {
    const served = crd.versions.find((v) => v.name === version);
    if (!served?.served) {
      throw new GenControllerError(
        "UNRESOLVED_RULE",
        `${where}: CRD ${crd.name} (${crd.file}) does not serve version ${version}; served: ${crd.versions
          .filter((v) => v.served)
          .map((v) => v.name)
          .join(", ")}`,
      );
    }
    return {
      groupKey: groupKey(rule.apiVersion, crd.kind),
      apiVersion: rule.apiVersion,
      group,
      version,
      kind: crd.kind,
      resource: rule.resource,
      namespaced: crd.scope !== "Cluster",
      importFrom: `${typesDir}/${group}/${version}/${crd.kind}.js`,
      importName: typeNameForKind(crd.kind),
      crd: { crd, version: served },
    };
  }
  const builtin = builtinResource(rule.apiVersion, rule.resource);
  if (builtin && hasModel(rule.apiVersion, builtin.kind)) {
    return {
      groupKey: groupKey(rule.apiVersion, builtin.kind),
      apiVersion: rule.apiVersion,
      group,
      version,
      kind: builtin.kind,
      resource: rule.resource,
      namespaced: builtin.namespaced,
      importFrom: `kubernetes-models/${rule.apiVersion}/${builtin.kind}`,
      importName: `I${builtin.kind}`,
    };
  }
  const hint = builtin
    ? `${builtin.kind} is built in but kubernetes-models has no ${rule.apiVersion}/${builtin.kind}; pass its CRD with --crd`
    : group === ""
      ? `the core group has no resource "${rule.resource}" (plural, lowercase, e.g. "configmaps")`
      : `pass the CRD that defines ${rule.resource}.${group} with --crd`;
  throw new GenControllerError(
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
