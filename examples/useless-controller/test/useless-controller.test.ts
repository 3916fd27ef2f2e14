import { createHookServer, type HookVersion, type KubeObject } from "@metahook/runtime";
import { buildCompositeRequest } from "@metahook/runtime/testing";
import { exampleManifests } from "@metahook/test-support";
import type { IDeployment } from "kubernetes-models/apps/v1/Deployment";
import { describe, expect, it } from "vitest";
import {
  type Children,
  controllerManifest as controller,
  type Keying,
  type Parent,
  type Related,
} from "../src/useless-controller.generated.js";
import uselessController, { readiness } from "../src/useless-controller.js";
import expected from "./fixtures/expected.json" with { type: "json" };

const { manifestOf } = exampleManifests(import.meta.url);

const uselessPod = (name: string, generation?: number): Parent => ({
  apiVersion: "example.com/v1",
  kind: "UselessPod",
  metadata: {
    name: "sample",
    namespace: "default",
    uid: "0000-useless",
    ...(generation === undefined ? {} : { generation }),
  },
  spec: { name },
});

const deployment = (name: string, readyReplicas?: number): IDeployment => ({
  apiVersion: "apps/v1",
  kind: "Deployment",
  metadata: { name, namespace: "default" },
  spec: {
    replicas: 1,
    selector: { matchLabels: { app: name } },
    template: { metadata: { labels: { app: name } }, spec: { containers: [] } },
  },
  status: readyReplicas === undefined ? {} : { replicas: 1, readyReplicas },
});

const request = (parent: Parent, observed: KubeObject[] = [], version: HookVersion = "v1") =>
  buildCompositeRequest<Parent, Children, Related, Keying>({
    controller: {
      ...controller,
      spec: { ...controller.spec, hooks: { sync: { ...controller.spec.hooks.sync, version } } },
    },
    parent,
    observed,
  });

describe("useless-controller answers as kubecfg's hook, ready from the Deployment", () => {
  it.each<[keyof typeof expected, Parent, KubeObject[]]>([
    ["nothing observed yet", uselessPod("sample", 1), []],
    [
      "the Deployment exists, no ready replica",
      uselessPod("sample", 1),
      [deployment("useless-sample")],
    ],
    [
      "the Deployment reports its replica ready",
      uselessPod("sample", 3),
      [deployment("useless-sample", 1)],
    ],
    ["no generation yet, another name", uselessPod("web"), [deployment("useless-sample", 1)]],
  ])("%s", (name, parent, observed) => {
    expect(uselessController(request(parent, observed))).toStrictEqual(expected[name]);
  });

  it("finds the Deployment under hook v2's namespace/name keys too", () => {
    const answer = uselessController(
      request(uselessPod("sample", 3), [deployment("useless-sample", 1)], "v2"),
    );
    expect(answer.status).toStrictEqual(
      expected["the Deployment reports its replica ready"].status,
    );
  });

  it.each<[string, IDeployment | undefined, "true" | "false"]>([
    ["no Deployment", undefined, "false"],
    ["no status yet", deployment("d"), "false"],
    ["0 of 1 ready", deployment("d", 0), "false"],
    ["1 of 1 ready", deployment("d", 1), "true"],
  ])("readiness: %s", (_label, given, want) => {
    expect(readiness(given)).toBe(want);
  });
});

describe("served the kubecfg way", () => {
  it("the module's default export is served at /useless-controller, the path its manifest names", async () => {
    const server = createHookServer({
      logger: false,
      controllers: { "useless-controller": uselessController },
    });
    try {
      const path = new URL(controller.spec.hooks.sync.webhook.url).pathname;
      expect(path).toBe("/useless-controller");
      const parent = manifestOf<Parent>("uselesspod.yaml", "UselessPod");
      parent.metadata = { ...parent.metadata, namespace: "default", generation: 1 };
      const response = await server.app.inject({
        method: "POST",
        url: path,
        payload: request(parent),
      });
      expect(response.statusCode).toBe(200);
      expect(response.json()).toStrictEqual(expected["nothing observed yet"]);
    } finally {
      await server.close();
    }
  });
});
