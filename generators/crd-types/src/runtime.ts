// The shared runtime every generated version module imports, as source text: it is emitted into
// the user's output directory, so it cannot be a module of this package.

const CEL_IMPORT = 'import { Environment } from "@marcbachmann/cel-js";\n';

const CEL_COMPILE = String.raw`const compiledRules = new Map<string, CompiledRule | string>();
let environment: Environment | undefined;

// Parsed and type-checked once per rule text. A rule the evaluator cannot parse or type-check (a
// Kubernetes CEL library function it lacks, say) is reported as unchecked rather than judged.
function compileRule(rule: string): CompiledRule | string {
  let compiled = compiledRules.get(rule);
  if (compiled === undefined) {
    environment ??= new Environment({ homogeneousAggregateLiterals: false }).registerVariable(
      "self",
      "dyn",
    );
    try {
      const parsed = environment.parse(rule);
      const typed = parsed.check();
      compiled = typed.valid
        ? (context) => parsed(context)
        : "not supported by the CEL evaluator: " + firstLine(typed.error);
    } catch (error) {
      compiled = "not supported by the CEL evaluator: " + firstLine(error);
    }
    compiledRules.set(rule, compiled);
  }
  return compiled;
}

function firstLine(error: unknown): string {
  return (error instanceof Error ? error.message : String(error)).split("\n")[0] ?? "";
}
`;

const NO_CEL_COMPILE = `// No CRD of this output has a CEL rule the evaluator can run, so none is imported: the generator
// marked every rule unchecked, with its reason, and this is never reached.
function compileRule(rule: string): CompiledRule | string {
  return "not evaluated: " + rule;
}
`;

const HEAD = `import { formats, runValidateFunc, type ValidateFunc } from "@kubernetes-models/validate";
import { Ajv, type ErrorObject, type SchemaObject, ValidationError } from "ajv";
`;

