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

/**
 * Observed objects as Metacontroller sends them: one entry per group key (always
 * present, possibly empty), each a map from inner key to object. The inner key is
 * `name` or `namespace/name` depending on the hook version; use {@link getObject}
 * to look objects up in a way that works for both.
 */
export type ObservedObjects<T extends ObjectTypes> = {
  [K in keyof T]: { [innerKey: string]: T[K] };
};

/**
 * A desired object as a hook returns it: one of the declared types, with
 * `metadata.name` required (Metacontroller needs it to identify the object).
 */
export type DesiredObject<T extends ObjectTypes> = {
  [K in keyof T]: T[K] & { metadata: ObjectMeta & { name: string } };
}[keyof T];

/** The `status` type of an object type, or a free-form object when it declares none. */
export type StatusOf<P> = P extends { status?: infer S }
  ? Exclude<S, undefined>
  : { [key: string]: unknown };

/** Hook API versions; they differ only in how observed objects are keyed. */
export type HookVersion = "v1" | "v2";

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

/** A hook's webhook settings, as in Metacontroller's CRDs (`Webhook`). */
export interface Webhook {
  url?: string;
  timeout?: string;
  path?: string;
  service?: { name: string; namespace: string; port?: number; protocol?: string };
  etag?: { enabled?: boolean; cacheTimeoutSeconds?: number; cacheCleanupSeconds?: number };
  responseUnMarshallMode?: "loose" | "strict";
  [key: string]: unknown;
}

/** A hook declaration (`Hook`): its API version (CRD default `v1`) and webhook. */
export interface Hook {
  version?: HookVersion;
  webhook?: Webhook;
}

/** A child rule of a CompositeController (`CompositeControllerChildResourceRule`). */
export interface ChildResourceRule {
  apiVersion: string;
  resource: string;
  updateStrategy?: {
    method?: "OnDelete" | "Recreate" | "InPlace" | "RollingRecreate" | "RollingInPlace";
    statusChecks?: {
      conditions?: { type: string; status?: string; reason?: string }[];
    };
  };
}

/** The CompositeController object Metacontroller puts in every composite request. */
export interface CompositeController {
  apiVersion: "metacontroller.k8s.io/v1alpha1";
  kind: "CompositeController";
  metadata?: ObjectMeta;
  spec: {
    parentResource: {
      apiVersion: string;
      resource: string;
      labelSelector?: LabelSelector;
      revisionHistory?: { fieldPaths?: string[] };
      ignoreStatusChanges?: boolean;
    };
    childResources?: ChildResourceRule[];
    hooks?: { sync?: Hook; finalize?: Hook; customize?: Hook };
    resyncPeriodSeconds?: number;
    generateSelector?: boolean;
    [key: string]: unknown;
  };
  status?: { [key: string]: unknown };
}

/** A resource rule of a DecoratorController (`DecoratorControllerResourceRule`). */
export interface DecoratorResourceRule {
  apiVersion: string;
  resource: string;
  labelSelector?: LabelSelector;
  annotationSelector?: {
    matchAnnotations?: { [key: string]: string };
    matchExpressions?: LabelSelectorRequirement[];
  };
  ignoreStatusChanges?: boolean;
}

/** An attachment rule of a DecoratorController. */
export interface AttachmentRule {
  apiVersion: string;
  resource: string;
  updateStrategy?: {
    method?: "OnDelete" | "Recreate" | "InPlace" | "RollingRecreate" | "RollingInPlace";
  };
}

/** The DecoratorController object Metacontroller puts in every decorator request. */
export interface DecoratorController {
  apiVersion: "metacontroller.k8s.io/v1alpha1";
  kind: "DecoratorController";
  metadata?: ObjectMeta;
  spec: {
    resources: DecoratorResourceRule[];
    attachments?: AttachmentRule[];
    hooks?: { sync?: Hook; finalize?: Hook; customize?: Hook };
    resyncPeriodSeconds?: number;
    [key: string]: unknown;
  };
  status?: { [key: string]: unknown };
}

/**
 * The request of a CompositeController sync or finalize hook.
 *
 * @typeParam P - the parent type
 * @typeParam C - the children: group key → object type
 * @typeParam R - the related objects (from the customize hook): group key → object type
 */
export interface CompositeHookRequest<
  P extends KubeObject = KubeObject,
  C extends ObjectTypes = ObjectTypes,
  R extends ObjectTypes = ObjectTypes,
> {
  controller: CompositeController;
  parent: P;
  children: ObservedObjects<C>;
  related: ObservedObjects<R>;
  /** `true` when Metacontroller calls the finalize hook. */
  finalizing: boolean;
}

/** Fields a composite sync/finalize response may carry besides `children`. */
interface CompositeResponseFields<P extends KubeObject> {
  /**
   * Replaces the parent's `.status` entirely; Metacontroller adds
   * `observedGeneration`. `null` or absent clears it to `{observedGeneration}`.
   */
  status?: StatusOf<P> | null;
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
 */
export interface DecoratorHookRequest<
  O extends KubeObject = KubeObject,
  A extends ObjectTypes = ObjectTypes,
  R extends ObjectTypes = ObjectTypes,
> {
  controller: DecoratorController;
  object: O;
  attachments: ObservedObjects<A>;
  related: ObservedObjects<R>;
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
export interface CustomizeHookRequest<P extends KubeObject = KubeObject> {
  controller: CompositeController | DecoratorController;
  parent: P;
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
