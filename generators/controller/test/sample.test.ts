// Sample values: valid against the schema wherever a valid value can be made, a marked
// placeholder and a TODO where it cannot; checked on hand-written cases and every real CRD.
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { readCrds } from "@metahook/crd-types";
import { describe, expect, it } from "vitest";
import { PLACEHOLDER, sampleObject, sampleWithTodos, validateSample } from "../src/index.js";
import { REFERENCE } from "./helpers.js";

const str = (extra: object) => ({ type: "string", ...extra });

describe("sampleWithTodos", () => {
  // Each schema constrains one field; want: valid (no TODO), or a placeholder with one TODO.
  const cases: { name: string; given: object; want: "valid" | "todo" }[] = [
    {
      name: "a domain pattern that forbids a bare word",
      given: str({ pattern: "^[a-z0-9.-]+\\.[a-z]{2,}$" }),
      want: "valid",
    },
    {
      name: "a DNS label with a minimum length",
      given: str({ pattern: "^[a-z0-9]([-a-z0-9]*[a-z0-9])?$", minLength: 12 }),
      want: "valid",
    },
    { name: "a quantity pattern", given: str({ pattern: "^(\\d+)(Mi|Gi)$" }), want: "valid" },
    {
      name: "a fixed prefix and digits",
      given: str({ pattern: "^release-[0-9]{4}$" }),
      want: "valid",
    },
    { name: "an enum", given: str({ enum: ["Gold", "Silver"] }), want: "valid" },
    { name: "a date-time", given: str({ format: "date-time" }), want: "valid" },
    { name: "a uuid", given: str({ format: "uuid" }), want: "valid" },
    { name: "a cidr", given: str({ format: "cidr" }), want: "valid" },
    { name: "a short maximum length", given: str({ maxLength: 2 }), want: "valid" },
    { name: "a long minimum length", given: str({ minLength: 40 }), want: "valid" },
    {
      name: "an exclusive minimum and multipleOf",
      given: { type: "integer", minimum: 5, exclusiveMinimum: true, multipleOf: 4 },
      want: "valid",
    },
    {
      name: "a negative range",
      given: { type: "number", minimum: -10, maximum: -2 },
      want: "valid",
    },
    {
      name: "minItems of a constrained item",
      given: { type: "array", minItems: 2, items: str({ pattern: "^[A-Z]{3}$" }) },
      want: "valid",
    },
    {
      name: "required fields and minProperties of a map",
      given: {
        type: "object",
        required: ["host"],
        properties: { host: str({ format: "hostname", pattern: "^[a-z.]+$" }) },
        minProperties: 2,
        additionalProperties: { type: "integer", minimum: 3 },
      },
      want: "valid",
    },
    {
      name: "a pattern and a length that contradict",
      given: str({ pattern: "^x$", minLength: 3 }),
      want: "todo",
    },
    {
      name: "bounds that contradict",
      given: { type: "integer", minimum: 9, maximum: 3 },
      want: "todo",
    },
  ];
  it.each(cases)("$name", ({ given, want }) => {
    const { value, todos } = sampleWithTodos(given, "spec.field");
    if (want === "valid") {
      expect(todos).toEqual([]);
      expect(validateSample(given, value)).toEqual([]);
    } else {
      expect(todos.map((t) => t.path)).toEqual(["spec.field"]);
      expect(validateSample(given, value)).not.toEqual([]);
      if (typeof value === "string") expect(value.startsWith(PLACEHOLDER)).toBe(true);
    }
  });
});

describe("validateSample", () => {
  const schema = {
    type: "object",
    required: ["spec"],
    properties: {
      spec: {
        type: "object",
        required: ["domain"],
        properties: {
          domain: str({ pattern: "^[a-z]+\\.[a-z]{2,}$" }),
          ports: { type: "array", items: { type: "integer", maximum: 10 } },
          size: { "x-kubernetes-int-or-string": true },
        },
      },
    },
  };
  const cases: { name: string; given: unknown; want: string[] }[] = [
    {
      name: "valid",
      given: { spec: { domain: "example.com", ports: [1], size: "1Gi" } },
      want: [],
    },
    { name: "a pattern", given: { spec: { domain: "example" } }, want: ["spec.domain"] },
    {
      name: "an array item",
      given: { spec: { domain: "a.io", ports: [1, 11] } },
      want: ["spec.ports[1]"],
    },
    { name: "a missing required field", given: { spec: {} }, want: ["spec"] },
    {
      name: "int-or-string",
      given: { spec: { domain: "a.io", size: true } },
      want: ["spec.size", "spec.size", "spec.size"],
    },
  ];
  it.each(cases)("$name", ({ given, want }) => {
    expect(validateSample(schema, given).map((p) => p.path)).toEqual(want);
  });
});

describe("samples of every real CRD in test/fixtures/crds", () => {
  const dir = join(REFERENCE, "crds");
  const versions = readdirSync(dir)
    .filter((f) => f.endsWith(".yaml"))
    .sort()
    .flatMap((file) =>
      readCrds([{ path: file, content: readFileSync(join(dir, file), "utf8") }]).crds.flatMap(
        (crd) => crd.versions.map((version) => ({ file, crd, version })),
      ),
    );

  it("finds them", () => {
    expect(versions.length).toBeGreaterThanOrEqual(54);
  });

  it.each(versions.map((v) => [`${v.crd.name} ${v.version.name}`, v] as const))(
    "%s: valid, or every problem marked with a TODO",
    (_name, { crd, version }) => {
      const { value, todos } = sampleObject(version.schema, {
        apiVersion: `${crd.group}/${version.name}`,
        kind: crd.kind,
        metadata: { name: "example" },
      });
      const unmarked = validateSample(version.schema, value).filter(
        (p) => !todos.some((t) => p.path === t.path || p.path.startsWith(`${t.path}.`)),
      );
      expect(unmarked).toEqual([]);
    },
  );
});
