// A sample parent for the request fixture and examples/: required fields and defaults only.

type Schema = { readonly [key: string]: unknown };

function isSchema(value: unknown): value is Schema {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/**
 * The smallest value valid against a structural schema, with defaulted fields filled in as the
 * API server would: defaults and enums first, then required properties, lower bounds respected.
 */
export function sampleFromSchema(schema: unknown): unknown {
  if (!isSchema(schema)) return {};
  if (schema.default !== undefined) return schema.default;
  if (Array.isArray(schema.enum) && schema.enum.length > 0) return schema.enum[0];
  if (schema["x-kubernetes-int-or-string"] === true) return 1;
  switch (schema.type) {
    case "object": {
      const out: { [key: string]: unknown } = {};
      const properties = isSchema(schema.properties) ? schema.properties : {};
      const required = new Set(Array.isArray(schema.required) ? (schema.required as string[]) : []);
      for (const [key, sub] of Object.entries(properties)) {
        if (required.has(key) || (isSchema(sub) && sub.default !== undefined)) {
          out[key] = sampleFromSchema(sub);
        }
      }
      return out;
    }
    case "array": {
      const min = typeof schema.minItems === "number" ? schema.minItems : 0;
      return Array.from({ length: min }, () => sampleFromSchema(schema.items));
    }
    case "integer":
    case "number":
      return typeof schema.minimum === "number" ? Math.max(schema.minimum, 1) : 1;
    case "boolean":
      return false;
    case "string": {
      if (schema.format === "date-time") return "2026-01-01T00:00:00Z";
      const min = typeof schema.minLength === "number" ? schema.minLength : 0;
      return "example".padEnd(min, "x");
    }
    default:
      return {};
  }
}
