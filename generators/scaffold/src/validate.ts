// Validity of scaffolded manifests: built-in kinds by kubernetes-models (the official OpenAPI
// schemas), CRDs by the apiextensions schema plus the structural rules generation relies on,
// controllers by Metacontroller's own CRD schema, kustomizations by what kustomize reads.
import { readCrds } from "@metahook/crd-types";
import { readControllers } from "@metahook/gen-controller";
import { CustomResourceDefinition } from "kubernetes-models/apiextensions.k8s.io/v1/CustomResourceDefinition";
import { Deployment } from "kubernetes-models/apps/v1/Deployment";
import { PodDisruptionBudget } from "kubernetes-models/policy/v1/PodDisruptionBudget";
import { Namespace } from "kubernetes-models/v1/Namespace";
import { Service } from "kubernetes-models/v1/Service";
import { parseAllDocuments } from "yaml";

interface Validatable {
  validate(): void;
}
type ModelClass = new (data: never) => Validatable;

const MODELS: ReadonlyMap<string, ModelClass> = new Map<string, ModelClass>([
  ["apps/v1/Deployment", Deployment as unknown as ModelClass],
  ["v1/Service", Service as unknown as ModelClass],
  ["v1/Namespace", Namespace as unknown as ModelClass],
  ["policy/v1/PodDisruptionBudget", PodDisruptionBudget as unknown as ModelClass],
  [
    "apiextensions.k8s.io/v1/CustomResourceDefinition",
    CustomResourceDefinition as unknown as ModelClass,
  ],
]);

const KUSTOMIZATION_KEYS = new Set([
  "apiVersion",
  "kind",
  "resources",
  "images",
  "namespace",
  "labels",
  "commonAnnotations",
  "patches",
  "secretGenerator",
  "generatorOptions",
]);

// cert-manager's CRDs are not bundled: the fields scaffold writes, checked by hand (the tests check
// the same manifests against cert-manager's published CRD schemas).
const CERTIFICATE_SPEC = new Set([
  "secretName",
  "privateKey",
  "issuerRef",
  "isCA",
  "commonName",
  "dnsNames",
  "usages",
  "duration",
  "renewBefore",
]);
const USAGES = new Set(["server auth", "client auth", "digital signature", "key encipherment"]);

function certManagerProblems(doc: { [key: string]: unknown }, label: string): string[] {
  const problems: string[] = [];
  const metadata = doc.metadata as { name?: unknown } | undefined;
  if (typeof metadata?.name !== "string") problems.push(`${label}: metadata.name is required`);
  const spec = (doc.spec ?? {}) as { [key: string]: unknown };
  if (doc.kind === "Issuer") {
    const kinds = Object.keys(spec).filter((k) => ["selfSigned", "ca"].includes(k));
    if (kinds.length !== 1 || Object.keys(spec).length !== 1) {
      problems.push(`${label}: an Issuer's spec has exactly one of selfSigned, ca`);
    }
    const ca = spec.ca as { secretName?: unknown } | undefined;
    if (ca && typeof ca.secretName !== "string") {
      problems.push(`${label}: spec.ca.secretName is required`);
    }
    return problems;
  }
  for (const field of Object.keys(spec)) {
    if (!CERTIFICATE_SPEC.has(field)) problems.push(`${label}: unexpected field spec.${field}`);
  }
  if (typeof spec.secretName !== "string") problems.push(`${label}: spec.secretName is required`);
  const issuerRef = spec.issuerRef as { name?: unknown } | undefined;
  if (typeof issuerRef?.name !== "string")
    problems.push(`${label}: spec.issuerRef.name is required`);
  for (const usage of (spec.usages as unknown[] | undefined) ?? []) {
    if (!USAGES.has(usage as string)) problems.push(`${label}: unknown usage ${String(usage)}`);
  }
  return problems;
}

