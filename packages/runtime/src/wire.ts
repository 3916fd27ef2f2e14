// What a hook's return value becomes on the wire, computed in one walk instead of a
// JSON.stringify/JSON.parse round trip: the guards check exactly what Metacontroller
// will read, and the result is then serialized once.

type Json = { [key: string]: unknown };

/** Thrown when a value cannot be serialized as JSON (cycle, BigInt). */
export class WireError extends Error {
  override readonly name = "WireError";
}

// Deeper than this, the walk hands the subtree to JSON.stringify, which tells a cycle
// (TypeError) from merely deep data; Kubernetes objects are a dozen levels deep.
const MAX_DEPTH = 100;

/**
 * The JSON value `JSON.stringify(value)` would write, as plain objects and arrays:
 * `toJSON()` applied (with its key, as `JSON.stringify` does), `undefined`, functions and
 * symbols dropped from objects and turned into `null` in arrays, non-finite numbers
 * turned into `null`, boxed primitives unwrapped. Parts that already are plain JSON are
 * returned as they are, not copied.
 *
 * @throws {@link WireError} for a cycle or a BigInt, with `JSON.stringify`'s message.
 */
export function toWire(value: unknown): unknown {
  return wire(value, "", 0, FULL);
}

/**
 * Which parts of a value {@link toWireAt} converts: `"full"` converts everything below, a
 * `"shallow"` value becomes its wire form itself (`toJSON` applied, `undefined` dropped, ...)
 * but its fields are left as they are, and an object spec converts every entry of an object
 * shallowly except the fields (`fields`) or array items (`items`) it names, which get their
 * own spec. With `only`, an object's entries are not visited at all except the fields `only`
 * names: for a reader that looks up those fields and never lists an object's keys (a field
 * that JSON would drop then reads as `undefined`, as on the wire).
 */
export type WirePaths =
  | "full"
  | "shallow"
  | {
      readonly fields?: { readonly [key: string]: WirePaths };
      readonly items?: WirePaths;
      readonly only?: { readonly [key: string]: WirePaths };
      /**
       * A quick test for the common case: `true` when the value already is its own wire form
       * along these paths (so it is returned as it is, without the walk).
       */
      readonly plain?: (value: unknown) => boolean;
    };

const FULL: WirePaths = "full";
const SHALLOW: WirePaths = "shallow";

/**
 * {@link toWire} along `paths` only: the parts `paths` names are exactly what
 * `JSON.stringify` would write, and the rest is left for `JSON.stringify` itself, so that
 * `JSON.stringify(toWireAt(value, paths)) === JSON.stringify(value)` for every `paths`. The
 * guards read only a response's top level and its objects' metadata; converting just those
 * costs a walk over the metadata instead of over every field of every spec.
 *
 * @throws {@link WireError} for a cycle or a BigInt along `paths` (others surface when the
 * result is serialized).
 */
export function toWireAt(value: unknown, paths: WirePaths): unknown {
  return wire(value, "", 0, paths);
}