const BODY = String.raw`
/**
 * The runtime model of one CRD version: its identity, a type guard and an asserting validator
 * that judge an object as the API server judges it on create, and the API server's defaulting.
 *
 * %%BT%%T%%BT%% is the object as stored and observed (defaults applied); %%BT%%I%%BT%% is what a user may write
 * (defaulted fields optional).
 */
export interface ResourceModel<T, I = T> {
  readonly apiVersion: string;
  readonly kind: string;
  /** Whether the API server would accept %%BT%%value%%BT%% (see {@link ResourceModel.check}). */
  is(value: unknown): value is I;
  /**
   * Throws a %%BT%%ValidationError%%BT%% naming every invalid path unless the API server would accept
   * %%BT%%value%%BT%%. Nulls the API server drops are accepted although %%BT%%I%%BT%% does not spell them.
   */
  validate(value: unknown): asserts value is I;
  /**
   * Judges %%BT%%value%%BT%% as the API server does on create, in its order, on a copy: prunes unknown
   * fields, drops nulls of non-nullable fields without a default, applies defaults, then checks
   * the schema, list uniqueness and the CEL rules it can evaluate. Never throws on bad input.
   */
  check(value: unknown): Verdict<T>;
  /** A copy of %%BT%%value%%BT%% pruned, without dropped nulls and with defaults applied; not validated. */
  applyDefaults<V>(value: V): V;
  /** The CEL rules of this version that are never evaluated, with the reason, by schema path. */
  uncheckedRules(): readonly UncheckedRule[];
}

/** The outcome of {@link ResourceModel.check}. */
export interface Verdict<T> {
  /** Whether the API server would accept the object (as far as the model checks). */
  readonly valid: boolean;
  /** The object as the API server would store it; undefined unless valid. */
  readonly object: T | undefined;
  /** ajv-shaped errors; %%BT%%instancePath%%BT%% is a JSON pointer into the object. */
  readonly errors: readonly ErrorObject[];
  /** CEL rules that applied to the object but were not evaluated: neither passed nor failed. */
  readonly unchecked: readonly UncheckedRule[];
}

/** A CEL rule (%%BT%%x-kubernetes-validations%%BT%%) the model did not evaluate. */
export interface UncheckedRule {
  /** JSON pointer of the value the rule applies to (schema path with %%BT%%*%%BT%% in {@link ResourceModel.uncheckedRules}). */
  readonly path: string;
  readonly rule: string;
  readonly reason: string;
}

// The embedded schema as far as admission reads it (ajv ignores the x- keywords).
interface Node {
  readonly type?: string | readonly string[];
  readonly properties?: { readonly [key: string]: Node };
  readonly items?: Node;
  readonly additionalProperties?: Node | boolean;
  readonly default?: unknown;
  readonly "x-metahook-nullable"?: boolean;
  readonly "x-kubernetes-preserve-unknown-fields"?: boolean;
  readonly "x-kubernetes-embedded-resource"?: boolean;
  readonly "x-kubernetes-list-type"?: string;
  readonly "x-kubernetes-list-map-keys"?: readonly string[];
  readonly "x-kubernetes-validations"?: readonly Rule[];
}

interface Rule {
  readonly rule: string;
  readonly message?: string;
  readonly fieldPath?: string;
  /** Set by the generator when the rule is known not to be evaluable. */
  readonly unchecked?: string;
}

type Fields = { [key: string]: unknown };

type CompiledRule = (context: { self: unknown }) => unknown;

let compiler: Ajv | undefined;

// One ajv instance for every model; created on first use so importing types costs nothing.
function ajv(): Ajv {
  if (compiler === undefined) {
    compiler = new Ajv({ allErrors: true, strict: false, logger: false });
    for (const [name, format] of Object.entries(formats)) compiler.addFormat(name, format);
  }
  return compiler;
}

/**
 * Creates the model of one CRD version. The schema is compiled on first use.
 *
 * @example
 * %%FENCE%%ts
 * const model = defineModel<MyKind, MyKindInput>("example.com/v1", "MyKind", JSON.stringify(schema));
 * model.validate(object);
 * %%FENCE%%
 */
export function defineModel<T, I = T>(
  apiVersion: string,
  kind: string,
  schema: string,
): ResourceModel<T, I> {
  let parsed: Node | undefined;
  let validator: ValidateFunc<T> | undefined;
  const root = (): Node => {
    parsed ??= JSON.parse(schema) as Node;
    return parsed;
  };
  const compiled = (): ValidateFunc<T> => {
    validator ??= ajv().compile<T>(root() as SchemaObject);
    return validator;
  };
  const check = (value: unknown): Verdict<T> => {
    const object = admit(value, root(), true);
    let errors: ErrorObject[] = [];
    try {
      runValidateFunc(compiled(), object);
    } catch (error) {
      // Duck-typed: @kubernetes-models/validate may resolve another copy of ajv than this module.
      const found: unknown = error instanceof Error ? Reflect.get(error, "errors") : undefined;
      if (!Array.isArray(found)) throw error;
      errors = [...(found as ErrorObject[])];
    }
    const unchecked: UncheckedRule[] = [];
    lists(object, root(), "", errors);
    // Like the API server, CEL rules run only on an object that passed the schema.
    if (errors.length === 0) rules(object, root(), "", true, errors, unchecked);
    const valid = errors.length === 0;
    return { valid, object: valid ? (object as T) : undefined, errors, unchecked };
  };
  return {
    apiVersion,
    kind,
    is: (value: unknown): value is I => check(value).valid,
    validate(value: unknown): asserts value is I {
      const { errors } = check(value);
      if (errors.length === 0) return;
      const error = new ValidationError([...errors]);
      error.message = errors.map((e) => "data" + e.instancePath + " " + e.message).join(", ");
      throw error;
    },
    check,
    applyDefaults: <V>(value: V): V => admit(value, root(), true) as V,
    uncheckedRules(): readonly UncheckedRule[] {
      const out: UncheckedRule[] = [];
      schemaRules(root(), "", out);
      return out;
    },
  };
}

// A fresh plain object (spelled so because the generated code never contains an empty-object type).
function fields(): Fields {
  return Object.fromEntries<unknown>([]);
}

function isFields(value: unknown): value is Fields {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function own<V>(record: { readonly [key: string]: V } | undefined, key: string): V | undefined {
  return record !== undefined && Object.prototype.hasOwnProperty.call(record, key)
    ? record[key]
    : undefined;
}

// defineProperty, because assigning a key named __proto__ would set the prototype.
function put(target: Fields, key: string, value: unknown): void {
  if (key === "__proto__")
    Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
  else target[key] = value;
}

function clone(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(clone);
  if (!isFields(value)) return value;
  const out = fields();
  for (const [key, child] of Object.entries(value)) put(out, key, clone(child));
  return out;
}

function nullable(node: Node): boolean {
  return node["x-metahook-nullable"] === true;
}

const RESOURCE_KEYS: ReadonlySet<string> = new Set(["apiVersion", "kind", "metadata"]);

// One copy-walk doing the API server's structural steps: pruning unknown fields, dropping nulls
// of non-nullable fields without a default, and defaulting (absent or such null fields, array
// items and map values alike), recursing into defaulted values too.
function admit(value: unknown, node: Node, resource: boolean): unknown {
  if (Array.isArray(value)) {
    const items = node.items;
    if (items === undefined) return clone(value);
    return value.map((item) => admit(defaulted(item, items), items, false));
  }
  if (!isFields(value)) return value;
  const properties = node.properties;
  const additional = node.additionalProperties;
  const preserve =
    node["x-kubernetes-preserve-unknown-fields"] === true || additional === true;
  const isResource = resource || node["x-kubernetes-embedded-resource"] === true;
  const out = fields();
  for (const [key, child] of Object.entries(value)) {
    if (isResource && key === "metadata") {
      // ObjectMeta is the API server's own; the CRD schema neither prunes nor defaults it.
      put(out, key, clone(child));
      continue;
    }
    const sub = own(properties, key) ?? (typeof additional === "object" ? additional : undefined);
    if (sub === undefined) {
      if (preserve || (isResource && RESOURCE_KEYS.has(key))) put(out, key, clone(child));
      continue;
    }
    const given = defaulted(child, sub);
    if (given === null && !nullable(sub)) continue;
    put(out, key, admit(given, sub, false));
  }
  if (properties !== undefined) {
    for (const [key, sub] of Object.entries(properties)) {
      if (sub.default !== undefined && !Object.prototype.hasOwnProperty.call(out, key))
        put(out, key, admit(clone(sub.default), sub, false));
    }
  }
  return out;
}

function defaulted(value: unknown, node: Node): unknown {
  return value === null && !nullable(node) && node.default !== undefined
    ? clone(node.default)
    : value;
}

function pointer(path: string, key: string | number): string {
  return path + "/" + String(key).replace(/~/g, "~0").replace(/\//g, "~1");
}

function canonical(value: unknown): string {
  if (Array.isArray(value)) return "[" + value.map(canonical).join(",") + "]";
  if (isFields(value))
    return (
      "{" +
      Object.keys(value)
        .sort()
        .map((k) => JSON.stringify(k) + ":" + canonical(value[k]))
        .join(",") +
      "}"
    );
  return JSON.stringify(value) ?? "null";
}

// x-kubernetes-list-type set (unique items) and map (unique keys), which ajv does not know.
function lists(value: unknown, node: Node, path: string, errors: ErrorObject[]): void {
  if (Array.isArray(value)) {
    const type = node["x-kubernetes-list-type"];
    const keys = node["x-kubernetes-list-map-keys"] ?? [];
    if (type === "set" || (type === "map" && keys.length > 0)) {
      const seen = new Map<string, number>();
      value.forEach((item, i) => {
        const identity =
          type === "set"
            ? canonical(item)
            : canonical(keys.map((k) => (isFields(item) ? (own(item, k) ?? null) : null)));
        const first = seen.get(identity);
        if (first === undefined) {
          seen.set(identity, i);
          return;
        }
        const what =
          type === "set"
            ? "a duplicate of item " + first + " (x-kubernetes-list-type: set)"
            : "the same " +
              keys.join(", ") +
              " as item " +
              first +
              " (x-kubernetes-list-type: map, keys " +
              identity +
              ")";
        errors.push({
          instancePath: pointer(path, i),
          schemaPath: "#/x-kubernetes-list-type",
          keyword: "x-kubernetes-list-type",
          params: { duplicateOf: first },
          message: "must not be " + what,
        });
      });
    }
    const items = node.items;
    if (items !== undefined) value.forEach((item, i) => lists(item, items, pointer(path, i), errors));
    return;
  }
  if (!isFields(value)) return;
  const additional = node.additionalProperties;
  for (const [key, child] of Object.entries(value)) {
    const sub = own(node.properties, key) ?? (typeof additional === "object" ? additional : undefined);
    if (sub !== undefined) lists(child, sub, pointer(path, key), errors);
  }
}

function rules(
  value: unknown,
  node: Node,
  path: string,
  root: boolean,
  errors: ErrorObject[],
  unchecked: UncheckedRule[],
): void {
  for (const rule of node["x-kubernetes-validations"] ?? []) {
    const run = rule.unchecked ?? compileRule(rule.rule);
    if (typeof run === "string") {
      unchecked.push({ path, rule: rule.rule, reason: run });
      continue;
    }
    let result: unknown;
    try {
      result = run({ self: toCel(value, node, root) });
    } catch (error) {
      const reason = error instanceof Error ? (error.message.split("\n")[0] ?? "") : String(error);
      unchecked.push({ path, rule: rule.rule, reason: "evaluation failed: " + reason });
      continue;
    }
    if (result === true) continue;
    if (result !== false) {
      unchecked.push({ path, rule: rule.rule, reason: "did not evaluate to a boolean" });
      continue;
    }
    errors.push({
      instancePath: path + fieldPointer(rule.fieldPath),
      schemaPath: "#/x-kubernetes-validations",
      keyword: "x-kubernetes-validations",
      params: { rule: rule.rule },
      message: rule.message ?? "failed rule: " + rule.rule,
    });
  }
  if (Array.isArray(value)) {
    const items = node.items;
    if (items !== undefined)
      value.forEach((item, i) => rules(item, items, pointer(path, i), false, errors, unchecked));
    return;
  }
  if (!isFields(value)) return;
  const additional = node.additionalProperties;
  for (const [key, child] of Object.entries(value)) {
    if (root && key === "metadata") continue;
    const sub = own(node.properties, key) ?? (typeof additional === "object" ? additional : undefined);
    if (sub !== undefined) rules(child, sub, pointer(path, key), false, errors, unchecked);
  }
}

// %%BT%%.spec.replicas%%BT%% or %%BT%%.items['a.b']%%BT%% → a JSON pointer suffix; anything else names the node itself.
function fieldPointer(fieldPath: string | undefined): string {
  if (fieldPath === undefined) return "";
  let out = "";
  for (const part of fieldPath.matchAll(/\.([A-Za-z_][A-Za-z0-9_]*)|\['([^']*)'\]/g)) {
    out = pointer(out, part[1] ?? part[2] ?? "");
  }
  return out;
}

function schemaRules(node: Node, path: string, out: UncheckedRule[]): void {
  for (const rule of node["x-kubernetes-validations"] ?? []) {
    const run = rule.unchecked ?? compileRule(rule.rule);
    if (typeof run === "string") out.push({ path: path === "" ? "/" : path, rule: rule.rule, reason: run });
  }
  const properties = node.properties;
  if (properties !== undefined)
    for (const [key, sub] of Object.entries(properties)) schemaRules(sub, pointer(path, key), out);
  if (node.items !== undefined) schemaRules(node.items, path + "/*", out);
  if (typeof node.additionalProperties === "object") schemaRules(node.additionalProperties, path + "/*", out);
}

// The value as Kubernetes' CEL sees it: integers (by schema, or any integral number where the
// schema does not say) are CEL ints; the root's metadata has only name and generateName.
function toCel(value: unknown, node: Node | undefined, root: boolean): unknown {
  if (typeof value === "number") {
    const type = node?.type;
    const integer =
      type === undefined || type === "integer" || (Array.isArray(type) && type.includes("integer"));
    return integer && Number.isInteger(value) ? BigInt(value) : value;
  }
  if (Array.isArray(value)) return value.map((item) => toCel(item, node?.items, false));
  if (!isFields(value)) return value;
  const out = fields();
  const additional = node?.additionalProperties;
  for (const [key, child] of Object.entries(value)) {
    if (root && key === "metadata" && isFields(child)) {
      const meta = fields();
      for (const k of ["name", "generateName"]) if (child[k] !== undefined) meta[k] = child[k];
      out[key] = meta;
      continue;
    }
    const sub = own(node?.properties, key) ?? (typeof additional === "object" ? additional : undefined);
    put(out, key, toCel(child, sub, false));
  }
  return out;
}

`;

const BACKTICK = String.fromCharCode(96);

/**
 * The text of the generated _runtime.ts after its banner. With cel, it imports
 * @marcbachmann/cel-js to evaluate x-kubernetes-validations rules; without, ajv is its only
 * runtime dependency.
 */
export function runtimeSource(cel: boolean): string {
  const text = HEAD + (cel ? CEL_IMPORT : "") + BODY + (cel ? CEL_COMPILE : NO_CEL_COMPILE);
  return text.replaceAll("%%FENCE%%", BACKTICK.repeat(3)).replaceAll("%%BT%%", BACKTICK);
}
