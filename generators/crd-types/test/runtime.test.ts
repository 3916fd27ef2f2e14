// The generated runtime model: what it accepts and rejects, given/want, through the real generated
// module (written to disk and imported).
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { beforeAll, describe, expect, it } from "vitest";
import { generateTypes, writeFiles } from "../src/index.js";
import { crd, jsonInput, type Schema, tempDir } from "./helpers.js";

const spec: Schema = {
  type: "object",
  required: ["name"],
  properties: {
    name: { type: "string", pattern: "^[a-z]+$" },
    strategy: { type: "string", pattern: "^(?i)(abort|warn)?$" },
    port: { "x-kubernetes-int-or-string": true, anyOf: [{ type: "integer" }, { type: "string" }] },
    note: { type: "string", nullable: true },
    level: { type: "string", enum: ["low", "high"], nullable: true },
    when: { type: "string", format: "date-time" },
    timeout: { type: "string", format: "duration" },
    count: { type: "integer", format: "int32", minimum: 0 },
    template: {
      type: "object",
      "x-kubernetes-embedded-resource": true,
      "x-kubernetes-preserve-unknown-fields": true,
    },
    ["__proto__"]: { type: "string" },
    labels: { type: "object", additionalProperties: { type: "string" } },
    free: { "x-kubernetes-preserve-unknown-fields": true },
  },
};

let model: { is(v: unknown): boolean; validate(v: unknown): void };

beforeAll(async () => {
  const dir = tempDir("runtime");
  await writeFiles(
    dir,
    generateTypes([jsonInput("probe.json", crd({ kind: "Probe", spec }))]).files,
  );
  const mod: { [key: string]: unknown } = await import(
    pathToFileURL(join(dir, "example.com/v1/Probe.ts")).href
  );
  const value = mod.ProbeModel as typeof model;
  model = { is: (v) => value.is(v), validate: (v) => value.validate(v) };
});

const base = { apiVersion: "example.com/v1", kind: "Probe", metadata: { name: "p" } };
const withSpec = (fields: Schema): Schema => ({ ...base, spec: { name: "ok", ...fields } });

describe("generated runtime model", () => {
  const valid: { name: string; object: Schema }[] = [
    { name: "the minimal object", object: withSpec({}) },
    { name: "int-or-string as a number", object: withSpec({ port: 8080 }) },
    { name: "int-or-string as a string", object: withSpec({ port: "http" }) },
    { name: "nullable string as null", object: withSpec({ note: null }) },
    { name: "nullable enum as null", object: withSpec({ level: null }) },
    { name: "an RFC 3339 date-time", object: withSpec({ when: "2024-05-01T12:00:00Z" }) },
    {
      name: "a Go duration (format duration is not checked: ajv's is ISO 8601)",
      object: withSpec({ timeout: "1h30m" }),
    },
    { name: "(?i) pattern, upper case", object: withSpec({ strategy: "ABORT" }) },
    {
      name: "an embedded resource",
      object: withSpec({ template: { apiVersion: "v1", kind: "Pod", spec: {} } }),
    },
    { name: "a property named __proto__", object: withSpec(JSON.parse('{"__proto__": "x"}')) },
    {
      name: "any JSON under preserve-unknown-fields",
      object: withSpec({ free: [1, { a: null }] }),
    },
    {
      name: "unknown fields (the API server prunes, it does not reject)",
      object: withSpec({ extra: true }),
    },
  ];
  it.each(valid)("accepts $name", ({ object }) => {
    expect(() => model.validate(object)).not.toThrow();
    expect(model.is(object)).toBe(true);
  });

  const invalid: { name: string; object: unknown; message: string }[] = [
    {
      name: "a missing required field",
      object: { ...base, spec: {} },
      message: "data/spec must have required property name",
    },
    {
      name: "a pattern mismatch",
      object: withSpec({ name: "NO" }),
      message: 'data/spec/name must match pattern "^[a-z]+$"',
    },
    {
      name: "a (?i) pattern mismatch",
      object: withSpec({ strategy: "nope" }),
      message: "data/spec/strategy must match pattern",
    },
    {
      name: "int-or-string as a boolean",
      object: withSpec({ port: true }),
      message: "data/spec/port must be integer,string",
    },
    {
      name: "null where not nullable",
      object: withSpec({ name: null }),
      message: "data/spec/name must be string",
    },
    {
      name: "an enum mismatch",
      object: withSpec({ level: "mid" }),
      message: "data/spec/level must be equal to one of the allowed values",
    },
    {
      name: "a bad date-time",
      object: withSpec({ when: "yesterday" }),
      message: 'data/spec/when must match format "date-time"',
    },
    {
      name: "below the minimum",
      object: withSpec({ count: -1 }),
      message: "data/spec/count must be >= 0",
    },
    {
      name: "an embedded resource without kind",
      object: withSpec({ template: { apiVersion: "v1" } }),
      message: "data/spec/template must have required property kind",
    },
    {
      name: "a map value of the wrong type",
      object: withSpec({ labels: { a: 1 } }),
      message: "data/spec/labels/a must be string",
    },
    {
      name: "another kind",
      object: { ...withSpec({}), kind: "Other" },
      message: "data/kind must be equal to one of the allowed values",
    },
    {
      name: "another apiVersion",
      object: { ...withSpec({}), apiVersion: "example.com/v2" },
      message: "data/apiVersion must be equal to one of the allowed values",
    },
    { name: "not an object", object: "Probe", message: "data must be object" },
  ];
  it.each(invalid)("rejects $name, naming the path", ({ object, message }) => {
    expect(model.is(object)).toBe(false);
    expect(() => model.validate(object)).toThrow(message);
  });
});
