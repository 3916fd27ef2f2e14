// `@metahook/runtime/resources` is this module alone: generators resolve rules through it
// without loading the hook server (fastify, pino).
import { apiGroup } from "./keys.js";

export { apiGroup, groupKey } from "./keys.js";

/** A resource the Kubernetes API server serves: its plural name, kind and scope. */
export interface ResourceInfo {
  /** API group, `""` for the core group. */
  group: string;
  /** Plural lowercase name as used in controller rules, e.g. `deployments`. */
  resource: string;
  kind: string;
  namespaced: boolean;
}

// group | plural:Kind (N = namespaced, C = cluster-scoped). The scope of a kind is
// not in kubernetes-models, so it is listed here; a test checks that every kind
// kubernetes-models ships is in this table.
const TABLE = `
 | bindings:Binding:N componentstatuses:ComponentStatus:C configmaps:ConfigMap:N endpoints:Endpoints:N events:Event:N limitranges:LimitRange:N namespaces:Namespace:C nodes:Node:C persistentvolumeclaims:PersistentVolumeClaim:N persistentvolumes:PersistentVolume:C pods:Pod:N podtemplates:PodTemplate:N replicationcontrollers:ReplicationController:N resourcequotas:ResourceQuota:N secrets:Secret:N serviceaccounts:ServiceAccount:N services:Service:N
admissionregistration.k8s.io | mutatingwebhookconfigurations:MutatingWebhookConfiguration:C validatingwebhookconfigurations:ValidatingWebhookConfiguration:C validatingadmissionpolicies:ValidatingAdmissionPolicy:C validatingadmissionpolicybindings:ValidatingAdmissionPolicyBinding:C mutatingadmissionpolicies:MutatingAdmissionPolicy:C mutatingadmissionpolicybindings:MutatingAdmissionPolicyBinding:C
apiextensions.k8s.io | customresourcedefinitions:CustomResourceDefinition:C
apiregistration.k8s.io | apiservices:APIService:C
apps | controllerrevisions:ControllerRevision:N daemonsets:DaemonSet:N deployments:Deployment:N replicasets:ReplicaSet:N statefulsets:StatefulSet:N
authentication.k8s.io | tokenreviews:TokenReview:C selfsubjectreviews:SelfSubjectReview:C
authorization.k8s.io | localsubjectaccessreviews:LocalSubjectAccessReview:N selfsubjectaccessreviews:SelfSubjectAccessReview:C selfsubjectrulesreviews:SelfSubjectRulesReview:C subjectaccessreviews:SubjectAccessReview:C
autoscaling | horizontalpodautoscalers:HorizontalPodAutoscaler:N
batch | cronjobs:CronJob:N jobs:Job:N
certificates.k8s.io | certificatesigningrequests:CertificateSigningRequest:C clustertrustbundles:ClusterTrustBundle:C podcertificaterequests:PodCertificateRequest:N
coordination.k8s.io | leases:Lease:N leasecandidates:LeaseCandidate:N
discovery.k8s.io | endpointslices:EndpointSlice:N
events.k8s.io | events:Event:N
extensions | daemonsets:DaemonSet:N deployments:Deployment:N ingresses:Ingress:N networkpolicies:NetworkPolicy:N podsecuritypolicies:PodSecurityPolicy:C replicasets:ReplicaSet:N
flowcontrol.apiserver.k8s.io | flowschemas:FlowSchema:C prioritylevelconfigurations:PriorityLevelConfiguration:C
internal.apiserver.k8s.io | storageversions:StorageVersion:C
networking.k8s.io | ingressclasses:IngressClass:C ingresses:Ingress:N networkpolicies:NetworkPolicy:N ipaddresses:IPAddress:C servicecidrs:ServiceCIDR:C
node.k8s.io | runtimeclasses:RuntimeClass:C
policy | poddisruptionbudgets:PodDisruptionBudget:N podsecuritypolicies:PodSecurityPolicy:C evictions:Eviction:N
rbac.authorization.k8s.io | clusterrolebindings:ClusterRoleBinding:C clusterroles:ClusterRole:C rolebindings:RoleBinding:N roles:Role:N
resource.k8s.io | deviceclasses:DeviceClass:C resourceclaims:ResourceClaim:N resourceclaimtemplates:ResourceClaimTemplate:N resourceslices:ResourceSlice:C devicetaintrules:DeviceTaintRule:C podschedulingcontexts:PodSchedulingContext:N resourceclasses:ResourceClass:C resourceclaimparameters:ResourceClaimParameters:N resourceclassparameters:ResourceClassParameters:N
scheduling.k8s.io | priorityclasses:PriorityClass:C
storage.k8s.io | csidrivers:CSIDriver:C csinodes:CSINode:C csistoragecapacities:CSIStorageCapacity:N storageclasses:StorageClass:C volumeattachments:VolumeAttachment:C volumeattributesclasses:VolumeAttributesClass:C
storagemigration.k8s.io | storageversionmigrations:StorageVersionMigration:C
metacontroller.k8s.io | compositecontrollers:CompositeController:C decoratorcontrollers:DecoratorController:C controllerrevisions:ControllerRevision:N
`;

