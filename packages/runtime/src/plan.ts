// What the guards need to know about a controller (the CompositeController or
// DecoratorController object in every request), worked out once per controller
// version instead of on every call and for every child.
import { groupKey } from "./keys.js";
import { builtinResource, builtinResourceOfKind } from "./resources.js";
import type { HookVersion } from "./types.js";

/** Scope knowledge the guards need beyond the built-in kinds. */
export interface GuardOptions {
  /**
   * Group keys (`Kind.group/version`) of custom kinds that are cluster-scoped.
   * Kinds that are neither built in nor listed are taken as namespaced.
   */
  clusterScopedKinds?: readonly string[] | undefined;
}

/** A controller's rules and hook versions, as the guards use them. */
export interface ControllerPlan {
  /**
   * Group keys of the built-in rules among `childResources` (composite) or
   * `attachments` (decorator), resolved from their plural resource names, in rule order.
   */
  readonly ruleKeys: ReadonlySet<string>;
  /** `spec.generateSelector` (composite only). */
  readonly generateSelector: boolean;
  /** Declared version of each hook (CRD default `v1`). */
  readonly hookVersion: { readonly [hook in "sync" | "finalize" | "customize"]: HookVersion };
  /**
   * Metacontroller's timeout of each hook's webhook in ms: `webhook.timeout` (a Go duration),
   * 10 s when unset, not positive or not a duration, as Metacontroller does. A finalize hook
   * without a webhook of its own is the sync webhook called with `finalizing: true`.
   */
  readonly webhookTimeoutMs: { readonly [hook in "sync" | "finalize" | "customize"]: number };
  /**
   * Whether objects of this kind are namespaced (built-in table, then `clusterScopedKinds`).
   * Pass the group key when it is at hand, to save building it again.
   */
  namespaced(apiVersion: string, kind: string, key?: string): boolean;
  /** {@link groupKey} of a kind, the same string each time (memoized per plan). */
  keyOf(apiVersion: string, kind: string): string;
}

type Json = { [key: string]: unknown };

const isObject = (value: unknown): value is Json =>
  typeof value === "object" && value !== null && !Array.isArray(value);

function versionOf(hooks: unknown, hook: string): HookVersion {
  return isObject(hooks) && isObject(hooks[hook]) && hooks[hook].version === "v2" ? "v2" : "v1";
}

/** Metacontroller's webhook timeout when `webhook.timeout` is unset (or not positive). */
export const DEFAULT_WEBHOOK_TIMEOUT_MS = 10_000;

const DURATION_UNIT_MS: { [unit: string]: number } = {
  ns: 1e-6,
  us: 1e-3,
  "\u00b5s": 1e-3,
  "\u03bcs": 1e-3,
  ms: 1,
  s: 1e3,
  m: 60e3,
  h: 3600e3,
};
const DURATION_PART = /(\d+(?:\.\d*)?|\.\d+)(ns|us|\u00b5s|\u03bcs|ms|s|m|h)/y;

/** A Go duration string (`10s`, `1m30s`, `1.5s`, `500ms`) in ms, or `undefined` if it is not one. */
export function parseGoDuration(text: string): number | undefined {
  let rest = text.trim();
  let sign = 1;
  if (rest.startsWith("-") || rest.startsWith("+")) {
    if (rest.startsWith("-")) sign = -1;
    rest = rest.slice(1);
  }
  if (rest === "0") return 0;
  if (rest === "") return undefined;
  let total = 0;
  DURATION_PART.lastIndex = 0;
  while (DURATION_PART.lastIndex < rest.length) {
    const match = DURATION_PART.exec(rest);
    if (!match) return undefined;
    total += Number(match[1]) * (DURATION_UNIT_MS[match[2] as string] ?? Number.NaN);
  }
  return Number.isFinite(total) ? sign * total : undefined;
}

function webhookTimeoutOf(hooks: unknown, hook: string): number | undefined {
  const declared = isObject(hooks) && isObject(hooks[hook]) ? hooks[hook] : undefined;
  if (!declared) return undefined;
  const webhook = isObject(declared.webhook) ? declared.webhook : {};
  const ms = typeof webhook.timeout === "string" ? parseGoDuration(webhook.timeout) : undefined;
  return ms !== undefined && ms > 0 ? ms : DEFAULT_WEBHOOK_TIMEOUT_MS;
}

