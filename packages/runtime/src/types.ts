import type { IObjectMeta } from "@kubernetes-models/apimachinery/apis/meta/v1/ObjectMeta";

/** Kubernetes `ObjectMeta`, as kubernetes-models types it. */
export type ObjectMeta = IObjectMeta;

/**
 * The least every Kubernetes object has on the wire. Hook payloads are JSON, so
 * everything beyond `apiVersion`, `kind` and `metadata` is left to the concrete type.
 */
export interface KubeObject {
  apiVersion: string;
  kind: string;
  metadata?: ObjectMeta;
}

/**
 * A map from Metacontroller group key (`Kind.v1` for the core group,
 * `Kind.group/version` otherwise, e.g. `"Deployment.apps/v1"`) to the object type
 * of that group. Declares which children, attachments or related objects a
 * controller works with.
 *
 * @example
 * ```ts
 * import type { ISecret } from "kubernetes-models/v1/Secret";
 * import type { IDeployment } from "kubernetes-models/apps/v1/Deployment";
 * type Children = { "Secret.v1": ISecret; "Deployment.apps/v1": IDeployment };
 * ```
 */
export type ObjectTypes = { [groupKey: string]: KubeObject };

/** Hook API versions; they differ only in how observed objects are keyed. */
export type HookVersion = "v1" | "v2";

/** The scope of a Kubernetes kind. */
export type Scope = "Namespaced" | "Cluster";

/**
 * How Metacontroller keys the observed objects of one request (CONTRACT.md §4): the sync or
 * finalize hook's version, the parent's scope, and which group keys are cluster-scoped kinds.
 * `metahook gen controller` emits it for each controller (`Keying` in `<name>.generated.ts`),
 * which makes a lookup with the wrong kind of key a compile error:
 *
 * | parent | object | v1 key | v2 key |
 * | --- | --- | --- | --- |
 * | namespaced | namespaced | `name` | `namespace/name` |
 * | cluster | namespaced | `namespace/name` | `namespace/name` |
 * | any | cluster-scoped | `name` | `name` |
 *
 * The default, `Keying` itself, says nothing (any version, any scope) and types every inner
 * key as a plain `string`: look objects up with {@link getObject} and a namespace there.
 *
 * @example
 * ```ts
 * import type { Keying } from "@metahook/runtime";
 * type BlogKeying = { version: "v2"; parent: "Namespaced"; clusterScoped: never } satisfies Keying;
 * ```
 */
export interface Keying {
  readonly version: HookVersion;
  readonly parent: Scope;
  /** The group keys of cluster-scoped kinds, as a union; `never` when every kind is namespaced. */
  readonly clusterScoped: string;
}

/** A `namespace/name` inner key. */
export type QualifiedKey = `${string}/${string}`;

/**
 * The inner key type of group `G` under keying `K`: {@link QualifiedKey} where Metacontroller
 * keys by `namespace/name` (every namespaced object under v2, namespaced objects of a
 * cluster-scoped parent under v1), else a bare `name`.
 */
export type InnerKey<K extends Keying, G> = G extends K["clusterScoped"]
  ? string
  : [K["version"]] extends ["v2"]
    ? QualifiedKey
    : [K["parent"]] extends ["Cluster"]
      ? QualifiedKey
      : string;

/** The scope of group `G`'s kind under keying `K`. */
export type ScopeOf<K extends Keying, G> = G extends K["clusterScoped"] ? "Cluster" : "Namespaced";

/**
 * An object as Metacontroller sends it: read from the API server, so it always has
 * `metadata.name`, and `metadata.namespace` when its kind is namespaced.
 */
export type Observed<T extends KubeObject, S extends Scope = Scope> = T & {
  metadata: ObjectMeta & { name: string } & (S extends "Namespaced"
      ? { namespace: string }
      : unknown);
};

/**
 * An object as a hook returns it: `metadata.name` is required (Metacontroller identifies
 * children by it); the namespace defaults to the parent's.
 */
export type Desired<T extends KubeObject> = T & { metadata: ObjectMeta & { name: string } };

