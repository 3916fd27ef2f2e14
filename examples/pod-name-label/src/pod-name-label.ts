/**
 * pod-name-label: a DecoratorController that labels each opted-in Pod with its own
 * name, under the label key the Pod asks for in its `pod-name-label` annotation.
 *
 * Pods get no label of their own name from Kubernetes that a Service could select
 * on per pod (StatefulSets add `statefulset.kubernetes.io/pod-name`, other workloads
 * nothing); with this label the `service-per-pod` example can point one Service at
 * each pod. No attachments, no finalize: the label is harmless to leave behind.
 *
 * Served by `metahook serve examples` at `/pod-name-label/sync`.
 *
 * @module
 */
import { defineDecoratorController } from "@metahook/runtime";
import type {
  Attachments,
  Keying,
  Parent,
  Related,
  SyncRequest,
  SyncResponse,
} from "./pod-name-label.generated.js";

/** Annotation on the Pod (usually set in its template) naming the label key to use. */
export const LABEL_KEY_ANNOTATION = "pod-name-label";

/**
 * `{labels: {<annotation value>: <pod name>}}`. A Pod without the annotation (the
 * controller's annotationSelector normally keeps those away) gets an empty answer,
 * which changes nothing on a decorator.
 */
export function sync({ object }: SyncRequest): SyncResponse {
  const labelKey = object.metadata.annotations?.[LABEL_KEY_ANNOTATION];
  if (labelKey === undefined || labelKey === "") return {};
  return { labels: { [labelKey]: object.metadata.name } };
}

/**
 * The pod-name-label DecoratorController: Pods with the `pod-name-label`
 * annotation and no `pod-name` label yet (see `manifests/controller.yaml`).
 */
const podNameLabel = defineDecoratorController<Parent, Attachments, Related, Keying>({ sync });

export default podNameLabel;
