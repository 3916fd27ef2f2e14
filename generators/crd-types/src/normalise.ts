// Stage 2 — normalise: documents → CustomResourceDefinitions with the fields the model needs,
// checked for shape. Documents that are not CRDs become notes, never silent drops.
import { CrdTypesError } from "./errors.js";
import type { SourceDocument } from "./parse.js";

/** A JSON object as parsed from YAML. */
export type JsonObject = { readonly [key: string]: unknown };

/** One version of a CRD, as generated. */
export interface CrdVersion {
  readonly name: string;
  readonly served: boolean;
  readonly storage: boolean;
  readonly deprecated: boolean;
  readonly deprecationWarning: string | undefined;
  readonly schema: JsonObject;
}

/** A CustomResourceDefinition reduced to what generation needs. */
export interface Crd {
  readonly file: string;
  readonly name: string;
  readonly group: string;
  readonly kind: string;
  readonly listKind: string;
  readonly plural: string;
  readonly scope: string;
  readonly versions: readonly CrdVersion[];
}

/** The CRDs found and one note per skipped document. */
export interface NormaliseResult {
  readonly crds: Crd[];
  readonly notes: string[];
}

const CRD_API_V1 = "apiextensions.k8s.io/v1";
const CRD_API_V1BETA1 = "apiextensions.k8s.io/v1beta1";

/** Picks the apiextensions.k8s.io/v1 CRDs out of `docs`, expanding `kind: List` documents. */
export function normalise(docs: readonly SourceDocument[]): NormaliseResult {
  const crds: Crd[] = [];
  const notes: string[] = [];
  const seen = new Map<string, { file: string; spec: unknown }>();
  const visit = (doc: SourceDocument, label: string, value: unknown): void => {
    if (!isObject(value)) {
      notes.push(`${doc.file}: ${label} skipped: not a Kubernetes object`);
      return;
    }
    const apiVersion = value.apiVersion;
    const kind = value.kind;
    if (kind === "List" && Array.isArray(value.items)) {
      for (const [i, item] of value.items.entries()) visit(doc, `${label} item ${i + 1}`, item);
      return;
    }
    if (kind === "CustomResourceDefinition" && apiVersion === CRD_API_V1BETA1) {
      throw new CrdTypesError(
        "UNSUPPORTED_CRD_VERSION",
        `${CRD_API_V1BETA1} CustomResourceDefinitions are not supported (the API was removed in Kubernetes 1.22). ` +
          `Convert it to ${CRD_API_V1}: set apiVersion: ${CRD_API_V1}, move spec.validation.openAPIV3Schema ` +
          "into every spec.versions[].schema.openAPIV3Schema, spec.subresources and spec.additionalPrinterColumns " +
          "into each version, and make the schema structural (see " +
          "https://kubernetes.io/docs/reference/using-api/deprecation-guide/#customresourcedefinition-v122)",
        { file: doc.file, crd: metadataName(value) ?? `(${label})` },
      );
    }
    if (kind !== "CustomResourceDefinition" || apiVersion !== CRD_API_V1) {
      const what = `${typeof apiVersion === "string" ? apiVersion : "?"}/${typeof kind === "string" ? kind : "?"}`;
      const name = metadataName(value);
      notes.push(
        `${doc.file}: ${label} (${what}${name ? ` ${name}` : ""}) skipped: not an ${CRD_API_V1} CustomResourceDefinition`,
      );
      return;
    }
    const crd = toCrd(value, doc.file, label);
    // The same CRD given twice (a split file next to its multi-document original) is harmless;
    // two different definitions under one name would make the output depend on argument order.
    const previous = seen.get(crd.name);
    if (previous !== undefined) {
      if (JSON.stringify(previous.spec) !== JSON.stringify(value.spec)) {
        throw new CrdTypesError(
          "DUPLICATE_CRD",
          `defined twice, differently (also in ${previous.file})`,
          {
            file: doc.file,
            crd: crd.name,
          },
        );
      }
      notes.push(
        `${doc.file}: ${label} (CRD ${crd.name}) skipped: identical to the one in ${previous.file}`,
      );
      return;
    }
    seen.set(crd.name, { file: doc.file, spec: value.spec });
    crds.push(crd);
  };
  for (const doc of docs) visit(doc, `document ${doc.index + 1}`, doc.value);
  return { crds, notes };
}

function toCrd(doc: JsonObject, file: string, label: string): Crd {
  const name = metadataName(doc);
  const fail = (detail: string, path: string): never => {
    throw new CrdTypesError("INVALID_CRD", detail, { file, crd: name ?? `(${label})`, path });
  };
  if (name === undefined) fail("metadata.name is missing", "metadata.name");
  const spec = isObject(doc.spec) ? doc.spec : fail("spec is missing", "spec");
  const group = nonEmptyString(spec.group) ?? fail("spec.group is missing", "spec.group");
  const names = isObject(spec.names) ? spec.names : fail("spec.names is missing", "spec.names");
  const kind = nonEmptyString(names.kind) ?? fail("spec.names.kind is missing", "spec.names.kind");
  const listKind = nonEmptyString(names.listKind) ?? `${kind}List`;
  const plural = nonEmptyString(names.plural) ?? `${kind.toLowerCase()}s`;
  const scope = nonEmptyString(spec.scope) ?? "Namespaced";
  if (!Array.isArray(spec.versions) || spec.versions.length === 0) {
    fail("spec.versions must list at least one version", "spec.versions");
  }
  const rawVersions: readonly unknown[] = Array.isArray(spec.versions) ? spec.versions : [];
  const versions = rawVersions.map((raw, i): CrdVersion => {
    const path = `spec.versions[${i}]`;
    const v = isObject(raw) ? raw : fail("a version must be an object", path);
    const versionName = nonEmptyString(v.name) ?? fail("the version has no name", `${path}.name`);
    const schema = isObject(v.schema) ? v.schema.openAPIV3Schema : undefined;
    if (!isObject(schema)) {
      throw new CrdTypesError(
        "MISSING_SCHEMA",
        "the version has no schema.openAPIV3Schema; apiextensions.k8s.io/v1 requires one per version and types cannot be generated without it",
        {
          file,
          crd: name ?? `(${label})`,
          version: versionName,
          path: `${path}.schema.openAPIV3Schema`,
        },
      );
    }
    return {
      name: versionName,
      served: v.served === true,
      storage: v.storage === true,
      deprecated: v.deprecated === true,
      deprecationWarning: nonEmptyString(v.deprecationWarning),
      schema,
    };
  });
  return { file, name: name ?? "", group, kind, listKind, plural, scope, versions };
}

/** Whether `value` is a plain JSON object (not an array, not null). */
export function isObject(value: unknown): value is JsonObject {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function metadataName(doc: JsonObject): string | undefined {
  return isObject(doc.metadata) ? nonEmptyString(doc.metadata.name) : undefined;
}

function nonEmptyString(value: unknown): string | undefined {
  return typeof value === "string" && value !== "" ? value : undefined;
}
