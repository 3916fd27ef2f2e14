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
import {
  type DecoratorHookRequest,
  type DecoratorHookResponse,
  defineDecoratorController,
} from "@metahook/runtime";
import type { IPod } from "kubernetes-models/v1/Pod";

/** Annotation on the Pod (usually set in its template) naming the label key to use. */
export const LABEL_KEY_ANNOTATION = "pod-name-label";

/** No attachments: the decorator only changes the Pod's own labels. */
export type PodNameLabelAttachments = Record<never, never>;

type Request = DecoratorHookRequest<IPod, PodNameLabelAttachments>;
type Response = DecoratorHookResponse<IPod, PodNameLabelAttachments>;

/**
 * `{labels: {<annotation value>: <pod name>}}`. A Pod without the annotation (the
 * controller's annotationSelector normally keeps those away) gets an empty answer,
 * which changes nothing on a decorator.
 */
export function sync({ object }: Request): Response {
  const name = object.metadata?.name;
  const labelKey = object.metadata?.annotations?.[LABEL_KEY_ANNOTATION];
  if (name === undefined || labelKey === undefined || labelKey === "") return {};
  return { labels: { [labelKey]: name } };
}

/**
 * The pod-name-label DecoratorController: Pods with the `pod-name-label`
 * annotation and no `pod-name` label yet (see `manifests/controller.yaml`).
 */
const podNameLabel = defineDecoratorController<IPod, PodNameLabelAttachments>({ sync });

export default podNameLabel;
