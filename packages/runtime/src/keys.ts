import type { HookVersion, KubeObject } from "./types.js";

/**
 * The Metacontroller group key of a kind: `Kind.version` for the core group,
 * `Kind.group/version` otherwise (Go `GroupVersionKind.MarshalText`).
 *
 * @example
 * ```ts
 * groupKey("apps/v1", "Deployment"); // "Deployment.apps/v1"
 * groupKey("v1", "Secret"); // "Secret.v1"
 * ```
 */
export function groupKey(apiVersion: string, kind: string): string {
  return `${kind}.${apiVersion}`;
}

/** A group key taken apart by {@link parseGroupKey}. */
export interface ParsedGroupKey {
  kind: string;
  apiVersion: string;
  /** `""` for the core group. */
  group: string;
  version: string;
}

/**
 * Splits a group key at its first `.` as Metacontroller does (`UnmarshalText`).
 * Returns `undefined` for a string that is not a group key.
 */
export function parseGroupKey(key: string): ParsedGroupKey | undefined {
  const dot = key.indexOf(".");
  if (dot <= 0 || dot === key.length - 1) return undefined;
  const kind = key.slice(0, dot);
  const apiVersion = key.slice(dot + 1);
  const slash = apiVersion.lastIndexOf("/");
  const group = slash === -1 ? "" : apiVersion.slice(0, slash);
  const version = slash === -1 ? apiVersion : apiVersion.slice(slash + 1);
  if (version === "" || (slash !== -1 && group === "")) return undefined;
  return { kind, apiVersion, group, version };
}

/** The API group of an `apiVersion` (`""` for the core group `v1`). */
export function apiGroup(apiVersion: string): string {
  const slash = apiVersion.lastIndexOf("/");
  return slash === -1 ? "" : apiVersion.slice(0, slash);
}

/** What {@link objectKey} needs to know besides the object. */
export interface ObjectKeyOptions {
  /** The hook version whose keying applies. */
  hookVersion: HookVersion;
  /** The parent's namespace, `""` or absent for a cluster-scoped parent. */
  parentNamespace?: string | undefined;
}

/**
 * The inner key under which Metacontroller sends an object, or `undefined` when a
 * v1 request drops it (an object of another namespace, or a cluster-scoped object,
 * seen from a namespaced parent).
 *
 * - v1 (`relativeName`): `namespace/name` for a namespaced object of a
 *   cluster-scoped parent, else `name`.
 * - v2 (`qualifiedName`): `namespace/name` for every namespaced object, `name` for
 *   cluster-scoped ones.
 */
export function objectKey(object: KubeObject, options: ObjectKeyOptions): string | undefined {
  const name = object.metadata?.name ?? "";
  const namespace = object.metadata?.namespace ?? "";
  const parentNamespace = options.parentNamespace ?? "";
  if (options.hookVersion === "v2") return namespace === "" ? name : `${namespace}/${name}`;
  if (parentNamespace === "") return namespace === "" ? name : `${namespace}/${name}`;
  return namespace === parentNamespace ? name : undefined;
}

/**
 * Looks an observed object up by name (and namespace) in one group of
 * `children`, `attachments` or `related`, whichever hook version keyed it.
 *
 * With a namespace it finds a namespaced object under either keying
 * (`namespace/name`, or `name` in a v1 request whose parent is in that namespace).
 * Without one it finds the object keyed by plain `name`: a cluster-scoped object,
 * or in a v1 request a namespaced object in the parent's own namespace.
 *
 * @example
 * ```ts
 * const secret = getObject(request.children["Secret.v1"], "db", request.parent.metadata.namespace);
 * ```
 */
export function getObject<T extends KubeObject>(
  group: { readonly [innerKey: string]: T } | undefined,
  name: string,
  namespace?: string,
): T | undefined {
  if (group === undefined) return undefined;
  if (namespace === undefined || namespace === "") return group[name];
  // v2 and cluster parents key namespaced objects by namespace/name; a v1 request
  // of a namespaced parent keys them by name, all in the parent's namespace.
  const qualified = group[`${namespace}/${name}`];
  if (qualified !== undefined) return qualified;
  const relative = group[name];
  return relative !== undefined && relative.metadata?.namespace === namespace
    ? relative
    : undefined;
}

/** All objects of one group, in a stable order (by inner key). */
export function listObjects<T extends KubeObject>(
  group: { readonly [innerKey: string]: T } | undefined,
): T[] {
  if (group === undefined) return [];
  return Object.keys(group)
    .sort()
    .map((key) => group[key] as T);
}