/**
 * Observed objects as Metacontroller sends them: one entry per group key (always present,
 * possibly empty), each a map from inner key to object. The inner key is `name` or
 * `namespace/name` depending on the hook version and scopes; with a {@link Keying} from
 * `gen controller` the type says which, and {@link getObject} works under any keying.
 */
export type ObservedObjects<T extends ObjectTypes, K extends Keying = Keying> = {
  [G in keyof T]: { [key in InnerKey<K, G>]: Observed<T[G], ScopeOf<K, G>> };
};

/**
 * A desired object as a hook returns it: one of the declared types, with
 * `metadata.name` required (Metacontroller needs it to identify the object).
 */
export type DesiredObject<T extends ObjectTypes> = {
  [K in keyof T]: Desired<T[K]>;
}[keyof T];

/** The `status` type of an object type, or a free-form object when it declares none. */
export type StatusOf<P> = P extends { status?: infer S }
  ? Exclude<S, undefined>
  : { [key: string]: unknown };

/** Names of the hooks metahook serves. */
export type HookName = "sync" | "finalize" | "customize";

/** A label selector (`metav1.LabelSelector`). */
export interface LabelSelector {
  matchLabels?: { [key: string]: string };
  matchExpressions?: LabelSelectorRequirement[];
}

/** One requirement of a {@link LabelSelector}. */
export interface LabelSelectorRequirement {
  key: string;
  operator: "In" | "NotIn" | "Exists" | "DoesNotExist";
  values?: string[];
}

// Metacontroller's own controller types are generated once, from its CRDs
// (test/fixtures/metacontroller/crds), into src/__generated__/metacontroller; the runtime, `gen
// controller` and `scaffold` all use that copy. Type-only here: the generated models (ajv) load
// only through `@metahook/runtime/metacontroller`.
import type {
  CompositeControllerSpecChildResources,
  CompositeControllerSpecHooks,
  CompositeControllerSpecHooksCustomize,
  CompositeControllerSpecHooksCustomizeWebhook,
  DecoratorControllerSpecAttachments,
  DecoratorControllerSpecHooks,
  DecoratorControllerSpecResources,
  CompositeController as GeneratedCompositeController,
  CompositeControllerSpec as GeneratedCompositeControllerSpec,
  DecoratorController as GeneratedDecoratorController,
  DecoratorControllerSpec as GeneratedDecoratorControllerSpec,
} from "./__generated__/metacontroller/index.js";

// The generated `hooks` interfaces, as object types: code that reads a hook by name
// (`hooks[name]`) may treat them as a map, which an interface does not allow.
type HookMap<T> = { [K in keyof T]: T[K] };

/**
 * The CompositeController object Metacontroller puts in every composite request, exactly as its
 * CRD (`compositecontrollers.metacontroller.k8s.io`) defines it: generated, no escape hatches.
 */
export interface CompositeController extends Omit<GeneratedCompositeController, "spec"> {
  spec: Omit<GeneratedCompositeControllerSpec, "hooks"> & {
    hooks?: HookMap<CompositeControllerSpecHooks>;
  };
}

/** The DecoratorController object Metacontroller puts in every decorator request, as its CRD defines it. */
export interface DecoratorController extends Omit<GeneratedDecoratorController, "spec"> {
  spec: Omit<GeneratedDecoratorControllerSpec, "hooks"> & {
    hooks?: HookMap<DecoratorControllerSpecHooks>;
  };
}

/** A hook's webhook settings (`url` or `service`, `timeout`, `etag`, …), as in Metacontroller's CRDs. */
export type Webhook = CompositeControllerSpecHooksCustomizeWebhook;

/** A hook declaration: its API version (CRD default `v1`) and webhook. */
export type Hook = CompositeControllerSpecHooksCustomize;

/** A child rule of a CompositeController (`spec.childResources[]`). */
export type ChildResourceRule = CompositeControllerSpecChildResources;

/** A resource rule of a DecoratorController (`spec.resources[]`). */
export type DecoratorResourceRule = DecoratorControllerSpecResources;

/** An attachment rule of a DecoratorController (`spec.attachments[]`). */
export type AttachmentRule = DecoratorControllerSpecAttachments;

