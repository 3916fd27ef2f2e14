// Reading one openAPIV3Schema into checked, interned nodes. Interning gives every structurally
// identical subtree (descriptions and constraints included) the same id, which is what lets the
// model share one named type between identical subschemas.
import { CrdTypesError, type CrdTypesErrorLocation } from "./errors.js";
import { isObject, type JsonObject } from "./normalise.js";
import type { DocTag } from "./tsdoc.js";

/** The `type`s a structural schema may use. */
export type SchemaType = "object" | "array" | "string" | "integer" | "number" | "boolean";

const TYPES: ReadonlySet<string> = new Set([
  "object",
  "array",
  "string",
  "integer",
  "number",
  "boolean",
]);

/** One alternative of a `oneOf`/`anyOf` as far as it constrains the shape of an object. */
export type Alternative =
  /** `required: [...]`; `pure` when the alternative says nothing else. */
  | { readonly kind: "required"; readonly keys: readonly string[]; readonly pure: boolean }
  /** `not: {anyOf: [{required: [a]}, …]}` or `not: {required: [...]}`: none of `keys` present. */
  | { readonly kind: "none"; readonly keys: readonly string[] }
  /** Anything else: constrains values only, so every object of the base type may satisfy it. */
  | { readonly kind: "open" };

/** A checked schema node. */
export interface SchemaNode {
  /** Equal ids ⇔ structurally identical subtrees. */
  readonly id: number;
  /** Where the node was first read, for messages: `spec.containers[*].name`. */
  readonly path: string;
  readonly type: SchemaType | undefined;
  readonly nullable: boolean;
  /** Whether the schema gives a `default` (the API server fills the field in when absent). */
  readonly hasDefault: boolean;
  readonly intOrString: boolean;
  readonly preserveUnknownFields: boolean;
  readonly embeddedResource: boolean;
  readonly enumValues: readonly unknown[] | undefined;
  readonly description: string | undefined;
  readonly tags: readonly DocTag[];
  readonly properties: readonly (readonly [string, SchemaNode])[];
  readonly required: readonly string[];
  readonly items: SchemaNode | undefined;
  /** `additionalProperties`: a schema, `true`, or undefined when absent or `false`. */
  readonly additional: SchemaNode | true | undefined;
  readonly oneOf: readonly Alternative[] | undefined;
  readonly anyOf: readonly Alternative[] | undefined;
}

/** Reads the schemas of one CRD version; ids are shared across every node it reads. */
export class SchemaReader {
  readonly #ids = new Map<string, number>();
  readonly #texts = new Map<string, number>();
  readonly #location: CrdTypesErrorLocation;

  /** `location` (file, CRD, version) is attached to every error. */
  constructor(location: CrdTypesErrorLocation) {
    this.#location = location;
  }

  /** Checks `raw` (the node at dotted `path`) and its subtree; throws INVALID_SCHEMA naming the path. */
  read(raw: unknown, path: string): SchemaNode {
    if (!isObject(raw)) this.#fail(path, "a schema must be an object");
    const node = raw as JsonObject;
    if (node.$ref !== undefined) this.#fail(path, "$ref is not allowed in CRD schemas");
    const type = this.#type(node, path);
    const intOrString = node["x-kubernetes-int-or-string"] === true;
    const preserveUnknownFields = node["x-kubernetes-preserve-unknown-fields"] === true;
    const embeddedResource = node["x-kubernetes-embedded-resource"] === true;
    if (type === undefined && !intOrString && !preserveUnknownFields && !embeddedResource) {
      this.#fail(
        path,
        "the schema has no type; structural schemas need one unless x-kubernetes-int-or-string or x-kubernetes-preserve-unknown-fields is true",
      );
    }
    const properties: (readonly [string, SchemaNode])[] = [];
    if (node.properties !== undefined) {
      if (!isObject(node.properties)) this.#fail(path, "properties must be an object");
      for (const [key, child] of Object.entries(node.properties)) {
        properties.push([key, this.read(child, path === "" ? key : `${path}.${key}`)]);
      }
    }
    let items: SchemaNode | undefined;
    if (node.items !== undefined) {
      if (Array.isArray(node.items))
        this.#fail(path, "tuple items (an array of schemas) are not allowed in CRD schemas");
      items = this.read(node.items, `${path}[*]`);
    }
    let additional: SchemaNode | true | undefined;
    if (node.additionalProperties === true) additional = true;
    else if (isObject(node.additionalProperties))
      additional = this.read(node.additionalProperties, `${path}{*}`);
    const required = new Set(stringArray(node.required));
    // allOf members only ever add required fields to the shape; their value checks become tags.
    if (Array.isArray(node.allOf))
      for (const part of node.allOf)
        if (isObject(part)) for (const k of stringArray(part.required)) required.add(k);
    const enumValues = Array.isArray(node.enum) ? node.enum : undefined;
    const description = typeof node.description === "string" ? node.description : undefined;
    const isIntOrStringAnyOf = intOrString && isIntOrStringAlternatives(node.anyOf);
    const oneOf = alternatives(node.oneOf);
    const anyOf = isIntOrStringAnyOf ? undefined : alternatives(node.anyOf);
    const tags = tagsOf(node, isIntOrStringAnyOf);
    const requiredList = [...required];
    // Long texts are interned separately so the node key stays short to hash.
    const key = [
      type ?? "",
      [node.nullable === true, intOrString, preserveUnknownFields, embeddedResource]
        .map((b) => (b ? 1 : 0))
        .join(""),
      enumValues === undefined ? "" : this.#text(JSON.stringify(enumValues)),
      description === undefined ? "" : this.#text(description),
      tags.length === 0 ? "" : this.#text(JSON.stringify(tags)),
      requiredList.length === 0 ? "" : this.#text(JSON.stringify(requiredList)),
      properties.map(([k, c]) => `${this.#text(k)}:${c.id}`).join(","),
      items?.id ?? "",
      additional === true ? "t" : (additional?.id ?? ""),
      oneOf === undefined && anyOf === undefined ? "" : this.#text(JSON.stringify([oneOf, anyOf])),
    ].join(" ");
    let id = this.#ids.get(key);
    if (id === undefined) {
      id = this.#ids.size;
      this.#ids.set(key, id);
    }
    return {
      id,
      path,
      type,
      nullable: node.nullable === true,
      hasDefault: node.default !== undefined,
      intOrString,
      preserveUnknownFields,
      embeddedResource,
      enumValues,
      description,
      tags,
      properties,
      required: requiredList,
      items,
      additional,
      oneOf,
      anyOf,
    };
  }

  #text(text: string): number {
    let id = this.#texts.get(text);
    if (id === undefined) {
      id = this.#texts.size;
      this.#texts.set(text, id);
    }
    return id;
  }

  #type(node: JsonObject, path: string): SchemaType | undefined {
    const type = node.type;
    if (type === undefined) return undefined;
    if (typeof type !== "string" || !TYPES.has(type)) {
      this.#fail(
        path,
        `unknown type ${JSON.stringify(type)}; expected one of object, array, string, integer, number, boolean`,
      );
    }
    return type as SchemaType;
  }

  #fail(path: string, detail: string): never {
    throw new CrdTypesError("INVALID_SCHEMA", detail, {
      ...this.#location,
      path: path === "" ? "openAPIV3Schema" : `openAPIV3Schema.${path}`,
    });
  }
}

