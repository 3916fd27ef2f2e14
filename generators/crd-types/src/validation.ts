// The schema the generated runtime model validates with: the openAPIV3Schema translated into the
// JSON Schema dialect ajv understands, keeping only checks the API server itself performs, so a
// valid object is never rejected; plus the x- keywords the generated runtime reads to prune,
// default and check lists and CEL rules (ajv ignores them).
import { Environment } from "@marcbachmann/cel-js";
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

/** What {@link toValidationSchema} found about the CEL rules of a schema. */
export interface CelSummary {
  /** Rules the generated runtime evaluates. */
  evaluated: number;
  /** Rules it never evaluates, each with its reason (also embedded in the schema). */
  readonly unchecked: { readonly path: string; readonly rule: string; readonly reason: string }[];
}

/**
 * Translates `schema` for ajv and the generated runtime. `note` is called for constraints that
 * cannot be checked at runtime (patterns JavaScript cannot compile); `cel` counts the CEL rules
 * (`x-kubernetes-validations`) that will be evaluated and lists those that will not.
 */
export function toValidationSchema(
  schema: JsonObject,
  apiVersion: string,
  kind: string,
  note: (path: string, detail: string) => void,
  cel: CelSummary = { evaluated: 0, unchecked: [] },
): JsonObject {
  const root = translate(schema, "", note, cel);
  const properties = isObject(root.properties) ? { ...root.properties } : {};
  properties.apiVersion = { type: "string", enum: [apiVersion] };
  properties.kind = { type: "string", enum: [kind] };
  const required = Array.isArray(root.required)
    ? root.required.filter((k) => k !== "apiVersion" && k !== "kind")
    : [];
  return { ...root, properties, required: ["apiVersion", "kind", ...required] };
}

// The same few patterns (quantities, DNS names) recur thousands of times in a corpus.
const compiledPatterns = new Map<string, boolean>();

function compiles(pattern: string): boolean {
  let ok = compiledPatterns.get(pattern);
  if (ok === undefined) {
    try {
      new RegExp(pattern, "u");
      ok = true;
    } catch {
      ok = false;
    }
    compiledPatterns.set(pattern, ok);
  }
  return ok;
}

function translate(
  node: JsonObject,
  path: string,
  note: (path: string, detail: string) => void,
  cel: CelSummary,
): JsonObject {
  const out: { [key: string]: unknown } = {};
  for (const key of COPIED) if (node[key] !== undefined) out[key] = node[key];
  const intOrString = node["x-kubernetes-int-or-string"] === true;
  if (intOrString) out.type = ["integer", "string"];
  if (typeof node.format === "string" && CHECKED_FORMATS.has(node.format)) out.format = node.format;
  if (typeof node.pattern === "string") {
    const pattern = node.pattern.includes("(?i)") ? caseInsensitive(node.pattern) : node.pattern;
    if (compiles(pattern)) {
      out.pattern = pattern;
    } else {
      note(
        path || "(root)",
        `pattern ${JSON.stringify(node.pattern)} is not a JavaScript regular expression; not checked at runtime`,
      );
    }
  }
  if (isObject(node.properties)) {
    const properties: { [key: string]: unknown } = {};
    for (const [key, child] of Object.entries(node.properties)) {
      if (!isObject(child)) continue;
      const value = translate(child, path === "" ? key : `${path}.${key}`, note, cel);
      // defineProperty, because assigning a property named `__proto__` would set the prototype.
      if (key === "__proto__") {
        Object.defineProperty(properties, key, {
          value,
          enumerable: true,
          writable: true,
          configurable: true,
        });
      } else {
        properties[key] = value;
      }
    }
    out.properties = properties;
  }
  if (isObject(node.items)) out.items = translate(node.items, `${path}[*]`, note, cel);
  if (isObject(node.additionalProperties))
    out.additionalProperties = translate(node.additionalProperties, `${path}{*}`, note, cel);
  else if (typeof node.additionalProperties === "boolean")
    out.additionalProperties = node.additionalProperties;
  for (const key of ["oneOf", "anyOf", "allOf"] as const) {
    const alts = node[key];
    // The int-or-string anyOf is already expressed by the type above.
    if (!Array.isArray(alts) || (key === "anyOf" && intOrString)) continue;
    out[key] = alts.filter(isObject).map((alt) => translate(alt, path, note, cel));
  }
  if (isObject(node.not)) out.not = translate(node.not, path, note, cel);
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
    // Not ajv's `nullable` (it throws without `type`): read by the runtime's null pruning.
    out["x-metahook-nullable"] = true;
  }
  if (node.default !== undefined) out.default = node.default;
  for (const key of ADMISSION_KEYWORDS) if (node[key] !== undefined) out[key] = node[key];
  if (Array.isArray(node["x-kubernetes-validations"])) {
    const rules = node["x-kubernetes-validations"].filter(isObject).map((rule) => {
      const text = typeof rule.rule === "string" ? rule.rule : "";
      const kept: { [key: string]: unknown } = { rule: text };
      if (typeof rule.message === "string") kept.message = rule.message;
      if (typeof rule.fieldPath === "string") kept.fieldPath = rule.fieldPath;
      const reason = uncheckedReason(text, node);
      if (reason === undefined) {
        cel.evaluated++;
      } else {
        kept.unchecked = reason;
        cel.unchecked.push({ path: path || "(root)", rule: text, reason });
      }
      return kept;
    });
    if (rules.length > 0) out["x-kubernetes-validations"] = rules;
  }
  return out;
}

