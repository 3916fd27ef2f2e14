// The exact typing rules of issue 3, one table row each. All rows are generated in one run whose
// output is snapshotted into test/snapshots/rules (real .ts files, type-checked by `typecheck`
// and again, with --strict and friends, by the last test here).
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { generateTypes } from "../src/index.js";
import {
  crd,
  fileAt,
  jsonInput,
  looseTypes,
  packageDir,
  type Schema,
  typeCheck,
} from "./helpers.js";

interface Rule {
  readonly rule: string;
  readonly kind: string;
  readonly spec?: Schema;
  readonly status?: Schema;
  readonly versions?: readonly {
    name: string;
    schema: Schema;
    storage?: boolean;
    served?: boolean;
  }[];
  /** Text the generated `<Kind>.ts` (or `index.ts` when `inIndex`) must contain. */
  readonly want: readonly string[];
  readonly notWant?: readonly string[];
  readonly inIndex?: boolean;
}

const str = { type: "string" };
const obj = (properties: Schema, extra: Schema = {}): Schema => ({
  type: "object",
  properties,
  ...extra,
});

const RULES: readonly Rule[] = [
  {
    rule: "property names are verbatim; non-identifiers are quoted; reserved words and globals stay usable",
    kind: "Names",
    spec: obj({
      "port-name": str,
      "app.kubernetes.io/name": str,
      "0x": str,
      // Computed, because a literal `__proto__:` would set the prototype instead of a property.
      ["__proto__"]: str,
      class: str,
      delete: str,
      Promise: str,
      Object: str,
      snake_case: str,
      camelCase: str,
      $ref: str,
    }),
    want: [
      '  "port-name"?: string;',
      '  "app.kubernetes.io/name"?: string;',
      '  "0x"?: string;',
      "  __proto__?: string;",
      "  class?: string;",
      "  delete?: string;",
      "  Promise?: string;",
      "  Object?: string;",
      "  snake_case?: string;",
      "  camelCase?: string;",
      "  $ref?: string;",
    ],
  },
  {
    rule: "required fields are non-optional, others optional",
    kind: "Required",
    spec: obj({ must: str, may: str }, { required: ["must"] }),
    want: ["  must: string;", "  may?: string;"],
  },
  {
    rule: "nullable: true adds | null",
    kind: "Nullable",
    spec: obj({
      s: { type: "string", nullable: true },
      a: { type: "array", items: str, nullable: true },
      o: { ...obj({ x: str }), nullable: true },
      e: { type: "string", enum: ["A", "B"], nullable: true },
    }),
    want: [
      "  s?: string | null;",
      "  a?: string[] | null;",
      "  o?: NullableSpecO | null;",
      '  e?: "A" | "B" | null;',
    ],
  },
  {
    rule: "x-kubernetes-int-or-string is number | string, with or without its anyOf",
    kind: "IntOrString",
    spec: obj({
      withAnyOf: {
        "x-kubernetes-int-or-string": true,
        anyOf: [{ type: "integer" }, { type: "string" }],
      },
      bare: { "x-kubernetes-int-or-string": true },
      list: { type: "array", items: { "x-kubernetes-int-or-string": true } },
    }),
    want: [
      "  withAnyOf?: number | string;",
      "  bare?: number | string;",
      "  list?: (number | string)[];",
    ],
  },
  {
    rule: "preserve-unknown-fields: index signature, alone or with properties, at the top of status too",
    kind: "Preserve",
    spec: obj({
      free: { type: "object", "x-kubernetes-preserve-unknown-fields": true },
      mixed: { ...obj({ known: str }), "x-kubernetes-preserve-unknown-fields": true },
      anything: { "x-kubernetes-preserve-unknown-fields": true },
    }),
    status: { type: "object", "x-kubernetes-preserve-unknown-fields": true },
    want: [
      "  free?: { [key: string]: unknown };",
      "export interface PreserveSpecMixed {\n  known?: string;\n  [key: string]: unknown;\n}",
      "  anything?: unknown;",
      "export type PreserveStatus = { [key: string]: unknown };",
      "  status?: PreserveStatus;",
    ],
  },
  {
    rule: "x-kubernetes-embedded-resource has apiVersion, kind and metadata typed",
    kind: "Embedded",
    spec: obj({
      template: {
        type: "object",
        "x-kubernetes-embedded-resource": true,
        "x-kubernetes-preserve-unknown-fields": true,
      },
    }),
    want: [
      "export interface EmbeddedSpecTemplate {\n  apiVersion: string;\n  kind: string;\n  metadata?: IObjectMeta;\n  [key: string]: unknown;\n}",
    ],
  },
  {
    rule: "additionalProperties schema is a map; false or absent closes the interface",
    kind: "Maps",
    spec: obj({
      labels: { type: "object", additionalProperties: str },
      ports: { type: "object", additionalProperties: obj({ port: { type: "integer" } }) },
      closed: obj({ a: str }, { additionalProperties: false }),
      pruned: { type: "object" },
    }),
    want: [
      "  labels?: { [key: string]: string };",
      "  ports?: { [key: string]: MapsSpecPortsValue };",
      "export interface MapsSpecClosed {\n  a?: string;\n}",
      "  pruned?: { [key: string]: never };",
    ],
  },
  {
    rule: "enums are unions of exactly escaped literals; numeric enums too",
    kind: "Enums",
    spec: obj({
      s: { type: "string", enum: ['say "hi"', "back\\slash", "it's", "*/", "=", "line\nbreak"] },
      i: { type: "integer", enum: [301, 302, -1] },
      n: { type: "number", enum: [0.5, 1] },
      b: { type: "boolean", enum: [true] },
    }),
    want: [
      '  s?: "say \\"hi\\"" | "back\\\\slash" | "it\'s" | "*/" | "=" | "line\\nbreak";',
      "  i?: 301 | 302 | -1;",
      "  n?: 0.5 | 1;",
      "  b?: true;",
    ],
  },
  {
    rule: "format, default, bounds, pattern, CEL rules and list/map types become TSDoc tags; date-time stays string",
    kind: "Tags",
    spec: obj({
      when: { type: "string", format: "date-time" },
      replicas: { type: "integer", format: "int32", default: 1, minimum: 0, maximum: 10 },
      name: { type: "string", pattern: "^[a-z]+$", maxLength: 63 },
      ports: {
        type: "array",
        items: obj({ name: str, protocol: str }, { required: ["name"] }),
        "x-kubernetes-list-type": "map",
        "x-kubernetes-list-map-keys": ["name", "protocol"],
      },
      rules: {
        ...obj({ a: str }),
        "x-kubernetes-validations": [{ rule: "self.a != 'x'", message: "a must not be x" }],
        "x-kubernetes-map-type": "atomic",
      },
    }),
    want: [
      "   * @format date-time\n   */\n  when?: string;",
      "   * @format int32\n   * @defaultValue 1\n   * @minimum 0\n   * @maximum 10\n   */\n  replicas?: number;",
      "   * @maxLength 63\n   * @pattern ^[a-z]+$\n   */\n  name?: string;",
      "   * @listType map\n   * @listMapKeys name, protocol\n   */\n  ports?: TagsSpecPorts[];",
      "   * @mapType atomic\n   * @validation self.a != 'x'\n   *   message: a must not be x\n   */\n  rules?: TagsSpecRules;",
    ],
  },
  {
    rule: "oneOf/anyOf of required lists accept each alternative",
    kind: "OneOf",
    spec: obj({
      exactlyOne: obj(
        { a: str, b: { type: "integer" } },
        { oneOf: [{ required: ["a"] }, { required: ["b"] }] },
      ),
      atLeastOne: obj({ a: str, b: str }, { anyOf: [{ required: ["a"] }, { required: ["b"] }] }),
      noneOrOne: obj(
        { a: str, b: str },
        {
          oneOf: [
            { not: { anyOf: [{ required: ["a"] }, { required: ["b"] }] } },
            { required: ["a"] },
            { required: ["b"] },
          ],
        },
      ),
      valueOnly: obj(
        { t: str },
        { oneOf: [{ properties: { t: { enum: ["x"] } } }, { required: ["t"] }] },
      ),
    }),
    want: [
      "export type OneOfSpecExactlyOne = OneOfSpecExactlyOneFields & ({ a: string; b?: never } | { b: number; a?: never });",
      "export type OneOfSpecAtLeastOne = OneOfSpecAtLeastOneFields & ({ a: string } | { b: string });",
      "export type OneOfSpecNoneOrOne = OneOfSpecNoneOrOneFields & ({ a?: never; b?: never } | { a: string; b?: never } | { b: string; a?: never });",
      "export interface OneOfSpecValueOnly {\n",
    ],
  },
  {
    rule: "descriptions become TSDoc and cannot end the comment or inject code",
    kind: "Docs",
    spec: obj({
      evil: {
        type: "string",
        description: "ends */ export const pwned = 1; /* and\n@internal starts a line\r\nwindows",
      },
    }),
    want: [
      "   * ends *\\/ export const pwned = 1; /* and\n   * \\@internal starts a line\n   * windows\n   */",
    ],
    notWant: ["*/ export const pwned"],
  },
  {
    rule: "<Kind>Input: a required field with a default is optional, at any depth (array items, map values); observed types keep it required",
    kind: "Defaulted",
    spec: obj(
      {
        policy: { type: "string", default: "Background" },
        plain: str,
        rules: {
          type: "array",
          items: obj(
            { name: str, weight: { type: "integer", default: 1 } },
            { required: ["name", "weight"] },
          ),
        },
        byName: {
          type: "object",
          additionalProperties: obj(
            { mode: { type: "string", default: "a" } },
            { required: ["mode"] },
          ),
        },
        untouched: obj({ x: { type: "string", default: "y" } }),
      },
      { required: ["policy", "plain"] },
    ),
    want: [
      "export interface Defaulted {",
      "  spec?: DefaultedSpec;",
      "  policy: string;",
      "export interface DefaultedInput {\n",
      "  spec?: DefaultedSpecInput;",
      "export interface DefaultedSpecInput {",
      "  policy?: string;",
      "  plain: string;",
      "  rules?: DefaultedSpecRulesInput[];",
      "  byName?: { [key: string]: DefaultedSpecByNameValueInput };",
      "  untouched?: DefaultedSpecUntouched;",
      "export interface DefaultedSpecRulesInput {",
      "  weight?: number;",
      "export interface DefaultedSpecByNameValueInput {",
      "  mode?: string;",
      "export function isDefaulted(value: unknown): value is DefaultedInput {",
      "export const DefaultedModel: ResourceModel<Defaulted, DefaultedInput>",
    ],
    notWant: ["DefaultedSpecUntouchedInput"],
  },
  {
    rule: "<Kind>Input is an alias of <Kind> when no required field has a default",
    kind: "NoDefaults",
    spec: obj({ a: { type: "string", default: "x" } }),
    want: ["export type NoDefaultsInput = NoDefaults;"],
  },
  {
    rule: "a kind named like a runtime type (Verdict) is left out of index.ts with the runtime's, not a duplicate export",
    kind: "Verdict",
    spec: obj({ a: str }),
    inIndex: true,
    want: ['export type {\n  ResourceModel,\n  UncheckedRule,\n} from "./_runtime.js";'],
    notWant: ["  Verdict,\n"],
  },
  {
    rule: "kinds that are reserved words or globals still compile",
    kind: "Promise",
    spec: obj({ value: str }),
    want: [
      "export interface Promise {",
      "export function isPromise(value: unknown): value is PromiseInput {",
    ],
  },
  {
    rule: "a kind that is a reserved word gets a PascalCase type name",
    kind: "class",
    spec: obj({ a: str }),
    want: ["export interface Class {", '  kind: "class";', "export interface ClassSpec {"],
  },
  {
    rule: "the kind Object compiles",
    kind: "Object",
    spec: obj({ a: str }),
    want: ["export interface Object {", "export interface ObjectList {"],
  },
  {
    rule: "nested object types are named by their path, deterministically de-duplicated",
    kind: "Paths",
    spec: obj({
      template: obj({
        spec: obj({
          containers: { type: "array", items: obj({ name: str }, { required: ["name"] }) },
        }),
      }),
      "foo-bar": obj({ x: str }),
      fooBar: obj({ y: str }),
      first: obj({ same: obj({ z: str }) }),
      second: obj({ same: obj({ z: str }) }),
    }),
    want: [
      "  containers?: PathsSpecTemplateSpecContainers[];",
      "export interface PathsSpecTemplateSpecContainers {\n  name: string;\n}",
      '  "foo-bar"?: PathsSpecFooBar;',
      "  fooBar?: PathsSpecFooBar2;",
      // Identical subschemas share the type named after the first one reached.
      "  same?: PathsSpecFirstSame;",
    ],
    notWant: ["PathsSpecSecondSame", "T1"],
  },
  {
    rule: "apiVersion and kind are literal types, metadata is ObjectMeta, status is typed, List is exported",
    kind: "Shape",
    spec: obj({ a: str }),
    status: obj({ phase: { type: "string", enum: ["Ready", "Failed"] } }),
    want: [
      '  apiVersion: "example.com/v1";',
      '  kind: "Shape";',
      "  metadata?: IObjectMeta;",
      "  status?: ShapeStatus;",
      'export interface ShapeStatus {\n  phase?: "Ready" | "Failed";\n}',
      'export interface ShapeList {\n  apiVersion: "example.com/v1";\n  kind: "ShapeList";\n  metadata?: IListMeta;\n  items: Shape[];\n}',
    ],
  },
  {
    rule: "the unversioned export in index.ts is the storage version, not the first listed",
    kind: "Stored",
    versions: [
      { name: "v1alpha1", schema: obj({ spec: obj({ old: str }) }) },
      { name: "v1", schema: obj({ spec: obj({ current: str }) }), storage: true },
      { name: "v0", schema: obj({ spec: obj({ gone: str }) }), served: false },
    ],
    inIndex: true,
    want: [
      'export type {\n  Stored,\n  StoredSpec,\n  StoredInput,\n  StoredList,\n} from "./example.com/v1/Stored.js";',
      'export * as exampleComV1alpha1 from "./example.com/v1alpha1/index.js";',
    ],
    notWant: ["v0"],
  },
];

