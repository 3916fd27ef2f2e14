// What Metacontroller would do with a hook's answer, without a cluster: a plan per child
// (create, update, recreate, delete, or nothing) under each rule's update strategy, and a loop
// that applies the plan to an in-memory set of objects and syncs again until the answer stops
// changing. CONTRACT.md §7 is the reference for every rule applied here.
import { createHash } from "node:crypto";
import type { ControllerDefinition } from "./define.js";
import { HookError } from "./errors.js";
import type { KindTable } from "./resources.js";
import { builtinResourceOfKind } from "./resources.js";
import { clone, ruleKind } from "./rules.js";
import { matchesSelector } from "./selector.js";
import {
  buildCompositeRequest,
  buildCustomizeRequest,
  buildDecoratorRequest,
  type InvokeOptions,
  invokeHook,
} from "./testing.js";
import type {
  CompositeController,
  CustomizeHookResponse,
  DecoratorController,
  KubeObject,
  RelatedResourceRule,
} from "./types.js";

/** The annotation in which Metacontroller keeps what the hook last asked for (dynamic apply). */
export const LAST_APPLIED_ANNOTATION = "metacontroller.k8s.io/last-applied-configuration";
/** The annotation Metacontroller puts on every attachment of a DecoratorController. */
export const DECORATOR_ANNOTATION = "metacontroller.k8s.io/decorator-controller";

/** What Metacontroller does with one child (or attachment). */
export type PlanAction = "create" | "update" | "recreate" | "delete" | "unchanged" | "kept";

/** One child in a {@link Plan}. */
export interface PlannedChild {
  readonly action: PlanAction;
  /** `Kind.group/version`. */
  readonly groupKey: string;
  readonly namespace: string;
  readonly name: string;
  /** The rule's update method (`OnDelete` when it names none). */
  readonly method: UpdateMethod;
  /** Why, when the action is not the obvious one (e.g. `OnDelete` keeps a changed child). */
  readonly reason?: string;
  /** The object as it would be after the action (`undefined` for `delete` and `recreate`). */
  readonly result?: KubeObject;
}

/** Metacontroller's child update methods. */
export type UpdateMethod =
  | "OnDelete"
  | "Recreate"
  | "InPlace"
  | "RollingRecreate"
  | "RollingInPlace";

/** What applying one answer does to the children: every child, in answer order, then deletions. */
export interface Plan {
  readonly children: readonly PlannedChild[];
}

type Json = { [key: string]: unknown };
type Rule = { apiVersion: string; resource: string; updateStrategy?: { method?: string } };

function isObject(value: unknown): value is Json {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** Deep equality of JSON values (key order ignored). */
function jsonEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a) && Array.isArray(b)) {
    return a.length === b.length && a.every((v, i) => jsonEqual(v, b[i]));
  }
  if (isObject(a) && isObject(b)) {
    const keys = Object.keys(a).filter((k) => a[k] !== undefined);
    if (keys.length !== Object.keys(b).filter((k) => b[k] !== undefined).length) return false;
    return keys.every((k) => jsonEqual(a[k], b[k]));
  }
  return false;
}

/**
 * The JSON paths at which two values differ (at most `limit`), e.g. `children[0].spec.replicas`:
 * how a flapping controller's last two answers are told apart.
 */
export function jsonDiff(a: unknown, b: unknown, limit = 20, at = ""): string[] {
  if (jsonEqual(a, b)) return [];
  if (Array.isArray(a) && Array.isArray(b)) {
    const out: string[] = [];
    for (let i = 0; i < Math.max(a.length, b.length) && out.length < limit; i++) {
      out.push(...jsonDiff(a[i], b[i], limit - out.length, `${at}[${i}]`));
    }
    return out;
  }
  if (isObject(a) && isObject(b)) {
    const out: string[] = [];
    for (const key of [...new Set([...Object.keys(a), ...Object.keys(b)])].sort()) {
      if (out.length >= limit) break;
      const path = /^[A-Za-z_$][\w$]*$/.test(key)
        ? `${at}${at === "" ? "" : "."}${key}`
        : `${at}[${JSON.stringify(key)}]`;
      out.push(...jsonDiff(a[key], b[key], limit - out.length, path));
    }
    return out;
  }
  return [`${at === "" ? "(root)" : at}: ${JSON.stringify(a)} → ${JSON.stringify(b)}`];
}