// Read by the generated runtime's pruning, defaulting and list checks.
const ADMISSION_KEYWORDS = [
  "x-kubernetes-preserve-unknown-fields",
  "x-kubernetes-embedded-resource",
  "x-kubernetes-list-type",
  "x-kubernetes-list-map-keys",
] as const;

let celEnvironment: Environment | undefined;
const celVerdicts = new Map<string, string | undefined>();

/**
 * Why the generated runtime will not evaluate `rule` on `node`, or undefined when it will. The
 * runtime evaluates with the same library, so a rule that parses and type-checks here runs there.
 */
export function uncheckedReason(rule: string, node: JsonObject): string | undefined {
  if (rule === "") return "the rule is empty";
  if (/\boldSelf\b/.test(rule))
    return "transition rule (oldSelf): the API server evaluates it only on update";
  const timed = timedFields(node);
  if (
    timed.self ||
    timed.names.some((name) => new RegExp(`\\b${escapeRegExp(name)}\\b`).test(rule))
  )
    return "reads a date, date-time or duration field, which Kubernetes CEL types as a timestamp or duration and this evaluator sees as a string";
  let verdict = celVerdicts.get(rule);
  if (!celVerdicts.has(rule)) {
    celEnvironment ??= new Environment({ homogeneousAggregateLiterals: false }).registerVariable(
      "self",
      "dyn",
    );
    try {
      const checked = celEnvironment.parse(rule).check();
      verdict = checked.valid
        ? undefined
        : `not supported by the CEL evaluator: ${firstLine(checked.error)}`;
    } catch (error) {
      verdict = `not supported by the CEL evaluator: ${firstLine(error)}`;
    }
    celVerdicts.set(rule, verdict);
  }
  return verdict;
}

