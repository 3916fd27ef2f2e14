// Sample values: the smallest valid instance of a schema (for the skeleton's test parent) and a
// starter body per built-in child kind (for the skeleton's sync). Pure.
import { createRequire } from "node:module";
import { formats } from "@kubernetes-models/validate";
import { Ajv } from "ajv";
import randexp from "randexp";

type Schema = { readonly [key: string]: unknown };

function isSchema(value: unknown): value is Schema {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** A field the sampler could not give a valid value: a placeholder is in its place. */
export interface SampleTodo {
  /** Dotted path in the sample, `spec.domain`, `spec.hosts[0]`. */
  readonly path: string;
  /** What a valid value must satisfy, for the TODO a person reads. */
  readonly reason: string;
}

/** A sample value and the TODOs it leaves. */
export interface Sample {
  readonly value: unknown;
  readonly todos: readonly SampleTodo[];
}

// randexp is CommonJS whose typings claim an ES default export; under NodeNext the default import
// is the class itself. `randInt` (how choices are made) is replaceable but not in the typings.
interface Generator {
  max: number;
  randInt: (low: number, high: number) => number;
  gen(): string;
}
const RandExp = randexp as unknown as new (pattern: RegExp) => Generator;

/** Every placeholder string starts with this, so it is found and never mistaken for data. */
export const PLACEHOLDER = "TODO";

// Strings tried in order against a pattern and length bounds: what people write in specs.
const CANDIDATES = [
  "example",
  "example.com",
  "example-1",
  "example_1",
  "Example",
  "EXAMPLE",
  "a",
  "1",
  "v1",
  "1.0.0",
  "1Gi",
  "100m",
  "30s",
  "https://example.com",
  "user@example.com",
  "192.0.2.1",
  "ex",
  "ab1",
];

// A valid value per string format (the formats the API server checks, and common ones).
const FORMAT_SAMPLES: { readonly [format: string]: string } = {
  "date-time": "2026-01-01T00:00:00Z",
  date: "2026-01-01",
  byte: "ZXhhbXBsZQ==",
  ipv4: "192.0.2.1",
  ipv6: "2001:db8::1",
  cidr: "192.0.2.0/24",
  uuid: "00000000-0000-4000-8000-000000000000",
  email: "user@example.com",
  hostname: "example.com",
  uri: "https://example.com",
  url: "https://example.com",
  duration: "30s",
  password: "example",
};

function compilePattern(pattern: unknown): RegExp | undefined {
  if (typeof pattern !== "string") return undefined;
  try {
    return new RegExp(pattern, "u");
  } catch {
    // RE2 syntax JavaScript cannot compile: the API server checks it, we cannot.
    return undefined;
  }
}

function sampleString(schema: Schema, path: string, todos: SampleTodo[]): string {
  const min = typeof schema.minLength === "number" ? schema.minLength : 0;
  const max = typeof schema.maxLength === "number" ? schema.maxLength : Number.POSITIVE_INFINITY;
  const pattern = compilePattern(schema.pattern);
  const format = typeof schema.format === "string" ? FORMAT_SAMPLES[schema.format] : undefined;
  const fits = (s: string) =>
    s.length >= min && s.length <= max && (pattern === undefined || pattern.test(s));
  const tried = format === undefined ? CANDIDATES : [format, ...CANDIDATES];
  for (const candidate of tried) {
    if (fits(candidate)) return candidate;
    const padded = candidate.padEnd(min, "x");
    if (format === undefined && fits(padded)) return padded;
  }
  if (pattern !== undefined && format === undefined) {
    // The shortest strings the pattern itself describes: each choice its first alternative and
    // smallest repeat, then one more repeat, until the length bounds are met.
    const generator = new RandExp(pattern);
    for (let extra = 0; extra <= Math.max(min, 4); extra++) {
      generator.max = extra + 1;
      generator.randInt = (low: number, high: number) => Math.min(high, low + extra);
      const made = generator.gen();
      if (fits(made)) return made;
    }
  }
  const needs = [
    typeof schema.pattern === "string" ? `match ${schema.pattern}` : undefined,
    typeof schema.format === "string" ? `be a ${schema.format}` : undefined,
    min > 0 ? `have at least ${min} characters` : undefined,
    Number.isFinite(max) ? `have at most ${max} characters` : undefined,
  ].filter((n) => n !== undefined);
  todos.push({ path, reason: `set a value that must ${needs.join(", ")}` });
  return `${PLACEHOLDER}: ${path}`;
}

function sampleNumber(schema: Schema, path: string, todos: SampleTodo[]): number {
  const integer = schema.type === "integer";
  const step = integer ? 1 : 0.5;
  let low = typeof schema.minimum === "number" ? schema.minimum : undefined;
  let high = typeof schema.maximum === "number" ? schema.maximum : undefined;
  // OpenAPI 3.0 (boolean) and JSON Schema (number) forms of the exclusive bounds.
  if (low !== undefined && schema.exclusiveMinimum === true) low += step;
  if (typeof schema.exclusiveMinimum === "number") low = schema.exclusiveMinimum + step;
  if (high !== undefined && schema.exclusiveMaximum === true) high -= step;
  if (typeof schema.exclusiveMaximum === "number") high = schema.exclusiveMaximum - step;
  // 1 rather than 0 where nothing bounds it: most numbers in a spec are counts.
  let value = low ?? Math.min(1, high ?? 1);
  if (integer) value = Math.ceil(value);
  const multipleOf =
    typeof schema.multipleOf === "number" && schema.multipleOf > 0 ? schema.multipleOf : undefined;
  if (multipleOf !== undefined) value = Math.ceil(value / multipleOf) * multipleOf;
  if (high !== undefined && value > high) {
    todos.push({ path, reason: `set a number from ${low ?? "-∞"} to ${high}` });
  }
  return value;
}

function requiredOf(schema: unknown): string[] {
  return isSchema(schema) && Array.isArray(schema.required) ? (schema.required as string[]) : [];
}

// Required properties, including those of alternatives an object schema combines: every allOf
// branch, and the first of anyOf/oneOf (structural schemas use them to require one field set).
function wantedKeys(schema: Schema): Set<string> {
  const keys = new Set(requiredOf(schema));
  const allOf = Array.isArray(schema.allOf) ? schema.allOf : [];
  for (const branch of allOf) for (const key of requiredOf(branch)) keys.add(key);
  for (const combinator of ["anyOf", "oneOf"] as const) {
    const alternatives = schema[combinator];
    if (Array.isArray(alternatives)) for (const key of requiredOf(alternatives[0])) keys.add(key);
  }
  return keys;
}

function sample(
  schema: unknown,
  path: string,
  overrides: ReadonlyMap<string, unknown>,
  todos: SampleTodo[],
): unknown {
  const override = overrides.get(path);
  if (override !== undefined) return override;
  if (!isSchema(schema)) return {};
  if (schema.default !== undefined) return schema.default;
  if (Array.isArray(schema.enum) && schema.enum.length > 0) return schema.enum[0];
  if (schema["x-kubernetes-int-or-string"] === true) return 1;
  for (const key of ["allOf", "anyOf", "oneOf"] as const) {
    const alternatives = schema[key];
    if (Array.isArray(alternatives) && alternatives.length > 0 && schema.type === undefined) {
      return sample(alternatives[0], path, overrides, todos);
    }
  }
  switch (schema.type) {
    case "object": {
      const out: { [key: string]: unknown } = {};
      const properties = isSchema(schema.properties) ? schema.properties : {};
      const required = wantedKeys(schema);
      const minProperties = typeof schema.minProperties === "number" ? schema.minProperties : 0;
      const entries = Object.entries(properties);
      for (const [key, sub] of entries) {
        const childPath = path ? `${path}.${key}` : key;
        const wanted =
          required.has(key) ||
          (isSchema(sub) && sub.default !== undefined) ||
          [...overrides.keys()].some((p) => p === childPath || p.startsWith(`${childPath}.`));
        if (wanted) out[key] = sample(sub, childPath, overrides, todos);
      }
      // minProperties: optional properties in order, then map entries.
      for (const [key, sub] of entries) {
        if (Object.keys(out).length >= minProperties) break;
        if (!(key in out)) out[key] = sample(sub, path ? `${path}.${key}` : key, overrides, todos);
      }
      const additional = schema.additionalProperties;
      for (let i = 1; Object.keys(out).length < minProperties && isSchema(additional); i++) {
        const key = i === 1 ? "example" : `example${i}`;
        out[key] = sample(additional, path ? `${path}.${key}` : key, overrides, todos);
      }
      return out;
    }
    case "array": {
      const min = typeof schema.minItems === "number" ? schema.minItems : 0;
      return Array.from({ length: min }, (_, i) =>
        sample(schema.items, `${path}[${i}]`, overrides, todos),
      );
    }
    case "integer":
    case "number":
      return sampleNumber(schema, path, todos);
    case "boolean":
      return false;
    case "string":
      return sampleString(schema, path, todos);
    default:
      return {};
  }
}

/**
 * The smallest value valid against an OpenAPI v3 (structural) schema, with defaulted fields
 * filled in as the API server would: defaults and enums first, then required properties, with
 * patterns, formats, length and number bounds, `multipleOf`, `minItems` and `minProperties`
 * honoured. Where no valid value can be made (a pattern beyond the sampler, contradictory
 * bounds) the value is a placeholder starting with {@link PLACEHOLDER} and a TODO says what it
 * must satisfy. Optional `overrides` replace values at dotted paths (`spec.selector`), which is
 * how the skeleton's test parent gets a selector. Pure.
 *
 * @example
 * ```ts
 * const { value, todos } = sampleWithTodos({ type: "string", pattern: "^[a-z]+\\.[a-z]{2,}$" });
 * // value: "example.com", todos: []
 * ```
 */
export function sampleWithTodos(
  schema: unknown,
  path = "",
  overrides: ReadonlyMap<string, unknown> = new Map(),
): Sample {
  const todos: SampleTodo[] = [];
  const value = sample(schema, path, overrides, todos);
  return { value, todos };
}

/**
 * A sample object of a CRD version, as one would apply it: `apiVersion`, `kind`, `metadata`,
 * `spec` (whenever the schema has one) and any other required top-level field, each sampled as
 * {@link sampleWithTodos} does, TODO paths from the root (`spec.domain`).
 */
export function sampleObject(
  schema: unknown,
  identity: { apiVersion: string; kind: string; metadata: { [key: string]: unknown } },
): Sample {
  const todos: SampleTodo[] = [];
  const out: { [key: string]: unknown } = { ...identity };
  const properties = isSchema(schema) && isSchema(schema.properties) ? schema.properties : {};
  const required = isSchema(schema) ? wantedKeys(schema) : new Set<string>();
  for (const [key, sub] of Object.entries(properties)) {
    if (key in out || key === "status") continue;
    if (key === "spec" || required.has(key)) out[key] = sample(sub, key, new Map(), todos);
  }
  return { value: out, todos };
}

/** {@link sampleWithTodos} without the TODOs: the value alone. */
export function sampleFromSchema(
  schema: unknown,
  path = "",
  overrides: ReadonlyMap<string, unknown> = new Map(),
): unknown {
  return sampleWithTodos(schema, path, overrides).value;
}

// The checks the API server performs, as ajv reads them: OpenAPI 3.0 spellings translated,
// Kubernetes extensions given their meaning, formats limited to those the server checks.
const CHECKED_FORMATS = new Set(["date-time", "date", "byte", "ipv4", "ipv6", "cidr", "uuid"]);
const COPIED = [
  "type",
  "enum",
  "required",
  "minimum",
  "maximum",
  "multipleOf",
  "minLength",
  "maxLength",
  "minItems",
  "maxItems",
  "uniqueItems",
  "minProperties",
  "maxProperties",
] as const;

function toAjv(schema: unknown): Schema {
  if (!isSchema(schema)) return {};
  const out: { [key: string]: unknown } = {};
  for (const key of COPIED) if (schema[key] !== undefined) out[key] = schema[key];
  if (typeof schema.minimum === "number" && schema.exclusiveMinimum === true) {
    out.exclusiveMinimum = schema.minimum;
    delete out.minimum;
  }
  if (typeof schema.maximum === "number" && schema.exclusiveMaximum === true) {
    out.exclusiveMaximum = schema.maximum;
    delete out.maximum;
  }
  if (compilePattern(schema.pattern) !== undefined) out.pattern = schema.pattern;
  if (typeof schema.format === "string" && CHECKED_FORMATS.has(schema.format))
    out.format = schema.format;
  if (isSchema(schema.properties)) {
    out.properties = Object.fromEntries(
      Object.entries(schema.properties).map(([key, sub]) => [key, toAjv(sub)]),
    );
  }
  if (isSchema(schema.items)) out.items = toAjv(schema.items);
  if (isSchema(schema.additionalProperties))
    out.additionalProperties = toAjv(schema.additionalProperties);
  for (const key of ["allOf", "anyOf", "oneOf"] as const) {
    const alternatives = schema[key];
    if (Array.isArray(alternatives)) out[key] = alternatives.map(toAjv);
  }
  if (schema["x-kubernetes-int-or-string"] === true) {
    delete out.type;
    out.anyOf = [{ type: "integer" }, { type: "string" }];
  }
  if (schema.nullable === true && typeof out.type === "string") out.type = [out.type, "null"];
  return out;
}

let compiler: Ajv | undefined;

/**
 * What the API server would reject in `value` under an OpenAPI v3 schema (a CRD version's
 * `openAPIV3Schema`, or part of it): one `{path, message}` per problem, `[]` when valid. CEL
 * rules and patterns JavaScript cannot compile are not checked.
 */
export function validateSample(
  schema: unknown,
  value: unknown,
): { readonly path: string; readonly message: string }[] {
  if (compiler === undefined) {
    compiler = new Ajv({ allErrors: true, strict: false, logger: false });
    for (const [name, format] of Object.entries(formats)) compiler.addFormat(name, format);
  }
  const validate = compiler.compile(toAjv(schema));
  if (validate(value)) return [];
  return (validate.errors ?? []).map((e) => ({
    path: e.instancePath
      .replace(/^\//, "")
      .replace(/\/(\d+)(?=\/|$)/g, "[$1]")
      .replace(/\//g, "."),
    message: e.message ?? e.keyword,
  }));
}

/**
 * Whether `spec.selector` of a schema is a label selector (an object with `matchLabels`), so the
 * skeleton can label children to match it.
 */
export function hasSpecSelector(schema: unknown): { required: boolean } | undefined {
  if (!isSchema(schema) || !isSchema(schema.properties)) return undefined;
  const spec = schema.properties.spec;
  if (!isSchema(spec) || !isSchema(spec.properties)) return undefined;
  const selector = spec.properties.selector;
  if (!isSchema(selector)) return undefined;
  const selectorProps = isSchema(selector.properties) ? selector.properties : {};
  if (
    !("matchLabels" in selectorProps) &&
    selector["x-kubernetes-preserve-unknown-fields"] !== true
  )
    return undefined;
  const required = Array.isArray(schema.required) && (schema.required as string[]).includes("spec");
  return { required };
}

/** Source text that {@link literal} writes as is: an expression inside a sample value. */
export class Expr {
  constructor(readonly code: string) {}
}

/** What a starter child body refers to: expressions the skeleton defines before it. */
export interface ChildRefs {
  /** The labels every child carries (and workloads select their Pods by). */
  readonly labels: string;
  /** The name expression of the child of a kind (a Service's name, for an Ingress backend). */
  readonly nameOf: (kind: string) => string;
  /** The replica count of a workload, when the parent's spec has one. */
  readonly replicas?: string;
}

/**
 * A minimal valid body of a built-in child kind, as object members after `metadata`, with
 * {@link Expr} where it refers to the skeleton's variables; `undefined` for a kind with no
 * starter body (the caller falls back to {@link builtinSample}).
 */
export function builtinChildFields(
  kind: string,
  refs: ChildRefs,
): { [key: string]: unknown } | undefined {
  const labels = new Expr(refs.labels);
  const service = new Expr(refs.nameOf("Service"));
  // A named port: a Service targets it by name, so the container's port number can change alone.
  const container = {
    name: "app",
    image: "nginx:1.27",
    ports: [{ name: "http", containerPort: 80 }],
  };
  const podTemplate = { metadata: { labels }, spec: { containers: [container] } };
  const replicas = refs.replicas === undefined ? {} : { replicas: new Expr(refs.replicas) };
  const role = new Expr(refs.nameOf("Role"));
  const clusterRole = new Expr(refs.nameOf("ClusterRole"));
  const account = new Expr(refs.nameOf("ServiceAccount"));
  const job = { template: { spec: { restartPolicy: "Never", containers: [container] } } };
  switch (kind) {
    case "ConfigMap":
      return { data: { example: "value" } };
    case "Secret":
      return { stringData: { example: "value" } };
    case "Service":
      return {
        spec: { selector: labels, ports: [{ name: "http", port: 80, targetPort: "http" }] },
      };
    case "Pod":
      return { spec: { containers: [container] } };
    case "Deployment":
    case "ReplicaSet":
      return { spec: { ...replicas, selector: { matchLabels: labels }, template: podTemplate } };
    case "DaemonSet":
      return { spec: { selector: { matchLabels: labels }, template: podTemplate } };
    case "StatefulSet":
      return {
        spec: {
          ...replicas,
          serviceName: service,
          selector: { matchLabels: labels },
          template: podTemplate,
        },
      };
    case "Job":
      return { spec: job };
    case "CronJob":
      return { spec: { schedule: "*/5 * * * *", jobTemplate: { spec: job } } };
    case "Ingress":
      return {
        spec: {
          rules: [
            {
              http: {
                paths: [
                  {
                    path: "/",
                    pathType: "Prefix",
                    backend: { service: { name: service, port: { name: "http" } } },
                  },
                ],
              },
            },
          ],
        },
      };
    case "PersistentVolumeClaim":
      return {
        spec: { accessModes: ["ReadWriteOnce"], resources: { requests: { storage: "1Gi" } } },
      };
    case "PodDisruptionBudget":
      return { spec: { minAvailable: 1, selector: { matchLabels: labels } } };
    case "ServiceAccount":
      return {};
    case "Role":
    case "ClusterRole":
      return { rules: [{ apiGroups: [""], resources: ["configmaps"], verbs: ["get"] }] };
    case "RoleBinding":
      return {
        roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "Role", name: role },
        subjects: [{ kind: "ServiceAccount", name: account }],
      };
    case "ClusterRoleBinding":
      return {
        roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: clusterRole },
        subjects: [{ kind: "ServiceAccount", name: account, namespace: "default" }],
      };
    default:
      return undefined;
  }
}

interface SchemaError {
  keyword: string;
  instancePath: string;
  params: { missingProperty?: string; type?: string | string[]; allowedValues?: unknown[] };
}

const requireModel = createRequire(import.meta.url);
const EMPTY: { readonly [type: string]: unknown } = {
  string: "example",
  integer: 0,
  number: 0,
  boolean: false,
  array: [],
  object: {},
};

/**
 * The smallest object of a built-in kind that passes kubernetes-models' validation (the
 * official OpenAPI schemas): start from apiVersion/kind/metadata and fill in whatever the
 * validator reports missing or mistyped, until it passes.
 */
export function builtinSample(
  apiVersion: string,
  kind: string,
  metadata: { [key: string]: unknown },
): { [key: string]: unknown } {
  const sample: { [key: string]: unknown } = { apiVersion, kind, metadata };
  let Model: (new (data: unknown) => { validate(): void }) | undefined;
  try {
    Model = (
      requireModel(`kubernetes-models/${apiVersion}/${kind}`) as { [k: string]: typeof Model }
    )[kind];
  } catch {
    return sample;
  }
  if (!Model) return sample;
  const set = (pointer: string, value: unknown) => {
    const parts = pointer.split("/").filter(Boolean);
    let node = sample as { [key: string]: unknown };
    for (const part of parts.slice(0, -1)) node = node[part] as { [key: string]: unknown };
    const last = parts.at(-1);
    if (last !== undefined) node[last] = value;
  };
  for (let round = 0; round < 50; round++) {
    try {
      new Model(sample).validate();
      return sample;
    } catch (error) {
      const errors = (error as { errors?: SchemaError[] }).errors ?? [];
      if (errors.length === 0) return sample;
      for (const e of errors) {
        if (e.keyword === "required" && e.params.missingProperty)
          set(`${e.instancePath}/${e.params.missingProperty}`, {});
        else if (e.keyword === "type")
          set(e.instancePath, EMPTY[String(e.params.type).split(",")[0] ?? "object"]);
        else if (e.keyword === "enum") set(e.instancePath, e.params.allowedValues?.[0]);
        else return sample;
      }
    }
  }
  return sample;
}