const inputs = RULES.map((r) =>
  jsonInput(
    `${r.kind}.json`,
    crd({ kind: r.kind, spec: r.spec, status: r.status, versions: r.versions }),
  ),
);
const result = generateTypes(inputs, { command: "vitest generators/crd-types/test/rules.test.ts" });
const kindFile = (kind: string): string => {
  const file = result.files.find(
    (f) => f.path.endsWith(`/${kind}.ts`) && !f.path.includes("/v1alpha1/"),
  );
  if (file === undefined) throw new Error(`no file for ${kind}`);
  return file.content;
};

describe("typing rules", () => {
  it.each(RULES)("$rule", (r) => {
    const content = r.inIndex ? fileAt(result.files, "index.ts") : kindFile(r.kind);
    for (const want of r.want) expect(content).toContain(want);
    for (const notWant of r.notWant ?? []) expect(content).not.toContain(notWant);
  });

  it("never emits any or {}", () => {
    for (const file of result.files) expect(looseTypes(file.content), file.path).toEqual([]);
  });

  it("every file starts with the do-not-edit banner naming the command", () => {
    for (const file of result.files) {
      expect(file.content.split("\n")[0]).toBe(
        "// Code generated by `vitest generators/crd-types/test/rules.test.ts`. DO NOT EDIT.",
      );
    }
  });

  it("is deterministic and idempotent", () => {
    const again = generateTypes(inputs, {
      command: "vitest generators/crd-types/test/rules.test.ts",
    });
    expect(again.files).toEqual(result.files);
  });

  it("matches the snapshots", async () => {
    const dir = join(packageDir, "test", "snapshots", "rules");
    for (const file of result.files)
      await expect(file.content).toMatchFileSnapshot(join(dir, file.path));
  });

  it("compiles with --strict, exactOptionalPropertyTypes and noUnusedLocals", async () => {
    const { errors } = await typeCheck("rules", result.files);
    expect(errors).toEqual([]);
  });
});
