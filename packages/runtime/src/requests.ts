// The request builders: what Metacontroller would send, built in memory. Kept apart from
// testing.ts so that project generators can build fixtures without loading the hook server
// (fastify, pino); `@metahook/runtime/requests` is this module alone.
import { HookError } from "./errors.js";
import { groupKey, objectKey } from "./keys.js";
import type { KindTable } from "./resources.js";
import { clone, normalizeController, ruleKind } from "./rules.js";
import type {
  CompositeController,
  CompositeHookRequest,
  CustomizeHookRequest,
  DecoratorController,
  DecoratorHookRequest,
  HookVersion,
  Keying,
  KubeObject,
  ObjectTypes,
  Observed,
  ObservedObjects,
  RelatedResourceRule,
} from "./types.js";

// Metacontroller sends objects read from the API server, which always have a name; a test
// object without one would exercise a request that cannot happen.
function observed<T extends KubeObject>(object: T, what: string): Observed<T> {
  const name = object.metadata?.name;
  if (typeof name !== "string" || name === "") {
    throw new HookError(
      "INVALID_DEFINITION",
      `${what} ${object.kind || "object"} has no metadata.name; Metacontroller always sends one, so give it a name`,
    );
  }
  return clone(object) as Observed<T>;
}

function groupObjects(
  rules: readonly { apiVersion: string; kind: string }[],
  objects: readonly KubeObject[],
  hookVersion: HookVersion,
  parent: KubeObject,
): ObservedObjects<ObjectTypes> {
  const out: { [key: string]: { [inner: string]: Observed<KubeObject> } } = {};
  for (const rule of rules) out[groupKey(rule.apiVersion, rule.kind)] ??= {};
  for (const object of objects) {
    observed(object, "an observed");
    const key = groupKey(object.apiVersion, object.kind);
    const group = out[key];
    if (!group) continue;
    const inner = objectKey(object, { hookVersion, parentNamespace: parent.metadata?.namespace });
    // v1 drops objects a namespaced parent cannot see (other namespaces, cluster scope).
    if (inner !== undefined) group[inner] = clone(object) as Observed<KubeObject>;
  }
  return out;
}

function relatedRules(
  rules: readonly RelatedResourceRule[] | undefined,
  related: readonly KubeObject[],
  kinds: KindTable | undefined,
): { apiVersion: string; kind: string }[] {
  const fromRules = (rules ?? []).map((r) => ({
    apiVersion: r.apiVersion,
    kind: ruleKind(r, related, kinds),
  }));
  const fromObjects = related.map((o) => ({ apiVersion: o.apiVersion, kind: o.kind }));
  return [...fromRules, ...fromObjects];
}

/** Options both request builders take. */
export interface ObservedInput {
  /** Related objects (what the customize hook's rules select). */
  related?: readonly KubeObject[] | undefined;
  /** The customize response's rules, so groups with no objects are present too. */
  relatedResources?: readonly RelatedResourceRule[] | undefined;
  /** Build the finalize request (`finalizing: true`). */
  finalizing?: boolean | undefined;
  /** Kinds of custom resources in rules, when no observed object shows them. */
  kinds?: KindTable | undefined;
}

function observedGroups(
  hooks: { sync?: { version?: HookVersion }; finalize?: { version?: HookVersion } },
  rules: readonly { apiVersion: string; resource: string }[],
  root: KubeObject,
  observed: readonly KubeObject[],
  input: ObservedInput,
): {
  own: ObservedObjects<ObjectTypes>;
  related: ObservedObjects<ObjectTypes>;
  finalizing: boolean;
} {
  const finalizing = input.finalizing === true;
  // The finalize hook's version applies when it is the one called.
  const hookVersion = (finalizing && hooks.finalize ? hooks.finalize : hooks.sync)?.version ?? "v1";
  const related = input.related ?? [];
  const ownRules = rules.map((rule) => ({
    apiVersion: rule.apiVersion,
    kind: ruleKind(rule, observed, input.kinds),
  }));
  return {
    own: groupObjects(ownRules, observed, hookVersion, root),
    related: groupObjects(
      relatedRules(input.relatedResources, related, input.kinds),
      related,
      hookVersion,
      root,
    ),
    finalizing,
  };
}

/** Input of {@link buildCompositeRequest}. */
export interface CompositeRequestInput<P extends KubeObject> extends ObservedInput {
  /** The CompositeController manifest (as applied, e.g. parsed from YAML). */
  controller: unknown;
  parent: P;
  /** Children that exist and are owned by the parent. */
  observed?: readonly KubeObject[];
}

/**
 * Builds the sync (or finalize) request Metacontroller would send: the controller
 * as its typed Go object serializes it (hook `version` defaulted, `status: {}`),
 * one group per child rule even when empty, and inner keys per the hook version
 * (v1 drops objects a namespaced parent cannot see).
 */
export function buildCompositeRequest<
  P extends KubeObject,
  C extends ObjectTypes = ObjectTypes,
  R extends ObjectTypes = ObjectTypes,
  K extends Keying = Keying,
>(input: CompositeRequestInput<P>): CompositeHookRequest<P, C, R, K> {
  const controller = normalizeController<CompositeController>(
    input.controller,
    "CompositeController",
  );
  const { own, related, finalizing } = observedGroups(
    controller.spec.hooks ?? {},
    controller.spec.childResources ?? [],
    input.parent,
    input.observed ?? [],
    input,
  );
  return {
    controller,
    parent: observed(input.parent, "the parent") as CompositeHookRequest<P, C, R, K>["parent"],
    children: own as ObservedObjects<C, K>,
    related: related as ObservedObjects<R, K>,
    finalizing,
  };
}

/** Input of {@link buildDecoratorRequest}. */
export interface DecoratorRequestInput<O extends KubeObject> extends ObservedInput {
  /** The DecoratorController manifest. */
  controller: unknown;
  object: O;
  /** Attachments that exist and belong to the object. */
  attachments?: readonly KubeObject[];
}

/** Builds the decorator sync (or finalize) request Metacontroller would send. */
export function buildDecoratorRequest<
  O extends KubeObject,
  A extends ObjectTypes = ObjectTypes,
  R extends ObjectTypes = ObjectTypes,
  K extends Keying = Keying,
>(input: DecoratorRequestInput<O>): DecoratorHookRequest<O, A, R, K> {
  const controller = normalizeController<DecoratorController>(
    input.controller,
    "DecoratorController",
  );
  const { own, related, finalizing } = observedGroups(
    controller.spec.hooks ?? {},
    controller.spec.attachments ?? [],
    input.object,
    input.attachments ?? [],
    input,
  );
  return {
    controller,
    object: observed(input.object, "the object") as DecoratorHookRequest<O, A, R, K>["object"],
    attachments: own as ObservedObjects<A, K>,
    related: related as ObservedObjects<R, K>,
    finalizing,
  };
}

/** Builds the customize request: `{controller, parent}` (the field is `parent` for decorators too). */
export function buildCustomizeRequest<P extends KubeObject>(input: {
  controller: unknown;
  parent: P;
}): CustomizeHookRequest<P> {
  const kind = (input.controller as { kind?: unknown } | null)?.kind;
  const controller =
    kind === "DecoratorController"
      ? normalizeController<DecoratorController>(input.controller, "DecoratorController")
      : normalizeController<CompositeController>(input.controller, "CompositeController");
  return { controller, parent: observed(input.parent, "the parent") };
}
