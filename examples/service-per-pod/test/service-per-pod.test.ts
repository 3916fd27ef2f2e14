import {
  type DecoratorHookResponse,
  defineDecoratorController,
  HookError,
  type HookVersion,
} from "@metahook/runtime";
import { buildDecoratorRequest, invokeHook } from "@metahook/runtime/testing";
import { exampleManifests, fixture } from "@metahook/test-support";
import type { IConfigMap } from "kubernetes-models/v1/ConfigMap";
import type { IService } from "kubernetes-models/v1/Service";
import { describe, expect, it } from "vitest";
import {
  type Attachments,
  controllerManifest as controller,
  type Keying,
  type Parent,
  type Related,
  type SyncResponse,
} from "../src/service-per-pod.generated.js";
import servicePerPod from "../src/service-per-pod.js";

const { manifestOf } = exampleManifests(import.meta.url);

describe("service-per-pod answers the shared fixtures exactly", () => {
  it.each([
    ["sync v1", "decorator-sync-v1-service-per-pod"],
    ["finalize v2, a Service still there", "decorator-finalize-v2-service-per-pod"],
  ])("%s", async (_label, name) => {
    await expect(invokeHook(servicePerPod, fixture(`${name}.request.json`))).resolves.toStrictEqual(
      fixture(`${name}.response.json`),
    );
  });
});

// --- own cases ------------------------------------------------------------------------

/** The controller manifest with both hooks at `version`. */
const withVersion = (version: HookVersion) => {
  const { sync, finalize } = controller.spec.hooks;
  return {
    ...controller,
    spec: {
      ...controller.spec,
      hooks: { sync: { ...sync, version }, finalize: { ...finalize, version } },
    },
  };
};

/** The keying of requests under either hook version (the cases switch it): any string key. */
type EitherVersion = Omit<Keying, "version"> & { version: HookVersion };

const statefulSet = (
  annotations: { [key: string]: string },
  replicas: number | undefined,
): Parent => ({
  apiVersion: "apps/v1",
  kind: "StatefulSet",
  metadata: { name: "db", namespace: "prod", uid: "0000-db", annotations },
  spec: {
    ...(replicas === undefined ? {} : { replicas }),
    serviceName: "db",
    selector: { matchLabels: { app: "db" } },
    template: { metadata: { labels: { app: "db" } } },
  },
});

const optIn = (ports: string) => ({
  "service-per-pod-label": "pod",
  "service-per-pod-ports": ports,
});

const observedService = (name: string): IService => ({
  apiVersion: "v1",
  kind: "Service",
  metadata: {
    name,
    namespace: "prod",
    labels: { app: "service-per-pod" },
    annotations: { "metacontroller.k8s.io/decorator-controller": "service-per-pod" },
  },
  spec: { selector: { pod: name }, ports: [{ port: 5432, targetPort: 5432 }] },
});

const wantService = (name: string, ports: [port: number, targetPort: number][]) => ({
  apiVersion: "v1",
  kind: "Service",
  metadata: { name, labels: { app: "service-per-pod" } },
  spec: {
    selector: { pod: name },
    ports: ports.map(([port, targetPort]) => ({ name: `port-${port}`, port, targetPort })),
  },
});

// Upstream's sync answers the attachments and nothing else: the StatefulSet's own
// labels, annotations and status are left alone.
const syncWant = (attachments: unknown[]) => ({ attachments });

interface Case {
  given: {
    object: Parent;
    attachments?: IService[];
    finalizing?: boolean;
    version?: HookVersion;
  };
  want: unknown;
}

const cases: [string, Case][] = [
  [
    "three replicas, one port (target defaults to the port)",
    {
      given: { object: statefulSet(optIn("5432"), 3) },
      want: syncWant([
        wantService("db-0", [[5432, 5432]]),
        wantService("db-1", [[5432, 5432]]),
        wantService("db-2", [[5432, 5432]]),
      ]),
    },
  ],
  [
    "scaled to zero: no Services",
    {
      given: { object: statefulSet(optIn("5432"), 0), attachments: [observedService("db-0")] },
      want: syncWant([]),
    },
  ],
  [
    "replicas unset: the apps/v1 default of 1",
    {
      given: { object: statefulSet(optIn("80:8080"), undefined) },
      want: syncWant([wantService("db-0", [[80, 8080]])]),
    },
  ],
  [
    "spaces and a trailing comma in the ports annotation",
    {
      given: { object: statefulSet(optIn(" 443 : 8443 , 80 ,"), 1), version: "v1" },
      want: syncWant([
        wantService("db-0", [
          [443, 8443],
          [80, 80],
        ]),
      ]),
    },
  ],
  [
    "finalize, v1 keys, a Service left: not finalized yet",
    {
      given: {
        object: statefulSet(optIn("5432"), 1),
        attachments: [observedService("db-0")],
        finalizing: true,
        version: "v1",
      },
      want: { attachments: [], finalized: false },
    },
  ],
  [
    "finalize with every Service gone: finalized",
    {
      given: { object: statefulSet(optIn("5432"), 1), finalizing: true },
      want: { attachments: [], finalized: true },
    },
  ],
];

