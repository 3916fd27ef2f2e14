// Sample values: the smallest valid instance of a schema (for the skeleton's test parent) and a
// starter body per built-in child kind (for the skeleton's sync). Pure.
import { createRequire } from "node:module";

type Schema = { readonly [key: string]: unknown };

function isSchema(value: unknown): value is Schema {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/**
 * The smallest value valid against an OpenAPI v3 (structural) schema, with defaulted fields
 * filled in as the API server would: defaults and enums first, then required properties, lower
 * bounds respected. Optional `overrides` replace values at dotted paths (`spec.selector`), which
 * is how the skeleton's test parent gets a selector.
 */
export function sampleFromSchema(
  schema: unknown,
  path = "",
  overrides: ReadonlyMap<string, unknown> = new Map(),
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
      return sampleFromSchema(alternatives[0], path, overrides);
    }
  }
  switch (schema.type) {
    case "object": {
      const out: { [key: string]: unknown } = {};
      const properties = isSchema(schema.properties) ? schema.properties : {};
      const required = new Set(Array.isArray(schema.required) ? (schema.required as string[]) : []);
      for (const [key, sub] of Object.entries(properties)) {
        const childPath = path ? `${path}.${key}` : key;
        const wanted =
          required.has(key) ||
          (isSchema(sub) && sub.default !== undefined) ||
          [...overrides.keys()].some((p) => p === childPath || p.startsWith(`${childPath}.`));
        if (wanted) out[key] = sampleFromSchema(sub, childPath, overrides);
      }
      return out;
    }
    case "array": {
      const min = typeof schema.minItems === "number" ? schema.minItems : 0;
      return Array.from({ length: min }, () =>
        sampleFromSchema(schema.items, `${path}[]`, overrides),
      );
    }
    case "integer":
    case "number": {
      // 1 rather than 0 where nothing bounds it: most numbers in a spec are counts.
      let value = typeof schema.minimum === "number" ? schema.minimum : 1;
      if (schema.exclusiveMinimum === true) value += 1;
      if (typeof schema.maximum === "number" && value > schema.maximum) value = schema.maximum;
      return schema.type === "integer" ? Math.ceil(value) : value;
    }
    case "boolean":
      return false;
    case "string": {
      if (schema.format === "date-time") return "2026-01-01T00:00:00Z";
      if (schema.format === "byte") return "ZXhhbXBsZQ==";
      const min = typeof schema.minLength === "number" ? schema.minLength : 0;
      const text = "example";
      return text.length >= min ? text : text.padEnd(min, "x");
    }
    default:
      return {};
  }
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

/**
 * Source text of a starter body for a child kind, as object-literal members after `metadata`.
 * `labels` is the expression holding the labels children carry; `name` the child's name.
 */
export function builtinChildBody(kind: string, labels: string): string {
  const container = `{ name: "app", image: "nginx:1.27" }`;
  const podTemplate = `{ metadata: { labels: ${labels} }, spec: { containers: [${container}] } }`;
  switch (kind) {
    case "ConfigMap":
      return `data: { example: "value" }`;
    case "Secret":
      return `stringData: { example: "value" }`;
    case "Service":
      return `spec: { selector: ${labels}, ports: [{ port: 80, targetPort: 8080 }] }`;
    case "Pod":
      return `spec: { containers: [${container}] }`;
    case "Deployment":
    case "ReplicaSet":
    case "DaemonSet":
      return `spec: { selector: { matchLabels: ${labels} }, template: ${podTemplate} }`;
    case "StatefulSet":
      return `spec: { serviceName: name, selector: { matchLabels: ${labels} }, template: ${podTemplate} }`;
    case "Job":
      return `spec: { template: { spec: { restartPolicy: "Never", containers: [${container}] } } }`;
    case "CronJob":
      return `spec: { schedule: "*/5 * * * *", jobTemplate: { spec: { template: { spec: { restartPolicy: "Never", containers: [${container}] } } } } }`;
    case "PersistentVolumeClaim":
      return `spec: { accessModes: ["ReadWriteOnce"], resources: { requests: { storage: "1Gi" } } }`;
    case "PodDisruptionBudget":
      return `spec: { minAvailable: 1, selector: { matchLabels: ${labels} } }`;
    case "Role":
    case "ClusterRole":
      return `rules: [{ apiGroups: [""], resources: ["configmaps"], verbs: ["get"] }]`;
    case "RoleBinding":
      return `roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "Role", name }, subjects: [{ kind: "ServiceAccount", name }]`;
    case "ClusterRoleBinding":
      return `roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name }, subjects: [{ kind: "ServiceAccount", name, namespace: "default" }]`;
    default:
      return "";
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
