import { apiGroup } from "./keys.js";

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