/**
 * The request of a CompositeController sync or finalize hook.
 *
 * @typeParam P - the parent type
 * @typeParam C - the children: group key → object type
 * @typeParam R - the related objects (from the customize hook): group key → object type
 * @typeParam K - how observed objects are keyed ({@link Keying}; `gen controller` emits it)
 */
export interface CompositeHookRequest<
  P extends KubeObject = KubeObject,
  C extends ObjectTypes = ObjectTypes,
  R extends ObjectTypes = ObjectTypes,
  K extends Keying = Keying,
> {
  controller: CompositeController;
  parent: Observed<P, K["parent"]>;
  children: ObservedObjects<C, K>;
  related: ObservedObjects<R, K>;
  /** `true` when Metacontroller calls the finalize hook. */
  finalizing: boolean;
}

/** Fields a composite sync/finalize response may carry besides `children`. */
interface CompositeResponseFields<P extends KubeObject> {
  /**
   * Replaces the parent's `.status` entirely; Metacontroller adds `observedGeneration`.
   * Required, because leaving it out is not "unchanged": an absent or `null` status
   * clears the parent's status to `{observedGeneration}`. Say `null` to mean exactly that.
   */
  status: StatusOf<P> | null;
  /** Requeue this parent once after that many seconds (fractions allowed). */
  resyncAfterSeconds?: number;
  /** Finalize only: `true` lets Metacontroller remove its finalizer. */
  finalized?: boolean;
}

/**
 * The response of a CompositeController sync or finalize hook. `children` is the
 * complete desired set: every observed child not listed is deleted, so it is
 * required whenever the controller declares child resources.
 */
export type CompositeHookResponse<
  P extends KubeObject = KubeObject,
  C extends ObjectTypes = ObjectTypes,
> = CompositeResponseFields<P> &
  (keyof C extends never ? { children?: DesiredObject<C>[] } : { children: DesiredObject<C>[] });

/**
 * The request of a DecoratorController sync or finalize hook.
 *
 * @typeParam O - the decorated (target) object type
 * @typeParam A - the attachments: group key → object type
 * @typeParam R - the related objects: group key → object type
 * @typeParam K - how observed objects are keyed ({@link Keying}; `gen controller` emits it)
 */
export interface DecoratorHookRequest<
  O extends KubeObject = KubeObject,
  A extends ObjectTypes = ObjectTypes,
  R extends ObjectTypes = ObjectTypes,
  K extends Keying = Keying,
> {
  controller: DecoratorController;
  object: Observed<O, K["parent"]>;
  attachments: ObservedObjects<A, K>;
  related: ObservedObjects<R, K>;
  finalizing: boolean;
}

interface DecoratorResponseFields<O extends KubeObject> {
  /** Merged into the object's labels; a `null` value deletes the label. */
  labels?: { [key: string]: string | null };
  /** Merged into the object's annotations; a `null` value deletes the annotation. */
  annotations?: { [key: string]: string | null };
  /** Replaces the object's `.status`; `null` or absent leaves it unchanged. */
  status?: StatusOf<O> | null;
  resyncAfterSeconds?: number;
  finalized?: boolean;
}

/**
 * The response of a DecoratorController sync or finalize hook. `attachments` is the
 * complete desired set and is required whenever the controller declares attachments.
 */
export type DecoratorHookResponse<
  O extends KubeObject = KubeObject,
  A extends ObjectTypes = ObjectTypes,
> = DecoratorResponseFields<O> &
  (keyof A extends never
    ? { attachments?: DesiredObject<A>[] }
    : { attachments: DesiredObject<A>[] });

/** The request of a customize hook (the field is `parent` for both controller kinds). */
export interface CustomizeHookRequest<P extends KubeObject = KubeObject, S extends Scope = Scope> {
  controller: CompositeController | DecoratorController;
  parent: Observed<P, S>;
}

/** One rule of a customize response: which related objects to send with each sync. */
export interface RelatedResourceRule {
  apiVersion: string;
  /** The plural lowercase resource name, e.g. `configmaps`. */
  resource: string;
  labelSelector?: LabelSelector;
  namespaceSelector?: LabelSelector;
  namespace?: string;
  names?: string[];
}

/** The response of a customize hook. */
export interface CustomizeHookResponse {
  relatedResources: RelatedResourceRule[];
}