function firstLine(error: unknown): string {
  return (error instanceof Error ? error.message : String(error)).split("\n")[0] ?? "";
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

const TIMED_FORMATS: ReadonlySet<string> = new Set(["date", "date-time", "duration"]);

// Rules sit on a few nodes; a node with several rules is walked once.
const timedCache = new WeakMap<JsonObject, { self: boolean; names: string[] }>();

/** Whether `node` itself is a timestamp/duration, and the names of such fields below it. */
function timedFields(node: JsonObject): { self: boolean; names: string[] } {
  let timed = timedCache.get(node);
  if (timed === undefined) {
    timed = findTimedFields(node);
    timedCache.set(node, timed);
  }
  return timed;
}

function findTimedFields(node: JsonObject): { self: boolean; names: string[] } {
  const names: string[] = [];
  const visit = (n: JsonObject, key: string | undefined): void => {
    if (key !== undefined && typeof n.format === "string" && TIMED_FORMATS.has(n.format))
      names.push(key);
    if (isObject(n.properties))
      for (const [k, child] of Object.entries(n.properties)) if (isObject(child)) visit(child, k);
    if (isObject(n.items)) visit(n.items, key);
    if (isObject(n.additionalProperties)) visit(n.additionalProperties, key);
  };
  visit(node, undefined);
  const self = typeof node.format === "string" && TIMED_FORMATS.has(node.format);
  const itemTimed =
    (isObject(node.items) &&
      typeof node.items.format === "string" &&
      TIMED_FORMATS.has(node.items.format)) ||
    (isObject(node.additionalProperties) &&
      typeof node.additionalProperties.format === "string" &&
      TIMED_FORMATS.has(node.additionalProperties.format));
  return { self: self || itemTimed, names };
}

/**
 * Go RE2's inline `(?i)`, which JavaScript (before ES2025 modifiers) lacks: the flag is dropped and
 * every letter of the whole pattern matches both cases. RE2 scopes the flag to the rest of its
 * group, so this accepts a superset of what the API server accepts — never rejecting a valid value.
 */
function caseInsensitive(pattern: string): string {
  const source = pattern.replaceAll("(?i)", "");
  let out = "";
  for (let i = 0; i < source.length; i++) {
    const c = source.charAt(i);
    if (c === "\\") {
      const length = escapeLength(source, i);
      out += source.slice(i, i + length);
      i += length - 1;
    } else if (c === "[") {
      const end = classEnd(source, i);
      const body = source.slice(i + 1, end);
      out += `[${body}${otherCases(body)}]`;
      i = end;
    } else if (
      source.startsWith("(?<", i) &&
      !source.startsWith("(?<=", i) &&
      !source.startsWith("(?<!", i)
    ) {
      // A named group: its name is not part of what is matched.
      const end = source.indexOf(">", i);
      out += source.slice(i, end + 1);
      i = end;
    } else if (/[a-z]/i.test(c)) {
      out += `[${c.toLowerCase()}${c.toUpperCase()}]`;
    } else {
      out += c;
    }
  }
  return out;
}

function escapeLength(source: string, at: number): number {
  const next = source.charAt(at + 1);
  if (next === "x") return 4;
  if (next === "c") return 3;
  if (next === "u") return source.charAt(at + 2) === "{" ? source.indexOf("}", at) - at + 1 : 6;
  if ((next === "p" || next === "P") && source.charAt(at + 2) === "{")
    return source.indexOf("}", at) - at + 1;
  return 2;
}

function classEnd(source: string, at: number): number {
  for (let i = at + 1; i < source.length; i++) {
    const c = source.charAt(i);
    if (c === "\\") i += escapeLength(source, i) - 1;
    else if (c === "]" && i > at + 1) return i;
  }
  return source.length - 1;
}

/** The other-case counterparts of the letters and letter ranges in a character class body. */
function otherCases(body: string): string {
  const swap = (ch: string): string =>
    ch === ch.toLowerCase() ? ch.toUpperCase() : ch.toLowerCase();
  let extra = "";
  for (let i = 0; i < body.length; i++) {
    const c = body.charAt(i);
    if (c === "\\") {
      i += escapeLength(body, i) - 1;
    } else if (
      /[a-z]/i.test(c) &&
      body.charAt(i + 1) === "-" &&
      /[a-z]/i.test(body.charAt(i + 2))
    ) {
      extra += `${swap(c)}-${swap(body.charAt(i + 2))}`;
      i += 2;
    } else if (/[a-z]/i.test(c)) {
      extra += swap(c);
    }
  }
  return extra;
}