function keyOf(object: KubeObject): string {
  return `${object.kind}.${object.apiVersion} ${object.metadata?.namespace ?? ""}/${object.metadata?.name ?? ""}`;
}

function methodOf(rules: readonly Rule[], object: KubeObject, kinds: ReadonlyMap<Rule, string>) {
  const rule = rules.find(
    (r) => r.apiVersion === object.apiVersion && kinds.get(r) === object.kind,
  );
  const method = rule?.updateStrategy?.method;
  return (method ?? "OnDelete") as UpdateMethod;
}

/** What the hook asked for last time, as Metacontroller recorded it on the object. */
function lastApplied(object: KubeObject): unknown {
  const text = object.metadata?.annotations?.[LAST_APPLIED_ANNOTATION];
  if (text === undefined) return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function uidFor(key: string): string {
  const hex = createHash("sha1").update(key).digest("hex");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
}

/** Everything a plan needs to know about the controller and the objects. */
interface PlanContext {
  readonly controllerKind: "CompositeController" | "DecoratorController";
  readonly controllerName: string;
  readonly rules: readonly Rule[];
  readonly ruleKinds: ReadonlyMap<Rule, string>;
  readonly parent: KubeObject;
  readonly generateSelector: boolean;
  readonly clusterScoped: ReadonlySet<string>;
}

function namespaced(ctx: PlanContext, object: KubeObject): boolean {
  const groupKey = `${object.kind}.${object.apiVersion}`;
  if (ctx.clusterScoped.has(groupKey)) return false;
  return builtinResourceOfKind(object.apiVersion, object.kind)?.namespaced ?? true;
}

// What Metacontroller sends to the API server for a desired object: the namespace defaulted to
// the parent's, the controller reference, the selector label, the record of what was asked.
function applied(ctx: PlanContext, desired: KubeObject): KubeObject {
  const object = clone(desired) as KubeObject & { metadata: Json };
  const metadata = object.metadata as {
    namespace?: string;
    labels?: { [k: string]: string };
    annotations?: { [k: string]: string };
    ownerReferences?: Json[];
    uid?: string;
  };
  if (namespaced(ctx, object) && !metadata.namespace) {
    metadata.namespace = ctx.parent.metadata?.namespace ?? "";
  }
  const parentUid = ctx.parent.metadata?.uid ?? "";
  if (ctx.generateSelector) {
    metadata.labels = { ...metadata.labels };
    metadata.labels["controller-uid"] ??= parentUid;
  }
  metadata.annotations = {
    ...metadata.annotations,
    [LAST_APPLIED_ANNOTATION]: JSON.stringify(desired),
  };
  if (ctx.controllerKind === "DecoratorController") {
    metadata.annotations[DECORATOR_ANNOTATION] = ctx.controllerName;
  }
  const refs = metadata.ownerReferences ?? [];
  if (!refs.some((r) => r.uid === parentUid)) {
    metadata.ownerReferences = [
      ...refs,
      {
        apiVersion: ctx.parent.apiVersion,
        kind: ctx.parent.kind,
        name: ctx.parent.metadata?.name ?? "",
        uid: parentUid,
        controller: true,
        blockOwnerDeletion: true,
      },
    ];
  }
  metadata.uid = uidFor(keyOf(object));
  return object;
}

/**
 * Plans what Metacontroller does with a hook's desired children (or attachments) given the
 * observed ones: creates what is missing, deletes what is no longer desired, and handles a
 * changed child by its rule's update method: `OnDelete` (the default) keeps it, `Recreate`
 * deletes it (it is created again on a later sync), `InPlace` updates it; the `Rolling*`
 * methods move one child at a time in answer order (a real rollout also waits for the moved
 * children to pass the rule's status checks, which need a cluster to report them).
 */
function plan(
  ctx: PlanContext,
  observed: readonly KubeObject[],
  desired: readonly KubeObject[],
): Plan {
  const byKey = new Map(observed.map((o) => [keyOf(o), o]));
  const seen = new Set<string>();
  const children: PlannedChild[] = [];
  let rollingMoved = false;
  for (const want of desired) {
    const result = applied(ctx, want);
    const key = keyOf(result);
    seen.add(key);
    const method = methodOf(ctx.rules, result, ctx.ruleKinds);
    const base = {
      groupKey: `${result.kind}.${result.apiVersion}`,
      namespace: result.metadata?.namespace ?? "",
      name: result.metadata?.name ?? "",
      method,
    };
    const have = byKey.get(key);
    if (have === undefined) {
      children.push({ ...base, action: "create", result });
      continue;
    }
    if (jsonEqual(lastApplied(have), want)) {
      children.push({ ...base, action: "unchanged", result: have });
      continue;
    }
    if (method === "OnDelete") {
      children.push({
        ...base,
        action: "kept",
        reason: "OnDelete: a changed child is updated only after someone deletes it",
        result: have,
      });
      continue;
    }
    if (method.startsWith("Rolling") && rollingMoved) {
      children.push({
        ...base,
        action: "kept",
        reason: `${method}: waits until the children before it have rolled out`,
        result: have,
      });
      continue;
    }
    rollingMoved ||= method.startsWith("Rolling");
    if (method === "Recreate" || method === "RollingRecreate") {
      children.push({
        ...base,
        action: "recreate",
        reason: `${method}: deleted, created again on the next sync`,
      });
      continue;
    }
    // InPlace: the desired fields win; status and the server's own metadata stay.
    const metadata = { ...have.metadata, ...result.metadata, uid: have.metadata?.uid };
    const updated = { ...result, metadata } as KubeObject & { status?: unknown };
    const status = (have as { status?: unknown }).status;
    if (status !== undefined) updated.status = status;
    children.push({ ...base, action: "update", result: updated });
  }
  for (const have of observed) {
    const key = keyOf(have);
    if (seen.has(key)) continue;
    children.push({
      action: "delete",
      groupKey: `${have.kind}.${have.apiVersion}`,
      namespace: have.metadata?.namespace ?? "",
      name: have.metadata?.name ?? "",
      method: methodOf(ctx.rules, have, ctx.ruleKinds),
    });
  }
  return { children };
}

/** The objects as they are after a plan is applied. */
function applyPlan(p: Plan): KubeObject[] {
  return p.children.flatMap((c) => (c.result === undefined ? [] : [c.result]));
}

/** Whether a plan changes anything. */
export function planChanges(p: Plan): boolean {
  return p.children.some((c) => c.action !== "unchanged" && c.action !== "kept");
}

/** Input of {@link converge}. */
export interface ConvergeInput<P extends KubeObject = KubeObject> {
  /** The CompositeController or DecoratorController manifest. */
  readonly controller: unknown;
  /** The parent (composite) or decorated object, as the user applies it. */
  readonly parent: P;
  /** Children (or attachments) that exist already. */
  readonly observed?: readonly KubeObject[];
  /** Objects the customize hook may select as related. */
  readonly related?: readonly KubeObject[];
  /** Kinds of custom resources in rules (`resource.group` → Kind). */
  readonly kinds?: KindTable;
  /** Rounds before giving up; default 10. */
  readonly maxRounds?: number;
  /**
   * Call the finalize hook (`finalizing: true`). Default: when the parent has a
   * `deletionTimestamp` and the definition a finalize hook, as Metacontroller decides.
   */
  readonly finalizing?: boolean;
  /** Passed to every {@link invokeHook} call (validation is on by default there). */
  readonly invoke?: InvokeOptions;
}

/** One sync and what Metacontroller did with its answer. */
export interface ConvergeRound {
  readonly request: unknown;
  readonly response: unknown;
  readonly plan: Plan;
}

/** The outcome of {@link converge}. */
export interface ConvergeResult<P extends KubeObject = KubeObject> {
  /** Whether two rounds in a row gave the same answer and the last plan changed nothing. */
  readonly settled: boolean;
  readonly rounds: readonly ConvergeRound[];
  /** The parent (or decorated object) at the end: status, labels and annotations applied. */
  readonly parent: P;
  /** The children (or attachments) at the end. */
  readonly observed: readonly KubeObject[];
  /** When not settled: where the last two answers differ. */
  readonly difference: readonly string[];
}

function ruleKindMap(
  rules: readonly Rule[],
  objects: readonly KubeObject[],
  kinds: KindTable | undefined,
): Map<Rule, string> {
  return new Map(rules.map((rule) => [rule, ruleKind(rule, objects, kinds)]));
}

// The related objects Metacontroller would send for the customize hook's rules.
function selectRelated(
  rules: readonly RelatedResourceRule[],
  related: readonly KubeObject[],
  kinds: KindTable | undefined,
): KubeObject[] {
  return related.filter((object) =>
    rules.some((rule) => {
      if (rule.apiVersion !== object.apiVersion) return false;
      if (ruleKind(rule, related, kinds) !== object.kind) return false;
      if (rule.namespace !== undefined && rule.namespace !== (object.metadata?.namespace ?? "")) {
        return false;
      }
      if (rule.names !== undefined) return rule.names.includes(object.metadata?.name ?? "");
      return matchesSelector(rule.labelSelector ?? {}, object.metadata?.labels);
    }),
  );
}

// What plan() needs to know of the controller, from its manifest and definition.
function planContext(
  definition: ControllerDefinition,
  controller: unknown,
  parent: KubeObject,
  objects: readonly KubeObject[],
  kinds: KindTable | undefined,
): PlanContext {
  const manifest = controller as CompositeController | DecoratorController | undefined;
  if (manifest?.kind !== definition.kind) {
    throw new HookError(
      "INVALID_DEFINITION",
      `the manifest is a ${String(manifest?.kind)}, the definition a ${definition.kind}`,
    );
  }
  const composite = definition.kind === "CompositeController";
  const spec = (manifest.spec ?? {}) as Json;
  const rules = ((composite ? spec.childResources : spec.attachments) ?? []) as Rule[];
  return {
    controllerKind: definition.kind,
    controllerName: String((manifest.metadata as Json | undefined)?.name ?? ""),
    rules,
    ruleKinds: ruleKindMap(rules, objects, kinds),
    parent,
    generateSelector: composite && spec.generateSelector === true,
    clusterScoped: new Set(definition.clusterScopedKinds ?? []),
  };
}

/**
 * Runs a controller against an in-memory cluster as Metacontroller would: builds the request,
 * calls the hook (with the server's checks), plans and applies the answer (namespace
 * defaulting, controller reference, `generateSelector` label, last-applied annotation, update
 * strategies, deletions, the parent's status with `observedGeneration`), and syncs again until
 * two answers in a row are equal and nothing changes, or `maxRounds` is reached. A hook that
 * regenerates a password on every sync never settles, and `difference` says where.
 *
 * Controllers of things a cluster reports (Pod readiness, a Deployment's ready replicas) see
 * those objects as created, without status: nothing here plays the kubelet.
 *
 * @example
 * ```ts
 * const result = await converge(controller, { controller: manifest, parent: blog });
 * expect(result.settled, result.difference.join("\n")).toBe(true);
 * ```
 */
export async function converge<P extends KubeObject>(
  definition: ControllerDefinition,
  input: ConvergeInput<P>,
): Promise<ConvergeResult<P>> {
  const composite = definition.kind === "CompositeController";
  const kinds = input.kinds;
  let parent = clone(input.parent) as P & { metadata: Json; status?: unknown };
  parent.metadata = { ...parent.metadata };
  parent.metadata.uid ??= uidFor(keyOf(parent));
  parent.metadata.generation ??= 1;
  let observed = (input.observed ?? []).map((o) => clone(o));
  const ctx = planContext(definition, input.controller, parent, observed, kinds);
  const rounds: ConvergeRound[] = [];
  const maxRounds = input.maxRounds ?? 10;
  for (let round = 0; round < maxRounds; round++) {
    let related: KubeObject[] = [];
    let relatedResources: RelatedResourceRule[] | undefined;
    if (definition.customize) {
      const answer = (await invokeHook(
        definition,
        buildCustomizeRequest({ controller: input.controller, parent }),
        input.invoke,
      )) as CustomizeHookResponse;
      relatedResources = answer.relatedResources;
      related = selectRelated(relatedResources, input.related ?? [], kinds);
    }
    const finalizing =
      input.finalizing ??
      (parent.metadata.deletionTimestamp !== undefined && definition.finalize !== undefined);
    const common = {
      controller: input.controller,
      related,
      finalizing,
      ...(relatedResources ? { relatedResources } : {}),
      ...(kinds ? { kinds } : {}),
    };
    const request = composite
      ? buildCompositeRequest({ ...common, parent, observed })
      : buildDecoratorRequest({ ...common, object: parent, attachments: observed });
    const response = (await invokeHook(definition, request, input.invoke)) as Json;
    const desired = ((composite ? response.children : response.attachments) ?? []) as KubeObject[];
    const p = plan({ ...ctx, parent }, observed, desired);
    rounds.push({ request, response, plan: p });
    observed = applyPlan(p);
    parent = applyToParent(parent, response, composite);
    const previous = rounds[rounds.length - 2];
    if (previous !== undefined && jsonEqual(previous.response, response) && !planChanges(p)) {
      return { settled: true, rounds, parent, observed, difference: [] };
    }
    if (finalizing && response.finalized === true) {
      return { settled: true, rounds, parent, observed, difference: [] };
    }
  }
  const [a, b] = rounds.slice(-2);
  return {
    settled: false,
    rounds,
    parent,
    observed,
    difference: a && b ? jsonDiff(a.response, b.response) : [],
  };
}

// The parent as Metacontroller leaves it: a composite's status replaced (observedGeneration
// added); a decorator's labels and annotations merged (null deletes) and status replaced when
// given.
function applyToParent<P extends KubeObject & { metadata: Json }>(
  parent: P,
  response: Json,
  composite: boolean,
): P {
  const next = clone(parent) as P & { status?: unknown };
  const generation = parent.metadata.generation;
  if (composite) {
    const status = isObject(response.status) ? response.status : {};
    next.status = { ...status, observedGeneration: generation };
    return next;
  }
  for (const field of ["labels", "annotations"] as const) {
    const changes = response[field];
    if (!isObject(changes)) continue;
    const merged: { [key: string]: string } = { ...(next.metadata[field] as Json | undefined) } as {
      [key: string]: string;
    };
    for (const [k, v] of Object.entries(changes)) {
      if (v === null) delete merged[k];
      else merged[k] = String(v);
    }
    (next.metadata as Json)[field] = merged;
  }
  if (isObject(response.status)) next.status = response.status;
  return next;
}

/**
 * Plans what Metacontroller would do with one answer: see {@link converge} for the rules.
 * `controller` is the manifest; `observed` the children as they exist.
 */
export function planAnswer(input: {
  readonly definition: ControllerDefinition;
  readonly controller: unknown;
  readonly parent: KubeObject;
  readonly observed: readonly KubeObject[];
  readonly desired: readonly KubeObject[];
  readonly kinds?: KindTable;
}): Plan {
  const objects = [...input.observed, ...input.desired];
  const ctx = planContext(input.definition, input.controller, input.parent, objects, input.kinds);
  return plan(ctx, input.observed, input.desired);
}
