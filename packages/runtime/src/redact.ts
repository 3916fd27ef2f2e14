const REDACTED = "[REDACTED]";

/**
 * A deep copy of a hook payload with the values of every Secret's `data` and
 * `stringData` replaced, wherever the Secret sits (parent, child, attachment,
 * related object, or a response). Keys stay, so logs still show what exists.
 */
export function redactSecrets(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(redactSecrets);
  if (typeof value !== "object" || value === null) return value;
  const source = value as { [key: string]: unknown };
  const isSecret = source.kind === "Secret";
  const out: { [key: string]: unknown } = {};
  for (const [key, v] of Object.entries(source)) {
    if (
      isSecret &&
      (key === "data" || key === "stringData") &&
      typeof v === "object" &&
      v !== null
    ) {
      out[key] = Object.fromEntries(Object.keys(v).map((k) => [k, REDACTED]));
    } else if (key === "metadata" && isSecret) {
      out[key] = redactLastApplied(v);
    } else {
      out[key] = redactSecrets(v);
    }
  }
  return out;
}

// Metacontroller keeps the last applied Secret (data included) in an annotation.
function redactLastApplied(metadata: unknown): unknown {
  const copy = redactSecrets(metadata) as { annotations?: { [key: string]: unknown } } | null;
  const annotations = copy?.annotations;
  if (annotations && "metacontroller.k8s.io/last-applied-configuration" in annotations) {
    annotations["metacontroller.k8s.io/last-applied-configuration"] = REDACTED;
  }
  if (annotations && "kubectl.kubernetes.io/last-applied-configuration" in annotations) {
    annotations["kubectl.kubernetes.io/last-applied-configuration"] = REDACTED;
  }
  return copy;
}