function parseTable(table: string): ResourceInfo[] {
  const out: ResourceInfo[] = [];
  for (const line of table.split("\n")) {
    if (line.trim() === "") continue;
    const [groupPart = "", entries = ""] = line.split("|");
    const group = groupPart.trim();
    for (const entry of entries.trim().split(/\s+/)) {
      const [resource = "", kind = "", scope = ""] = entry.split(":");
      out.push({ group, resource, kind, namespaced: scope === "N" });
    }
  }
  return out;
}

/** Every built-in resource metahook knows, with its scope. */
export const BUILTIN_RESOURCES: readonly ResourceInfo[] = Object.freeze(parseTable(TABLE));

const byGroupKind = new Map(BUILTIN_RESOURCES.map((r) => [`${r.group}/${r.kind}`, r]));
const byGroupResource = new Map(BUILTIN_RESOURCES.map((r) => [`${r.group}/${r.resource}`, r]));

/** The built-in resource of a kind, looked up by `apiVersion` and `kind`. */
export function builtinResourceOfKind(apiVersion: string, kind: string): ResourceInfo | undefined {
  return byGroupKind.get(`${apiGroup(apiVersion)}/${kind}`);
}

/** The built-in resource named by a controller rule (`apiVersion` + plural `resource`). */
export function builtinResource(apiVersion: string, resource: string): ResourceInfo | undefined {
  return byGroupResource.get(`${apiGroup(apiVersion)}/${resource}`);
}

/**
 * The conventional plural of a kind, lowercased, as `kubectl` and CRD scaffolds spell it:
 * `Blog` → `blogs`, `Policy` → `policies`, `Ingress` → `ingresses`. Irregular plurals
 * (`Endpoints`) are in the built-in table; for a custom kind the CRD's `plural` is the truth.
 *
 * @example
 * ```ts
 * pluralOf("NetworkPolicy"); // "networkpolicies"
 * ```
 */
export function pluralOf(kind: string): string {
  const lower = kind.toLowerCase();
  if (/[^aeiou]y$/.test(lower)) return `${lower.slice(0, -1)}ies`;
  if (/(s|x|z|ch|sh)$/.test(lower)) return `${lower}es`;
  return `${lower}s`;
}

/** A controller rule as written in a manifest: an `apiVersion` and a plural `resource`. */
export interface ResourceRule {
  readonly apiVersion: string;
  readonly resource: string;
}

/**
 * What a custom resource definition says about its names and scope: structurally a subset of
 * `@metahook/crd-types`' `Crd`, so parsed CRDs can be passed as they are.
 */
export interface CustomResourceSource {
  readonly group: string;
  readonly plural: string;
  readonly kind: string;
  /** `Namespaced` or `Cluster` (anything but `Cluster` counts as namespaced, the API default). */
  readonly scope: string;
  readonly versions: readonly { readonly name: string; readonly served: boolean }[];
}

/** Maps a custom resource (`resource` or `resource.group`) to its kind, for rules the builder cannot resolve itself. */
export type KindTable = { readonly [resource: string]: string };

