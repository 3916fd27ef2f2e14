import type { IDeployment } from "kubernetes-models/apps/v1/Deployment";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import {
  scaffoldController,
  scaffoldCrd,
  validateManifest,
  validateScaffold,
} from "../src/index.js";

describe("validateManifest", () => {
  const valid = scaffoldController({
    crds: [{ path: "crd.yaml", content: scaffoldCrd({ group: "example.com", kind: "Blog" }).yaml }],
    children: "services.v1",
  });
  const deployment = parse(
    valid.files.find((f) => f.path === "deploy/deployment.yaml")?.content ?? "",
  ) as IDeployment;

  const broken: { name: string; doc: unknown; message: RegExp }[] = [
    {
      name: "Deployment without a selector",
      doc: { ...deployment, spec: { ...deployment.spec, selector: undefined } },
      message: /Deployment .*selector/,
    },
    {
      name: "Service port out of type",
      doc: { apiVersion: "v1", kind: "Service", spec: { ports: [{ port: "eighty" }] } },
      message: /Service .*port/,
    },
    {
      name: "controller without a parent resource",
      doc: {
        ...valid.controller,
        spec: { ...(valid.controller.spec as object), parentResource: undefined },
      },
      message: /spec\.parentResource: is required/,
    },
    {
      name: "kustomization naming a missing file",
      doc: {
        apiVersion: "kustomize.config.k8s.io/v1beta1",
        kind: "Kustomization",
        resources: ["gone.yaml"],
      },
      message: /resource gone\.yaml is not among the files/,
    },
    {
      name: "a kind with no validator",
      doc: { apiVersion: "example.com/v1", kind: "Blog" },
      message: /no validator for example\.com\/v1\/Blog/,
    },
  ];

  it.each(broken)("$name is reported", ({ doc, message }) => {
    const problems = validateManifest(doc, "x.yaml", { files: new Set() });
    expect(problems.join("\n")).toMatch(message);
  });

  it("finds nothing wrong with what scaffoldController returns", () => {
    expect(validateScaffold(valid.files, ["deploy/crd.yaml"])).toEqual([]);
  });
});