describe("service-per-pod decorates StatefulSets", () => {
  it.each(cases)("%s", async (_label, { given, want }) => {
    const request = buildDecoratorRequest<Parent, Attachments, Related, EitherVersion>({
      controller: withVersion(given.version ?? "v2"),
      object: given.object,
      attachments: given.attachments ?? [],
      finalizing: given.finalizing ?? false,
    });
    await expect(invokeHook(servicePerPod, request)).resolves.toStrictEqual(want);
  });

  it("serves the sample StatefulSet one Service per replica", async () => {
    const sample = manifestOf<Parent>("statefulset.yaml", "StatefulSet");
    sample.metadata = { ...sample.metadata, namespace: "default" };
    const response = await invokeHook(
      servicePerPod,
      buildDecoratorRequest<Parent, Attachments, Related, Keying>({ controller, object: sample }),
    );
    expect(response.attachments.map((s) => s.metadata.name)).toStrictEqual([
      "nginx-0",
      "nginx-1",
      "nginx-2",
    ]);
  });

  it.each([
    ["sync", "http://service-per-pod-hooks.metacontroller/service-per-pod/sync"],
    ["finalize", "http://service-per-pod-hooks.metacontroller/service-per-pod/finalize"],
  ] as const)("the manifest points %s at the examples server", (hook, url) => {
    expect(controller.spec.hooks[hook].webhook.url).toBe(url);
  });
});

// --- refusals ---------------------------------------------------------------------------

async function refusal(promise: Promise<unknown>): Promise<HookError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!(error instanceof HookError)) throw new Error(`expected a HookError, got ${String(error)}`);
  return error;
}

const syncOf = (object: Parent) =>
  buildDecoratorRequest<Parent, Attachments, Related, Keying>({ controller, object });

describe("bad input and broken variants are refused", () => {
  // Deliberately wrong: typed with ConfigMap attachments, which the manifest does not declare.
  type WithConfigMap = Attachments & { "ConfigMap.v1": IConfigMap };
  const withConfigMap = defineDecoratorController<Parent, WithConfigMap, Related, Keying>({
    sync: (): DecoratorHookResponse<Parent, WithConfigMap> => ({
      attachments: [{ apiVersion: "v1", kind: "ConfigMap", metadata: { name: "x" } }],
    }),
  });
  const withBadLabel = defineDecoratorController<Parent, Attachments, Related, Keying>({
    // Deliberately wrong: label values cannot contain spaces.
    sync: (): SyncResponse => ({
      labels: { "service-per-pod/port": "yes please" },
      attachments: [],
    }),
  });

  it.each<[string, () => Promise<unknown>, string, RegExp]>([
    [
      "a target port that is a name",
      () => invokeHook(servicePerPod, syncOf(statefulSet(optIn("80:http"), 1))),
      "HOOK_FAILED",
      /"http" is not a port number/,
    ],
    [
      "three parts in a port entry",
      () => invokeHook(servicePerPod, syncOf(statefulSet(optIn("80:80:80"), 1))),
      "HOOK_FAILED",
      /"80:80:80" is not port\[:targetPort\]/,
    ],
    [
      "a port listed twice",
      () => invokeHook(servicePerPod, syncOf(statefulSet(optIn("80,80:8080"), 1))),
      "HOOK_FAILED",
      /port 80 is listed twice/,
    ],
    [
      "a port out of range",
      () => invokeHook(servicePerPod, syncOf(statefulSet(optIn("70000"), 1))),
      "HOOK_FAILED",
      /"70000" is not a port number/,
    ],
    [
      "a StatefulSet without the annotations",
      () => invokeHook(servicePerPod, syncOf(statefulSet({}, 1))),
      "HOOK_FAILED",
      /lacks service-per-pod-label or service-per-pod-ports/,
    ],
    [
      "an attachment of an undeclared kind",
      () => invokeHook(withConfigMap, syncOf(statefulSet(optIn("80"), 1))),
      "INVALID_RESPONSE",
      /ConfigMap\.v1, which is not among the controller's attachments/,
    ],
    [
      "an invalid label value",
      () => invokeHook(withBadLabel, syncOf(statefulSet(optIn("80"), 1))),
      "INVALID_RESPONSE",
      /invalid label value/,
    ],
  ])("%s", async (_label, run, code, message) => {
    const error = await refusal(run());
    expect(error.code).toBe(code);
    expect(error.message).toMatch(message);
  });
});
