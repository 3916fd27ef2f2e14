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
      name: "null in a required field that is not nullable and has no default (dropped, then missing)",
      object: withSpec({ name: null }),
      message: "data/spec must have required property name",
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

// The API server's admission steps, in its order, one table per rule, through a second generated
// module: prune unknown fields, drop non-nullable nulls without defaults, apply defaults, validate
// (schema, list-type uniqueness, CEL).
const admitSpec: Schema = {
  type: "object",
  required: ["policy", "name"],
  "x-kubernetes-validations": [
    { rule: "self.min <= self.max", message: "min must not exceed max", fieldPath: ".min" },
    { rule: "self.name == oldSelf.name", message: "name is immutable" },
    { rule: "isURL(self.name)", message: "uses a Kubernetes library function" },
  ],
  properties: {
    name: { type: "string" },
    policy: { type: "string", enum: ["Background", "Foreground"], default: "Background" },
    min: { type: "integer", default: 1 },
    max: { type: "integer", default: 10 },
    note: { type: "string" },
    maybe: { type: "string", nullable: true },
    cephfs: { type: "object", properties: { pool: { type: "string" } } },
    rules: {
      type: "array",
      items: {
        type: "object",
        required: ["name", "weight"],
        properties: {
          name: { type: "string" },
          weight: { type: "integer", default: 1 },
          options: {
            type: "object",
            default: {},
            properties: { retries: { type: "integer", default: 3 } },
          },
        },
      },
    },
    byName: {
      type: "object",
      additionalProperties: {
        type: "object",
        required: ["mode"],
        properties: { mode: { type: "string", default: "auto" } },
      },
    },
    tags: { type: "array", items: { type: "string" }, "x-kubernetes-list-type": "set" },
    ports: {
      type: "array",
      "x-kubernetes-list-type": "map",
      "x-kubernetes-list-map-keys": ["port", "protocol"],
      items: {
        type: "object",
        required: ["port"],
        properties: {
          port: { type: "integer" },
          protocol: { type: "string", default: "TCP" },
        },
      },
    },
    free: { type: "object", "x-kubernetes-preserve-unknown-fields": true },
  },
};

interface Verdict {
  valid: boolean;
  object: unknown;
  errors: readonly { instancePath: string; message?: string }[];
  unchecked: readonly { path: string; rule: string; reason: string }[];
}
let admit: {
  check(v: unknown): Verdict;
  validate(v: unknown): void;
  applyDefaults<V>(v: V): V;
  uncheckedRules(): readonly { path: string; rule: string; reason: string }[];
};

beforeAll(async () => {
  const dir = tempDir("runtime-admit");
  await writeFiles(
    dir,
    generateTypes([jsonInput("admit.json", crd({ kind: "Admit", spec: admitSpec }))]).files,
  );
  const mod: { [key: string]: unknown } = await import(
    pathToFileURL(join(dir, "example.com/v1/Admit.ts")).href
  );
  admit = mod.AdmitModel as typeof admit;
});

const admitBase = { apiVersion: "example.com/v1", kind: "Admit", metadata: { name: "a" } };
const admitted = (spec: Schema): Schema => ({ ...admitBase, spec: { name: "n", ...spec } });
const stored = (spec: Schema): Schema => ({
  ...admitBase,
  spec: { name: "n", policy: "Background", min: 1, max: 10, ...spec },
});