function describe(error: unknown): string {
  const errors = (error as { errors?: { instancePath?: string; message?: string }[] }).errors;
  if (Array.isArray(errors) && errors.length > 0) {
    return errors
      .map((e) => `${e.instancePath || "(root)"} ${e.message ?? "is invalid"}`)
      .join("; ");
  }
  return (error as Error).message;
}

/**
 * Validates one manifest document. Returns the problems found (empty when valid); a kind with no
 * validator is itself a problem, so nothing passes unchecked.
 */
export function validateManifest(
  doc: unknown,
  label: string,
  context: { readonly files?: ReadonlySet<string> } = {},
): string[] {
  if (typeof doc !== "object" || doc === null || Array.isArray(doc)) {
    return [`${label}: not a Kubernetes object`];
  }
  const { apiVersion, kind } = doc as { apiVersion?: unknown; kind?: unknown };
  const key = `${String(apiVersion)}/${String(kind)}`;
  const model = MODELS.get(key);
  if (model) {
    const problems: string[] = [];
    try {
      new model(doc as never).validate();
    } catch (error) {
      problems.push(`${label}: ${kind} ${describe(error)}`);
    }
    if (kind === "CustomResourceDefinition") {
      try {
        readCrds([{ path: label, content: JSON.stringify(doc) }]);
      } catch (error) {
        problems.push(`${label}: ${(error as Error).message}`);
      }
    }
    return problems;
  }
  if (
    apiVersion === "metacontroller.k8s.io/v1alpha1" &&
    (kind === "CompositeController" || kind === "DecoratorController")
  ) {
    try {
      readControllers({ path: label, content: JSON.stringify(doc) });
      return [];
    } catch (error) {
      return [(error as Error).message];
    }
  }
  if (apiVersion === "cert-manager.io/v1" && (kind === "Certificate" || kind === "Issuer")) {
    return certManagerProblems(doc as { [key: string]: unknown }, label);
  }
  if (apiVersion === "kustomize.config.k8s.io/v1beta1" && kind === "Kustomization") {
    const problems: string[] = [];
    for (const field of Object.keys(doc)) {
      if (!KUSTOMIZATION_KEYS.has(field)) problems.push(`${label}: unexpected field ${field}`);
    }
    const resources = (doc as { resources?: unknown }).resources;
    if (!Array.isArray(resources) || resources.some((r) => typeof r !== "string")) {
      problems.push(`${label}: resources must be a list of file names`);
    } else if (context.files) {
      for (const resource of resources as string[]) {
        if (!context.files.has(resource)) {
          problems.push(`${label}: resource ${resource} is not among the files`);
        }
      }
    }
    return problems;
  }
  return [`${label}: no validator for ${key}`];
}

/**
 * Validates every YAML file among `files` (all documents of each), resolving kustomization
 * resources against the other files of the same directory. Returns the problems (empty: valid).
 */
export function validateScaffold(
  files: readonly { readonly path: string; readonly content: string }[],
  extraFiles: readonly string[] = [],
): string[] {
  const problems: string[] = [];
  const paths = new Set([...files.map((f) => f.path), ...extraFiles]);
  for (const file of files) {
    if (!/\.ya?ml$/.test(file.path)) continue;
    const dir = file.path.includes("/") ? file.path.slice(0, file.path.lastIndexOf("/") + 1) : "";
    const siblings = new Set(
      [...paths].filter((p) => p.startsWith(dir)).map((p) => p.slice(dir.length)),
    );
    const docs = parseAllDocuments(file.content);
    for (const [index, doc] of (Array.isArray(docs) ? docs : [docs]).entries()) {
      if (doc.errors.length > 0) {
        problems.push(`${file.path}: ${doc.errors[0]?.message ?? "YAML error"}`);
        continue;
      }
      const value: unknown = doc.toJS();
      if (value === null || value === undefined) continue;
      const label = docs.length > 1 ? `${file.path}#${index}` : file.path;
      problems.push(...validateManifest(value, label, { files: siblings }));
    }
  }
  return problems;
}