/** Works out a controller's plan (no caching; see {@link PlanCache}). */
export function makePlan(controller: unknown, options: GuardOptions = {}): ControllerPlan {
  const spec = isObject(controller) && isObject(controller.spec) ? controller.spec : {};
  const rules =
    controller && (controller as Json).kind === "DecoratorController"
      ? spec.attachments
      : spec.childResources;
  const ruleKeys = new Set<string>();
  if (Array.isArray(rules)) {
    for (const rule of rules) {
      if (
        !isObject(rule) ||
        typeof rule.apiVersion !== "string" ||
        typeof rule.resource !== "string"
      )
        continue;
      const builtin = builtinResource(rule.apiVersion, rule.resource);
      if (builtin) ruleKeys.add(groupKey(rule.apiVersion, builtin.kind));
    }
  }
  const clusterScoped = new Set(options.clusterScopedKinds ?? []);
  const scopes = new Map<string, boolean>();
  // Desired objects repeat a handful of kinds on every call: their keys are built once.
  const keys = new Map<string, Map<string, string>>();
  return {
    ruleKeys,
    generateSelector: spec.generateSelector === true,
    hookVersion: {
      sync: versionOf(spec.hooks, "sync"),
      finalize: versionOf(spec.hooks, "finalize"),
      customize: versionOf(spec.hooks, "customize"),
    },
    webhookTimeoutMs: {
      sync: webhookTimeoutOf(spec.hooks, "sync") ?? DEFAULT_WEBHOOK_TIMEOUT_MS,
      finalize:
        webhookTimeoutOf(spec.hooks, "finalize") ??
        webhookTimeoutOf(spec.hooks, "sync") ??
        DEFAULT_WEBHOOK_TIMEOUT_MS,
      customize: webhookTimeoutOf(spec.hooks, "customize") ?? DEFAULT_WEBHOOK_TIMEOUT_MS,
    },
    keyOf(apiVersion, kind) {
      let byKind = keys.get(apiVersion);
      if (byKind === undefined) {
        // Versions and kinds come from hook output; bound the memo so odd output cannot grow it.
        if (keys.size >= 64) keys.clear();
        byKind = new Map();
        keys.set(apiVersion, byKind);
      }
      let key = byKind.get(kind);
      if (key === undefined) {
        key = groupKey(apiVersion, kind);
        if (byKind.size < 256) byKind.set(kind, key);
      }
      return key;
    },
    namespaced(apiVersion, kind, key = groupKey(apiVersion, kind)) {
      let namespaced = scopes.get(key);
      if (namespaced === undefined) {
        const builtin = builtinResourceOfKind(apiVersion, kind);
        namespaced = builtin ? builtin.namespaced : !clusterScoped.has(key);
        // Keys come from hook output; bound the memo so odd output cannot grow it.
        if (scopes.size < 256) scopes.set(key, namespaced);
      }
      return namespaced;
    },
  };
}

/** One version of a controller, as Metacontroller names it. */
interface ControllerVersion {
  kind: unknown;
  uid: string;
  resourceVersion: string;
}

// Metacontroller sends the controller from its informer cache: uid and resourceVersion
// name one version of it. Hand-made requests may lack them.
function controllerVersion(controller: Json): ControllerVersion | undefined {
  const meta = controller.metadata;
  return isObject(meta) && typeof meta.uid === "string" && typeof meta.resourceVersion === "string"
    ? { kind: controller.kind, uid: meta.uid, resourceVersion: meta.resourceVersion }
    : undefined;
}

// Without a version, the spec itself is the key.
function fingerprint(controller: unknown, version: ControllerVersion | undefined): string {
  if (version !== undefined) {
    return `${String(version.kind)} ${version.uid} ${version.resourceVersion}`;
  }
  if (!isObject(controller)) return "";
  return `${String(controller.kind)} ${JSON.stringify(controller.spec) ?? ""}`;
}

const MAX_PLANS = 32;

/**
 * Plans by controller fingerprint, for one served endpoint: the first request of a
 * controller version computes its plan, every later one reuses it.
 */
export class PlanCache {
  readonly #plans = new Map<string, ControllerPlan>();
  #last: (ControllerVersion & { plan: ControllerPlan }) | undefined;
  readonly #options: GuardOptions;

  constructor(options: GuardOptions = {}) {
    this.#options = options;
  }

  /** The plan of the controller a request carries. */
  get(controller: unknown): ControllerPlan {
    // Calls of one controller version follow each other: compared field by field, the last
    // one's plan is found without building its fingerprint.
    const last = this.#last;
    if (last !== undefined && isObject(controller) && controller.kind === last.kind) {
      const meta = controller.metadata;
      if (
        isObject(meta) &&
        meta.uid === last.uid &&
        meta.resourceVersion === last.resourceVersion
      ) {
        return last.plan;
      }
    }
    const version = isObject(controller) ? controllerVersion(controller) : undefined;
    const key = fingerprint(controller, version);
    let plan = this.#plans.get(key);
    if (plan === undefined) {
      plan = makePlan(controller, this.#options);
      // Controller versions come and go (each update is a new resourceVersion); keep the recent ones.
      if (this.#plans.size >= MAX_PLANS) this.#plans.clear();
      this.#plans.set(key, plan);
    }
    this.#last = version === undefined ? undefined : { ...version, plan };
    return plan;
  }
}