/** Where {@link resolveResource} looks, in this order after the CRDs: the table, built-ins, observed objects. */
export interface ResolveSources<C extends CustomResourceSource = CustomResourceSource> {
  /** CRDs given by the author: they win, being what the API server serves for their group. */
  readonly crds?: readonly C[] | undefined;
  /** Kinds named explicitly (`{ "blogs.example.com": "Blog" }`); scope unknown. */
  readonly kinds?: KindTable | undefined;
  /** Objects seen in a request: a rule matches one whose kind pluralizes to its resource. */
  readonly objects?: readonly { readonly apiVersion: string; readonly kind: string }[] | undefined;
}

/** A rule resolved to its kind, with where the answer came from. */
export interface ResolvedResource<C extends CustomResourceSource = CustomResourceSource> {
  readonly apiVersion: string;
  /** API group, `""` for the core group. */
  readonly group: string;
  readonly version: string;
  readonly resource: string;
  readonly kind: string;
  /** `undefined` when only a kind table or an observed object named the kind. */
  readonly namespaced: boolean | undefined;
  readonly source: "crd" | "kinds" | "builtin" | "observed";
  /** The CRD that defined it, when `source` is `"crd"`. */
  readonly crd?: C;
}

/** The outcome of {@link resolveResource}: a kind, or why there is none. */
export type Resolution<C extends CustomResourceSource = CustomResourceSource> =
  | { readonly ok: true; readonly resolved: ResolvedResource<C> }
  | {
      readonly ok: false;
      readonly reason: "unserved-version";
      readonly group: string;
      /** The CRD that names the resource but does not serve the rule's version. */
      readonly crd: C;
      readonly served: readonly string[];
    }
  | {
      readonly ok: false;
      readonly reason: "unknown";
      /** The rule's API group, `""` for the core group, for the caller's hint. */
      readonly group: string;
    };

/**
 * The one resolver from a rule (`apiVersion` + plural `resource`) to a kind and scope, used by
 * the request builders, `gen controller` and `scaffold`. Precedence: the given CRDs, then an
 * explicit kind table, then the built-in table, then observed objects.
 *
 * @example
 * ```ts
 * const r = resolveResource({ apiVersion: "apps/v1", resource: "deployments" });
 * if (r.ok) r.resolved.kind; // "Deployment", namespaced: true
 * ```
 */
export function resolveResource<C extends CustomResourceSource = CustomResourceSource>(
  rule: ResourceRule,
  sources: ResolveSources<C> = {},
): Resolution<C> {
  const group = apiGroup(rule.apiVersion);
  const version = rule.apiVersion.slice(rule.apiVersion.lastIndexOf("/") + 1);
  const base = { apiVersion: rule.apiVersion, group, version, resource: rule.resource };
  const crd = sources.crds?.find((c) => c.group === group && c.plural === rule.resource);
  if (crd) {
    if (!crd.versions.some((v) => v.name === version && v.served)) {
      const served = crd.versions.filter((v) => v.served).map((v) => v.name);
      return { ok: false, reason: "unserved-version", group, crd, served };
    }
    const namespaced = crd.scope !== "Cluster";
    return { ok: true, resolved: { ...base, kind: crd.kind, namespaced, source: "crd", crd } };
  }
  const named =
    sources.kinds?.[group ? `${rule.resource}.${group}` : rule.resource] ??
    sources.kinds?.[rule.resource];
  const builtin = builtinResource(rule.apiVersion, rule.resource);
  if (named) {
    const namespaced = builtin?.kind === named ? builtin.namespaced : undefined;
    return { ok: true, resolved: { ...base, kind: named, namespaced, source: "kinds" } };
  }
  if (builtin) {
    const { kind, namespaced } = builtin;
    return { ok: true, resolved: { ...base, kind, namespaced, source: "builtin" } };
  }
  const seen = sources.objects?.find(
    (o) => o.apiVersion === rule.apiVersion && pluralOf(o.kind) === rule.resource,
  );
  if (seen) {
    return {
      ok: true,
      resolved: { ...base, kind: seen.kind, namespaced: undefined, source: "observed" },
    };
  }
  return { ok: false, reason: "unknown", group };
}