function stringArray(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === "string") : [];
}

function isIntOrStringAlternatives(anyOf: unknown): boolean {
  if (!Array.isArray(anyOf) || anyOf.length !== 2) return false;
  const types = anyOf.map((a) => (isObject(a) ? a.type : undefined)).sort();
  return types[0] === "integer" && types[1] === "string";
}

function alternatives(value: unknown): Alternative[] | undefined {
  if (!Array.isArray(value) || value.length === 0) return undefined;
  return value.map((alt): Alternative => {
    if (!isObject(alt)) return { kind: "open" };
    const keys = Object.keys(alt);
    const required = stringArray(alt.required);
    if (required.length > 0) return { kind: "required", keys: required, pure: keys.length === 1 };
    if (keys.length === 1 && isObject(alt.not)) {
      const none = noneOf(alt.not);
      if (none !== undefined) return { kind: "none", keys: none };
    }
    return { kind: "open" };
  });
}

function noneOf(not: JsonObject): string[] | undefined {
  const keys = Object.keys(not);
  if (keys.length !== 1) return undefined;
  if (Array.isArray(not.anyOf)) {
    const all: string[] = [];
    for (const alt of not.anyOf) {
      if (!isObject(alt) || Object.keys(alt).length !== 1) return undefined;
      const req = stringArray(alt.required);
      if (req.length !== 1) return undefined;
      all.push(...req);
    }
    return all;
  }
  // `not: {required: [a, b]}` only forbids having all of them at once, which a type cannot say.
  return undefined;
}

const NUMERIC_TAGS = [
  "minimum",
  "maximum",
  "multipleOf",
  "minLength",
  "maxLength",
  "minItems",
  "maxItems",
  "minProperties",
  "maxProperties",
] as const;

/** Every constraint of a node that the type cannot express, as TSDoc tags, in a fixed order. */
function tagsOf(node: JsonObject, intOrStringAnyOf: boolean): DocTag[] {
  const tags: DocTag[] = [];
  const add = (name: string, value: unknown): void => {
    if (value === undefined) return;
    tags.push({ name, value: typeof value === "string" ? value : JSON.stringify(value) });
  };
  add("format", node.format);
  add("defaultValue", node.default === undefined ? undefined : JSON.stringify(node.default));
  for (const name of NUMERIC_TAGS) add(name, node[name]);
  if (node.exclusiveMinimum === true) add("exclusiveMinimum", true);
  if (node.exclusiveMaximum === true) add("exclusiveMaximum", true);
  if (node.uniqueItems === true) add("uniqueItems", true);
  add("pattern", node.pattern);
  add("listType", node["x-kubernetes-list-type"]);
  const mapKeys = node["x-kubernetes-list-map-keys"];
  add("listMapKeys", Array.isArray(mapKeys) ? mapKeys.join(", ") : mapKeys);
  add("mapType", node["x-kubernetes-map-type"]);
  const validations = node["x-kubernetes-validations"];
  if (Array.isArray(validations)) {
    for (const rule of validations) {
      if (!isObject(rule)) continue;
      const lines = [typeof rule.rule === "string" ? rule.rule : JSON.stringify(rule.rule)];
      for (const field of [
        "message",
        "messageExpression",
        "reason",
        "fieldPath",
        "optionalOldSelf",
      ]) {
        if (rule[field] !== undefined)
          lines.push(
            `${field}: ${typeof rule[field] === "string" ? rule[field] : JSON.stringify(rule[field])}`,
          );
      }
      add("validation", lines.join("\n"));
    }
  }
  if (!intOrStringAnyOf) add("anyOf", node.anyOf);
  add("oneOf", node.oneOf);
  add("allOf", node.allOf);
  add("not", node.not);
  return tags;
}