describe("admission, as the API server does it", () => {
  const cases: { rule: string; name: string; given: Schema; want: Schema }[] = [
    // 1. Pruning.
    {
      rule: "prune",
      name: "unknown fields are dropped, at any depth",
      given: admitted({ extra: 1, cephfs: { pool: "p", typo: true } }),
      want: stored({ cephfs: { pool: "p" } }),
    },
    {
      rule: "prune",
      name: "preserve-unknown-fields keeps what is under it",
      given: admitted({ free: { anything: [1, { a: null }] } }),
      want: stored({ free: { anything: [1, { a: null }] } }),
    },
    {
      rule: "prune",
      name: "metadata is the API server's own and is not pruned by the schema",
      given: { ...admitted({}), metadata: { name: "a", labels: { x: "y" } } },
      want: { ...stored({}), metadata: { name: "a", labels: { x: "y" } } },
    },
    // 2. Nulls.
    {
      rule: "nulls",
      name: "null in an optional non-nullable field without default is dropped (cephfs: with its children commented out)",
      given: admitted({ cephfs: null, note: null }),
      want: stored({}),
    },
    {
      rule: "nulls",
      name: "an empty spec: is dropped when spec is optional",
      given: { ...admitBase, spec: null },
      want: { ...admitBase },
    },
    {
      rule: "nulls",
      name: "null in a nullable field stays",
      given: admitted({ maybe: null }),
      want: stored({ maybe: null }),
    },
    {
      rule: "nulls",
      name: "null in a field with a default becomes the default",
      given: admitted({ policy: null, max: null }),
      want: stored({}),
    },
    // 3. Defaults.
    {
      rule: "defaults",
      name: "required fields with a default may be left out",
      given: admitted({}),
      want: stored({}),
    },
    {
      rule: "defaults",
      name: "given values win over defaults",
      given: admitted({ policy: "Foreground", min: 2 }),
      want: stored({ policy: "Foreground", min: 2 }),
    },
    {
      rule: "defaults",
      name: "inside array items, and inside a defaulted object",
      given: admitted({
        rules: [{ name: "r" }, { name: "s", weight: 5, options: { retries: 0 } }],
      }),
      want: stored({
        rules: [
          { name: "r", weight: 1, options: { retries: 3 } },
          { name: "s", weight: 5, options: { retries: 0 } },
        ],
      }),
    },
    {
      rule: "defaults",
      name: "inside map values",
      given: admitted({ byName: { a: {}, b: { mode: "manual" } } }),
      want: stored({ byName: { a: { mode: "auto" }, b: { mode: "manual" } } }),
    },
    {
      rule: "defaults",
      name: "a list-map key with a default",
      given: admitted({ ports: [{ port: 80 }, { port: 80, protocol: "UDP" }] }),
      want: stored({
        ports: [
          { port: 80, protocol: "TCP" },
          { port: 80, protocol: "UDP" },
        ],
      }),
    },
  ];
  it.each(cases)("$rule: $name", ({ given, want }) => {
    const before = structuredClone(given);
    const verdict = admit.check(given);
    expect(verdict.errors).toEqual([]);
    expect(verdict.valid).toBe(true);
    expect(verdict.object).toEqual(want);
    expect(admit.applyDefaults(given)).toEqual(want);
    expect(() => admit.validate(given)).not.toThrow();
    // Judged on a copy: the caller's object is never changed.
    expect(given).toEqual(before);
  });

  const refused: { rule: string; name: string; given: Schema; message: string }[] = [
    {
      rule: "nulls",
      name: "null in a required field without default",
      given: admitted({ name: null }),
      message: "data/spec must have required property name",
    },
    {
      rule: "nulls",
      name: "null as an array item (items are not dropped)",
      given: admitted({ tags: [null] }),
      message: "data/spec/tags/0 must be string",
    },
    {
      rule: "defaults",
      name: "a required field without default is still required inside array items",
      given: admitted({ rules: [{ weight: 2 }] }),
      message: "data/spec/rules/0 must have required property name",
    },
    {
      rule: "validate",
      name: "a wrong type after defaulting",
      given: admitted({ min: "one" }),
      message: "data/spec/min must be integer",
    },
    {
      rule: "validate",
      name: "an enum mismatch",
      given: admitted({ policy: "Orphan" }),
      message: "data/spec/policy must be equal to one of the allowed values",
    },
    {
      rule: "list-type",
      name: "a set with a repeated item",
      given: admitted({ tags: ["a", "b", "a"] }),
      message: "data/spec/tags/2 must not be a duplicate of item 0 (x-kubernetes-list-type: set)",
    },
    {
      rule: "list-type",
      name: "a map list with a repeated key (after defaulting the key)",
      given: admitted({ ports: [{ port: 80 }, { port: 80, protocol: "TCP" }] }),
      message: "data/spec/ports/1 must not be the same port, protocol as item 0",
    },
    {
      rule: "CEL",
      name: "a failing rule names its fieldPath and message",
      given: admitted({ min: 5, max: 2 }),
      message: "data/spec/min min must not exceed max",
    },
    {
      rule: "CEL",
      name: "a rule compares the defaulted value",
      given: admitted({ min: 11 }),
      message: "data/spec/min min must not exceed max",
    },
  ];
  it.each(refused)("$rule: refuses $name, naming the path", ({ given, message }) => {
    const verdict = admit.check(given);
    expect(verdict.valid).toBe(false);
    expect(verdict.object).toBeUndefined();
    expect(() => admit.validate(given)).toThrow(message);
  });

  it("CEL: rules it cannot evaluate are reported as not checked, never as a verdict", () => {
    const verdict = admit.check(admitted({}));
    expect(verdict.valid).toBe(true);
    expect(verdict.unchecked.map((u) => [u.path, u.rule, u.reason.split(":")[0]])).toEqual([
      ["/spec", "self.name == oldSelf.name", "transition rule (oldSelf)"],
      ["/spec", "isURL(self.name)", "not supported by the CEL evaluator"],
    ]);
    expect(admit.uncheckedRules().map((u) => [u.path, u.rule])).toEqual([
      ["/spec", "self.name == oldSelf.name"],
      ["/spec", "isURL(self.name)"],
    ]);
  });
});