function wire(value: unknown, key: string | number, depth: number, paths: WirePaths): unknown {
  if (value === null) return null;
  if (typeof paths === "object" && paths.plain?.(value) === true) return value;
  if (typeof value !== "object") {
    // JSON.stringify asks functions for toJSON too (they are objects), then drops them.
    if (typeof value === "function") {
      const toJSON = (value as { toJSON?: unknown }).toJSON;
      if (typeof toJSON === "function")
        return wire(toJSON.call(value, String(key)), key, depth, paths);
    }
    return primitive(value, key);
  }
  if (typeof (value as { toJSON?: unknown }).toJSON === "function") {
    return wire((value as { toJSON(key: string): unknown }).toJSON(String(key)), key, depth, paths);
  }
  if (depth > MAX_DEPTH) return viaStringify(value);
  const plain = Array.isArray(value) || hasPlainPrototype(value);
  // A plain value's fields are JSON.stringify's to convert when the caller does not read them.
  if (paths === SHALLOW && plain) return value;
  // What a value that is not plain holds is converted whole (rare: Map, Set, a class).
  const spec = typeof paths === "string" ? undefined : paths;
  if (Array.isArray(value)) {
    const itemPaths = spec === undefined ? FULL : (spec.items ?? SHALLOW);
    let out: unknown[] | undefined;
    for (let i = 0; i < value.length; i++) {
      const item: unknown = value[i];
      let next = typeof item === "string" ? item : wire(item, i, depth + 1, itemPaths);
      if (next === undefined) next = null;
      if (next !== item && out === undefined) out = value.slice(0, i);
      if (out !== undefined) out.push(next);
    }
    return out ?? value;
  }
  if (!plain) return otherObject(value, key, depth);
  if (spec?.only !== undefined) return onlyFields(value as Json, depth, spec.only);
  const fields = spec?.fields;
  // A plain object: for-in sees exactly its own enumerable string keys (nothing is
  // inherited from Object.prototype or null), without allocating a key array.
  const source = value as Json;
  let out: Json | undefined;
  for (const k in source) {
    const item = source[k];
    // Strings and finite numbers are most of a Kubernetes object; they stay as they are.
    const next =
      typeof item === "string" || (typeof item === "number" && Number.isFinite(item))
        ? item
        : wire(item, k, depth + 1, spec === undefined ? FULL : (fields?.[k] ?? SHALLOW));
    if (next !== item && out === undefined) {
      out = {};
      for (const earlier in source) {
        if (earlier === k) break;
        out[earlier] = source[earlier];
      }
    }
    if (out !== undefined && next !== undefined) out[k] = next;
  }
  return out ?? value;
}

/**
 * Whether a value is a plain object (its prototype `Object.prototype` or `null`) without
 * `toJSON`: JSON.stringify writes its own fields as they are.
 */
export function isPlainRecord(value: unknown): value is Json {
  return (
    typeof value === "object" &&
    value !== null &&
    hasPlainPrototype(value) &&
    typeof (value as Json).toJSON !== "function"
  );
}

// Object literals and JSON.parse output, and Object.create(null).
function hasPlainPrototype(value: object): boolean {
  const proto: unknown = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

/** Whether a value is a plain object of strings only: its own wire form, whole. */
export function isStringRecord(value: unknown): boolean {
  if (!isPlainRecord(value)) return false;
  for (const k in value) if (typeof value[k] !== "string") return false;
  return true;
}

// The fields `only` names, converted; the object copied (keys in their order) only if one
// of them changes.
function onlyFields(
  source: Json,
  depth: number,
  only: { readonly [key: string]: WirePaths },
): Json {
  let out: Json | undefined;
  for (const k in only) {
    const item = source[k];
    if (item === undefined || typeof item === "string") continue;
    if (typeof item === "number" && Number.isFinite(item)) continue;
    const next = wire(item, k, depth + 1, only[k] as WirePaths);
    if (next === item) continue;
    out ??= { ...source };
    out[k] = next;
  }
  return out ?? source;
}

// Instances of other classes (Map, Set, a user's own, boxed primitives) become what
// JSON.stringify makes of them: the primitive, or a plain object of own enumerable fields.
function otherObject(value: object, key: string | number, depth: number): unknown {
  if (value instanceof Number || value instanceof String || value instanceof Boolean) {
    return primitive(value.valueOf(), key);
  }
  const source = value as Json;
  const out: Json = {};
  for (const k of Object.keys(source)) {
    const next = wire(source[k], k, depth + 1, FULL);
    if (next !== undefined) out[k] = next;
  }
  return out;
}

function primitive(value: unknown, key: string | number): unknown {
  switch (typeof value) {
    case "number":
      return Number.isFinite(value) ? value : null;
    case "string":
    case "boolean":
      return value;
    case "bigint":
      // JSON.stringify throws here unless BigInt.prototype.toJSON exists.
      if (typeof (value as unknown as { toJSON?: unknown }).toJSON === "function") {
        return wire(
          (value as unknown as { toJSON(k: string): unknown }).toJSON(String(key)),
          key,
          0,
          FULL,
        );
      }
      throw new WireError("Do not know how to serialize a BigInt");
    case "object":
      return null;
    default:
      // undefined, functions and symbols: dropped from objects, null in arrays.
      return undefined;
  }
}

function viaStringify(value: unknown): unknown {
  let text: string | undefined;
  try {
    text = JSON.stringify(value);
  } catch (error) {
    throw new WireError((error as Error).message, { cause: error });
  }
  return text === undefined ? undefined : JSON.parse(text);
}
