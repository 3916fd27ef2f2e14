// Stage 3 — model: a controller manifest plus CRDs → everything the emitters need. Pure.
import type { Crd } from "@metahook/crd-types";
import { GenControllerError } from "./errors.js";
import type { ControllerManifest } from "./manifest.js";
import { parseRuleList, type ResolvedKind, resolveRule } from "./resolve.js";

/** Hook API versions (CRD default `v1`). */
export type HookVersion = "v1" | "v2";

/** Everything generation needs to know about one controller. */
export interface ControllerModel {
  readonly kind: "CompositeController" | "DecoratorController";
  /** `metadata.name` of the controller. */
  readonly controllerName: string;
  /** Module base name: `<name>.ts`, served at `/<name>/sync`. */
  readonly name: string;
  /** The parent kinds (one for a CompositeController; one or more resources for a decorator). */
  readonly parents: readonly ResolvedKind[];
  /** Children (composite) or attachments (decorator), in manifest order. */
  readonly children: readonly ResolvedKind[];
  /** Related kinds, declared with `metahook.dev/related` or `--related`. */
  readonly related: readonly ResolvedKind[] | undefined;
  readonly hooks: {
    readonly sync: HookVersion;
    readonly finalize: HookVersion | undefined;
    readonly customize: HookVersion | undefined;
  };
  readonly generateSelector: boolean;
  /** The manifest itself, for the request builder in tests. */
  readonly manifest: ControllerManifest;
  /** Warnings worth printing (hook URLs that will not reach the generated routes, …). */
  readonly notes: readonly string[];
}

/** The annotation that declares a customize hook's related kinds for typing. */
export const RELATED_ANNOTATION = "metahook.dev/related";

/** Options of {@link modelController}. */
export interface ModelOptions {
  /** Module base name; default: the controller's `metadata.name`. */
  readonly name?: string | undefined;
  /** Related kinds (`configmaps.v1,namespaces.v1`), overriding the annotation. */
  readonly related?: string | undefined;
  /** The manifest's file, named in errors. */
  readonly file?: string;
  /** Where CRD types are, relative to the generated module (default `./types`). */
  readonly typesDir?: string;
}

const NAME = /^[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/;

function hookVersion(hook: { version?: string } | undefined): HookVersion | undefined {
  if (!hook) return undefined;
  return hook.version === "v2" ? "v2" : "v1";
}

function webhookTarget(
  hook: { webhook?: { url?: string; path?: string } } | undefined,
): string | undefined {
  const webhook = hook?.webhook;
  if (!webhook) return undefined;
  if (webhook.url) {
    try {
      return new URL(webhook.url).pathname;
    } catch {
      return webhook.url;
    }
  }
  return webhook.path;
}

/** Builds the model of one controller, resolving every rule. */
export function modelController(
  manifest: ControllerManifest,
  crds: readonly Crd[],
  options: ModelOptions = {},
): ControllerModel {
  const controllerName = manifest.metadata.name ?? "";
  const name = options.name ?? controllerName;
  if (!NAME.test(name)) {
    throw new GenControllerError(
      "INVALID_MANIFEST",
      `"${name}" cannot name a module served at /${name}/sync; pass --name with letters, digits, '-', '_' or '.'`,
    );
  }
  const typesDir = options.typesDir ?? "./types";
  const label = `${options.file ? `${options.file}: ` : ""}${manifest.kind} ${controllerName}`;
  const resolve = (rule: { apiVersion: string; resource: string }, where: string) =>
    resolveRule(rule, crds, typesDir, `${label}: ${where}`);

  const hooks = manifest.spec.hooks ?? {};
  const sync = hookVersion(hooks.sync);
  if (!sync) {
    throw new GenControllerError(
      "INVALID_MANIFEST",
      `${label}: spec.hooks.sync: is required to generate a controller`,
    );
  }
  const model = {
    sync,
    finalize: hookVersion(hooks.finalize),
    customize: hookVersion(hooks.customize),
  };

  let parents: ResolvedKind[];
  let children: ResolvedKind[];
  let generateSelector = false;
  if (manifest.kind === "CompositeController") {
    parents = [resolve(manifest.spec.parentResource, "spec.parentResource")];
    children = (manifest.spec.childResources ?? []).map((r, i) =>
      resolve(r, `spec.childResources[${i}]`),
    );
    generateSelector = manifest.spec.generateSelector === true;
  } else {
    parents = manifest.spec.resources.map((r, i) => resolve(r, `spec.resources[${i}]`));
    children = (manifest.spec.attachments ?? []).map((r, i) =>
      resolve(r, `spec.attachments[${i}]`),
    );
  }

  const relatedText = options.related ?? manifest.metadata.annotations?.[RELATED_ANNOTATION];
  const related =
    relatedText === undefined
      ? undefined
      : parseRuleList(
          relatedText,
          `${label}: ${options.related !== undefined ? "--related" : RELATED_ANNOTATION}`,
        ).map((r, i) => resolve(r, `related[${i}]`));

  const notes: string[] = [];
  for (const hook of ["sync", "finalize", "customize"] as const) {
    const target = webhookTarget(hooks[hook]);
    const served =
      hook === "sync" || hook === "customize" ? `/${name}/${hook}` : `/${name}/finalize`;
    // A finalize hook may share the sync URL: the server dispatches finalizing requests there.
    const ok =
      target === undefined ||
      target === served ||
      (hook === "finalize" && target === `/${name}/sync`);
    if (!ok)
      notes.push(
        `${label}: hooks.${hook} calls ${target}, but metahook serves this hook at ${served}`,
      );
  }
  if (model.customize && !related) {
    notes.push(
      `${label}: has a customize hook; declare the related kinds with the ${RELATED_ANNOTATION} annotation (e.g. "configmaps.v1,namespaces.v1") or --related to type them`,
    );
  }
  return {
    kind: manifest.kind,
    controllerName,
    name,
    parents,
    children,
    related,
    hooks: model,
    generateSelector,
    manifest,
    notes,
  };
}
