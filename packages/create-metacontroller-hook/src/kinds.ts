// The child kinds the interactive create offers: the common built-in ones, the kinds of a CRD
// file the user gave, and what a typed entry must look like to be offered as another kind.
import { readCrds } from "@metahook/crd-types";
import type { Choice } from "./prompts.js";

const builtin = (kind: string, resource: string, apiVersion: string): Choice<string> => ({
  value: `${resource}.${apiVersion}`,
  label: kind,
  hint: `${resource}.${apiVersion}`,
});

/** The built-in kinds a controller most often owns, in the order they are listed. */
export const COMMON_CHILDREN: readonly Choice<string>[] = [
  builtin("Deployment", "deployments", "apps/v1"),
  builtin("StatefulSet", "statefulsets", "apps/v1"),
  builtin("DaemonSet", "daemonsets", "apps/v1"),
  builtin("Job", "jobs", "batch/v1"),
  builtin("CronJob", "cronjobs", "batch/v1"),
  builtin("Service", "services", "v1"),
  builtin("Ingress", "ingresses", "networking.k8s.io/v1"),
  builtin("ConfigMap", "configmaps", "v1"),
  builtin("Secret", "secrets", "v1"),
  builtin("PersistentVolumeClaim", "persistentvolumeclaims", "v1"),
  builtin("ServiceAccount", "serviceaccounts", "v1"),
  builtin("Role", "roles", "rbac.authorization.k8s.io/v1"),
  builtin("RoleBinding", "rolebindings", "rbac.authorization.k8s.io/v1"),
  builtin("PodDisruptionBudget", "poddisruptionbudgets", "policy/v1"),
];

/**
 * The kinds a CRD file defines, as choices (`<plural>.<group>/<storage version>`); none when
 * the file does not parse (the parent prompt reports that).
 */
export function crdChoices(path: string, content: string): Choice<string>[] {
  let crds: ReturnType<typeof readCrds>["crds"];
  try {
    crds = readCrds([{ path, content }]).crds;
  } catch {
    return [];
  }
  return crds.map((crd) => {
    const version =
      crd.versions.find((v) => v.storage) ?? crd.versions.find((v) => v.served) ?? crd.versions[0];
    const value = `${crd.plural}.${crd.group}/${version?.name ?? "v1"}`;
    return { value, label: crd.kind, hint: `${value}, from ${path}` };
  });
}

// <plural>.<apiVersion>: `foos.v1`, `foos.example.com/v1alpha1`.
const RULE = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?\.([a-z0-9]([-a-z0-9.]*[a-z0-9])?\/)?v[0-9]+[a-z0-9]*$/;

/** A typed entry as a child kind of its own, when it has the `<plural>.<apiVersion>` shape. */
export function typedChild(input: string): string | undefined {
  return RULE.test(input) ? input : undefined;
}
