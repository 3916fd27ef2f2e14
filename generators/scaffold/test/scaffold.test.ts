import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { readCrds } from "@metahook/crd-types";
import { afterAll, describe, expect, it } from "vitest";
import {
  packageManagerFromUserAgent,
  parseChildren,
  ScaffoldError,
  type ScaffoldErrorCode,
  scaffoldController,
  scaffoldCrd,
  writeScaffold,
} from "../src/index.js";

const tmp = mkdtempSync(join(tmpdir(), "metahook-scaffold-lib-"));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const blogCrd = scaffoldCrd({ group: "example.com", kind: "Blog" }).yaml;
const policyCrd = scaffoldCrd({ group: "ops.example.com", kind: "Policy", scope: "Cluster" }).yaml;
const crds = readCrds([
  { path: "blog.yaml", content: blogCrd },
  { path: "policy.yaml", content: policyCrd },
]).crds;

describe("parseChildren resolves through the runtime's one resolver", () => {
  const cases: {
    given: string;
    want: { kind: string; namespaced: boolean; custom: boolean; updateStrategy: string }[];
  }[] = [
    {
      given: "deployments.apps/v1, services.v1",
      want: [
        { kind: "Deployment", namespaced: true, custom: false, updateStrategy: "InPlace" },
        { kind: "Service", namespaced: true, custom: false, updateStrategy: "InPlace" },
      ],
    },
    {
      given: "pods.v1,jobs.batch/v1,persistentvolumeclaims.v1",
      want: [
        { kind: "Pod", namespaced: true, custom: false, updateStrategy: "Recreate" },
        { kind: "Job", namespaced: true, custom: false, updateStrategy: "Recreate" },
        {
          kind: "PersistentVolumeClaim",
          namespaced: true,
          custom: false,
          updateStrategy: "OnDelete",
        },
      ],
    },
    {
      given: "namespaces.v1,policies.ops.example.com/v1",
      want: [
        { kind: "Namespace", namespaced: false, custom: false, updateStrategy: "InPlace" },
        { kind: "Policy", namespaced: false, custom: true, updateStrategy: "InPlace" },
      ],
    },
    { given: "", want: [] },
  ];
  it.each(cases)("$given", ({ given, want }) => {
    expect(parseChildren(given, crds)).toMatchObject(want);
  });
});

describe("errors carry a stable code and say what to fix", () => {
  const cases: { name: string; call: () => unknown; code: ScaffoldErrorCode; message: RegExp }[] = [
    {
      name: "a misspelt built-in",
      call: () => parseChildren("configmap.v1", crds),
      code: "INVALID_OPTION",
      message: /configmap is not a built-in resource of v1/,
    },
    {
      name: "a custom kind without its CRD",
      call: () => parseChildren("gizmos.example.com/v1", crds),
      code: "INVALID_OPTION",
      message: /no --crd defines gizmos\.example\.com/,
    },
    {
      name: "a version the CRD does not serve",
      call: () => parseChildren("blogs.example.com/v2", crds),
      code: "INVALID_OPTION",
      message: /blogs\.example\.com does not serve v2 \(it serves v1\)/,
    },
    {
      name: "a kind that is not PascalCase",
      call: () => scaffoldCrd({ group: "example.com", kind: "blog-post" }),
      code: "INVALID_OPTION",
      message: /must be PascalCase.*e\.g\. BlogPost/,
    },
    {
      name: "a file with no CRD in it",
      call: () =>
        scaffoldController({ crds: [{ path: "x.yaml", content: "a: 1\n" }], children: "" }),
      code: "INVALID_INPUT",
      message: /x\.yaml: no apiextensions\.k8s\.io\/v1 CustomResourceDefinition found/,
    },
  ];
  it.each(cases)("$name: $code", ({ call, code, message }) => {
    let caught: unknown;
    try {
      call();
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(ScaffoldError);
    expect(caught).toMatchObject({ code, message: expect.stringMatching(message) });
  });
});

describe("writeScaffold, the edge", () => {
  it("writes every file, then refuses to overwrite without force and changes nothing", async () => {
    const dir = mkdtempSync(join(tmp, "write-"));
    const files = [
      { path: "deploy/a.yaml", content: "a: 1\n" },
      { path: "b.txt", content: "b\n" },
    ];
    expect(await writeScaffold(dir, files)).toEqual(["deploy/a.yaml", "b.txt"]);
    writeFileSync(join(dir, "b.txt"), "mine\n");
    await expect(writeScaffold(dir, files)).rejects.toMatchObject({
      code: "WRITE_FAILED",
      message: expect.stringMatching(/deploy\/a\.yaml, b\.txt already exist/),
    });
    expect(readFileSync(join(dir, "b.txt"), "utf8")).toBe("mine\n");
    await writeScaffold(dir, files, { force: true });
    expect(readFileSync(join(dir, "b.txt"), "utf8")).toBe("b\n");
  });

  it("refuses a path outside the directory", async () => {
    const dir = mkdtempSync(join(tmp, "outside-"));
    await expect(writeScaffold(dir, [{ path: "../x", content: "" }])).rejects.toMatchObject({
      code: "WRITE_FAILED",
    });
  });
});

describe("packageManagerFromUserAgent", () => {
  it.each([
    ["pnpm/10.34.8 npm/? node/v20.20.0 linux x64", "pnpm"],
    ["yarn/4.9.1 npm/? node/v20.20.0", "yarn"],
    ["bun/1.2.0 npm/? node/v20.20.0", "bun"],
    ["npm/11.0.0 node/v20.20.0", "npm"],
    [undefined, "npm"],
  ])("%s → %s", (agent, want) => {
    expect(packageManagerFromUserAgent(agent)).toBe(want);
  });
});
