import {
  type DecoratorHookResponse,
  defineDecoratorController,
  HookError,
  type HookVersion,
} from "@metahook/runtime";
import { buildDecoratorRequest, invokeHook } from "@metahook/runtime/testing";
import { exampleManifests, fixture } from "@metahook/test-support";
import type { IService } from "kubernetes-models/v1/Service";
import { describe, expect, it } from "vitest";
import {
  type Attachments,
  controllerManifest as controller,
  type Keying,
  type Parent,
  type Related,
} from "../src/pod-name-label.generated.js";
import podNameLabel from "../src/pod-name-label.js";

const { manifestOf } = exampleManifests(import.meta.url);

describe("pod-name-label answers the shared fixture exactly", () => {
  it.each([["sync v1", "decorator-sync-v1-pod-name-label"]])("%s", async (_label, name) => {
    await expect(invokeHook(podNameLabel, fixture(`${name}.request.json`))).resolves.toStrictEqual(
      fixture(`${name}.response.json`),
    );
  });
});

const pod = (name: string, annotations?: { [key: string]: string }): Parent => ({
  apiVersion: "v1",
  kind: "Pod",
  metadata: {
    name,
    namespace: "apps",
    labels: { app: "web" },
    ...(annotations ? { annotations } : {}),
  },
  spec: { containers: [{ name: "web", image: "nginx:1.26.2" }] },
});

// With no attachments or related objects, the hook version (the keying) types nothing here.
const request = (object: Parent, version: HookVersion = "v1") =>
  buildDecoratorRequest<Parent, Attachments, Related, Keying>({
    controller: {
      ...controller,
      spec: { ...controller.spec, hooks: { sync: { ...controller.spec.hooks.sync, version } } },
    },
    object,
  });

describe("pod-name-label labels pods with their name", () => {
  it.each<[string, { object: Parent; version?: HookVersion }, unknown]>([
    [
      "the key the annotation asks for",
      { object: pod("web-7f9c", { "pod-name-label": "instance" }) },
      { labels: { instance: "web-7f9c" } },
    ],
    [
      "a prefixed key, hook v2",
      { object: pod("web-0", { "pod-name-label": "example.com/pod" }), version: "v2" },
      { labels: { "example.com/pod": "web-0" } },
    ],
    ["no annotation: nothing to change", { object: pod("web-1") }, {}],
    [
      "an empty annotation: nothing to change",
      { object: pod("web-2", { "pod-name-label": "" }) },
      {},
    ],
  ])("%s", async (_label, given, want) => {
    await expect(
      invokeHook(podNameLabel, request(given.object, given.version)),
    ).resolves.toStrictEqual(want);
  });

  it("labels the sample pod", async () => {
    const sample = manifestOf<Parent>("pod.yaml", "Pod");
    sample.metadata = { ...sample.metadata, namespace: "default" };
    await expect(invokeHook(podNameLabel, request(sample))).resolves.toStrictEqual({
      labels: { "pod-name": "pod-name-demo" },
    });
  });

  it("the manifest points sync at the examples server", () => {
    expect(controller.spec.hooks.sync.webhook.url).toBe(
      "http://pod-name-label-hooks.metacontroller/pod-name-label/sync",
    );
  });
});

async function refusal(promise: Promise<unknown>): Promise<HookError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!(error instanceof HookError)) throw new Error(`expected a HookError, got ${String(error)}`);
  return error;
}

describe("what the runtime refuses", () => {
  // Deliberately wrong: typed with Service attachments, which the manifest does not declare.
  type WithService = { "Service.v1": IService };
  const withAttachment = defineDecoratorController<Parent, WithService, Related, Keying>({
    sync: (): DecoratorHookResponse<Parent, WithService> => ({
      attachments: [{ apiVersion: "v1", kind: "Service", metadata: { name: "x" } }],
    }),
  });

  it.each<[string, () => Promise<unknown>, RegExp]>([
    [
      "an annotation that is not a label key",
      () => invokeHook(podNameLabel, request(pod("web-0", { "pod-name-label": "Not A Key" }))),
      /labels\["Not A Key"\]: invalid key/,
    ],
    [
      "a pod name too long for a label value",
      () =>
        invokeHook(
          podNameLabel,
          request(pod(`web-${"x".repeat(70)}`, { "pod-name-label": "pod-name" })),
        ),
      /invalid label value/,
    ],
    [
      "attachments from a controller that declares none",
      () => invokeHook(withAttachment, request(pod("web-0", { "pod-name-label": "pod-name" }))),
      /Service\.v1, which is not among the controller's attachments \(none\)/,
    ],
  ])("%s", async (_label, run, message) => {
    const error = await refusal(run());
    expect(error.code).toBe("INVALID_RESPONSE");
    expect(error.message).toMatch(message);
  });
});
