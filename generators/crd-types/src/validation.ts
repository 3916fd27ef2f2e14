// The schema the generated runtime model validates with: the openAPIV3Schema translated into the
// JSON Schema dialect ajv understands, keeping only checks the API server itself performs, so a
// valid object is never rejected.
import { isObject, type JsonObject } from "./normalise.js";

// String formats the API server validates and @kubernetes-models/validate implements the same
// way. Others (int32, duration — ajv's is ISO 8601, Kubernetes' is Go's) are documentation only.
const CHECKED_FORMATS: ReadonlySet<string> = new Set([
  "date-time",
  "date",
  "byte",
  "ipv4",
  "ipv6",
  "cidr",
  "uuid",
]);

// Validation keywords copied verbatim.
const COPIED = [
  "type",
  "enum",
  "required",
  "minimum",
  "maximum",
  "exclusiveMinimum",
  "exclusiveMaximum",
  "multipleOf",
  "minLength",
  "maxLength",
  "minItems",
  "maxItems",
  "uniqueItems",
  "minProperties",
  "maxProperties",
] as const;

/**
 * Translates `schema` for ajv. `note` is called for constraints that cannot be checked at runtime
 * (patterns JavaScript cannot compile); CEL rules (`x-kubernetes-validations`) are never checked.
 */
export function toValidationSchema(
  schema: JsonObject,
  apiVersion: string,
  kind: string,
  note: (path: string, detail: string) => void,
): JsonObject {
  const root = translate(schema, "", note);
  const properties = isObject(root.properties) ? { ...root.properties } : {};
  properties.apiVersion = { type: "string", enum: [apiVersion] };
  properties.kind = { type: "string", enum: [kind] };
  const required = Array.isArray(root.required)
    ? root.required.filter((k) => k !== "apiVersion" && k !== "kind")
    : [];
  return { ...root, properties, required: ["apiVersion", "kind", ...required] };
}

function translate(
  node: JsonObject,
  path: string,
  note: (path: string, detail: string) => void,
): JsonObject {
  const out: { [key: string]: unknown } = {};
  for (const key of COPIED) if (node[key] !== undefined) out[key] = node[key];
  const intOrString = node["x-kubernetes-int-or-string"] === true;
  if (intOrString) out.type = ["integer", "string"];
  if (typeof node.format === "string" && CHECKED_FORMATS.has(node.format)) out.format = node.format;
  if (typeof node.pattern === "string") {
    try {
      new RegExp(node.pattern, "u");
      out.pattern = node.pattern;
    } catch {
      note(
        path || "(root)",
        `pattern ${JSON.stringify(node.pattern)} is not a JavaScript regular expression; not checked at runtime`,
      );
    }
  }
  if (isObject(node.properties)) {
    const properties: { [key: string]: unknown } = {};
    for (const [key, child] of Object.entries(node.properties)) {
      // defineProperty, because assigning a property named `__proto__` would set the prototype.
      if (isObject(child)) {
        Object.defineProperty(properties, key, {
          value: translate(child, path === "" ? key : `${path}.${key}`, note),
          enumerable: true,
          writable: true,
          configurable: true,
        });
      }
    }
    out.properties = properties;
  }
  if (isObject(node.items)) out.items = translate(node.items, `${path}[*]`, note);
  if (isObject(node.additionalProperties))
    out.additionalProperties = translate(node.additionalProperties, `${path}{*}`, note);
  else if (typeof node.additionalProperties === "boolean")
    out.additionalProperties = node.additionalProperties;
  for (const key of ["oneOf", "anyOf", "allOf"] as const) {
    const alts = node[key];
    // The int-or-string anyOf is already expressed by the type above.
    if (!Array.isArray(alts) || (key === "anyOf" && intOrString)) continue;
    out[key] = alts.filter(isObject).map((alt) => translate(alt, path, note));
  }
  if (isObject(node.not)) out.not = translate(node.not, path, note);
  if (node["x-kubernetes-embedded-resource"] === true) {
    const properties = isObject(out.properties) ? { ...out.properties } : {};
    properties.apiVersion ??= { type: "string", minLength: 1 };
    properties.kind ??= { type: "string", minLength: 1 };
    properties.metadata ??= { type: "object" };
    out.properties = properties;
    out.type = "object";
    out.required = [
      ...new Set([...(Array.isArray(out.required) ? out.required : []), "apiVersion", "kind"]),
    ];
  }
  if (node.nullable === true) {
    // Spelled out rather than ajv's `nullable`, which rejects an enum that lacks null.
    if (out.type !== undefined)
      out.type = [...(Array.isArray(out.type) ? out.type : [out.type]), "null"];
    if (Array.isArray(out.enum) && !out.enum.includes(null)) out.enum = [...out.enum, null];
  }
  return out;
}
