// `metahook scaffold crd`: a starter apiextensions.k8s.io/v1 CRD. Pure.

import { pluralOf } from "@metahook/runtime/resources";
import { stringify } from "yaml";
import { checkGroup, checkKind, checkPlural, checkVersion } from "./names.js";

/** Options of {@link scaffoldCrd}. */
export interface ScaffoldCrdOptions {
  /** API group, a DNS subdomain with a dot, e.g. `example.com`. */
  readonly group: string;
  /** PascalCase kind, e.g. `Blog`. */
  readonly kind: string;
  /** Version name (default `v1`). */
  readonly version?: string;
  /** `Namespaced` (default) or `Cluster`. */
  readonly scope?: "Namespaced" | "Cluster";
  /** Plural resource name (default: the kind's conventional plural, lowercased). */
  readonly plural?: string;
}

/** A scaffolded CRD: the object, its YAML and the names derived for it. */
export interface ScaffoldedCrd {
  /** `<plural>.<group>` */
  readonly name: string;
  readonly group: string;
  readonly kind: string;
  readonly plural: string;
  readonly singular: string;
  readonly version: string;
  readonly scope: "Namespaced" | "Cluster";
  /** The CustomResourceDefinition as a plain object. */
  readonly crd: { readonly [key: string]: unknown };
  /** The CRD as a YAML document. */
  readonly yaml: string;
}

// metav1.Condition, as controller-gen emits it.
const CONDITION_SCHEMA = {
  type: "object",
  description: "A condition of the resource, in the shape of metav1.Condition.",
  required: ["type", "status", "lastTransitionTime", "reason", "message"],
  properties: {
    type: {
      type: "string",
      description: "Type of the condition in CamelCase, e.g. Ready.",
      maxLength: 316,
      pattern:
        "^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*/)?(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])$",
    },
    status: { type: "string", enum: ["True", "False", "Unknown"] },
    observedGeneration: { type: "integer", format: "int64", minimum: 0 },
    lastTransitionTime: { type: "string", format: "date-time" },
    reason: {
      type: "string",
      maxLength: 1024,
      minLength: 1,
      pattern: "^[A-Za-z]([A-Za-z0-9_,:]*[A-Za-z0-9_])?$",
    },
    message: { type: "string", maxLength: 32768 },
  },
} as const;

/**
 * Builds a starter CRD: a structural schema with an open-ended `spec` (one sample field to
 * replace), a `status` with `observedGeneration` and `conditions` (what Metacontroller writes and
 * rolling updates read), the status subresource, and printer columns for readiness and age.
 *
 * @throws {@link ScaffoldError} `INVALID_OPTION` when a name breaks Kubernetes' rules.
 * @example
 * ```ts
 * const { yaml } = scaffoldCrd({ group: "example.com", kind: "Blog" });
 * ```
 */
export function scaffoldCrd(options: ScaffoldCrdOptions): ScaffoldedCrd {
  const group = checkGroup(options.group);
  const kind = checkKind(options.kind);
  const version = checkVersion(options.version ?? "v1");
  const plural = checkPlural(options.plural ?? pluralOf(kind));
  const singular = kind.toLowerCase();
  const scope = options.scope ?? "Namespaced";
  const name = `${plural}.${group}`;
  const crd = {
    apiVersion: "apiextensions.k8s.io/v1",
    kind: "CustomResourceDefinition",
    metadata: { name },
    spec: {
      group,
      scope,
      names: { kind, listKind: `${kind}List`, plural, singular },
      versions: [
        {
          name: version,
          served: true,
          storage: true,
          subresources: { status: {} },
          additionalPrinterColumns: [
            {
              name: "Ready",
              type: "string",
              jsonPath: '.status.conditions[?(@.type=="Ready")].status',
            },
            {
              name: "Reason",
              type: "string",
              priority: 1,
              jsonPath: '.status.conditions[?(@.type=="Ready")].reason',
            },
            { name: "Age", type: "date", jsonPath: ".metadata.creationTimestamp" },
          ],
          schema: {
            openAPIV3Schema: {
              type: "object",
              description: `${kind} is the parent resource of a Metacontroller hook.`,
              properties: {
                apiVersion: { type: "string" },
                kind: { type: "string" },
                metadata: { type: "object" },
                spec: {
                  type: "object",
                  description: `The desired state of a ${kind}. Replace the sample field with yours.`,
                  properties: {
                    replicas: {
                      type: "integer",
                      format: "int32",
                      minimum: 0,
                      default: 1,
                      description: "How many replicas the children should run.",
                    },
                  },
                },
                status: {
                  type: "object",
                  description: `The observed state of a ${kind}, written by the sync hook.`,
                  properties: {
                    observedGeneration: {
                      type: "integer",
                      format: "int64",
                      description: "The metadata.generation the status was computed from.",
                    },
                    // What the generated skeleton's sync reports of the children it observed.
                    observedChildren: {
                      type: "integer",
                      format: "int32",
                      minimum: 0,
                      description: "How many children the sync hook observed.",
                    },
                    readyReplicas: {
                      type: "integer",
                      format: "int32",
                      minimum: 0,
                      description: "Ready Pods of the workload child (Deployment, StatefulSet).",
                    },
                    conditions: {
                      type: "array",
                      "x-kubernetes-list-type": "map",
                      "x-kubernetes-list-map-keys": ["type"],
                      items: CONDITION_SCHEMA,
                    },
                  },
                },
              },
            },
          },
        },
      ],
    },
  };
  return {
    name,
    group,
    kind,
    plural,
    singular,
    version,
    scope,
    crd,
    yaml: stringify(crd, { lineWidth: 0, aliasDuplicateObjects: false }),
  };
}
