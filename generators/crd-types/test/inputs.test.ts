// Parsing what kubectl accepts, and refusing bad input with an error that names the file, the CRD
// and the line/column or schema path.
import { describe, expect, it } from "vitest";
import {
  CrdTypesError,
  type CrdTypesErrorCode,
  generateTypes,
  type InputFile,
} from "../src/index.js";
import { crd, fileAt, jsonInput } from "./helpers.js";

const widget = crd({
  kind: "Widget",
  spec: { type: "object", properties: { size: { type: "integer" } } },
});
const yaml = (doc: object): string => JSON.stringify(doc); // JSON is YAML; keeps the tables short.

// Flagger's CRD style: a multi-line single-quoted scalar whose continuation lines are indented no
// deeper than its key. go-yaml (kubectl) and js-yaml 4 accept it; eemeli/yaml 2 and js-yaml 5 do not.
const UNDER_INDENTED = `apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata:
  name: canaries.flagger.app
spec:
  group: flagger.app
  names:
    kind: Canary
    plural: canaries
  scope: Namespaced
  versions:
    - name: v1beta1
      served: true
      storage: true
      schema:
        openAPIV3Schema:
          type: object
          properties:
            apiVersion:
              description: 'APIVersion defines the versioned schema of this representation
              of an object. Servers should convert recognized schemas to the latest
              internal value, and may reject unrecognized values.'
              type: string
            spec:
              type: object
              properties:
                targetPort:
                  description: Container target port name
                  x-kubernetes-int-or-string: true
`;

describe("inputs that generate", () => {
  const cases: {
    name: string;
    inputs: InputFile[];
    want: { path: string; contains: string[] };
    notes?: RegExp[];
  }[] = [
    {
      name: "under-indented multi-line quoted scalars (Flagger) parse as kubectl parses them",
      inputs: [{ path: "flagger.yaml", content: UNDER_INDENTED }],
      want: {
        path: "flagger.app/v1beta1/Canary.ts",
        contains: [
          "   * APIVersion defines the versioned schema of this representation of an object. Servers should convert recognized schemas to the latest internal value, and may reject unrecognized values.\n",
          "  targetPort?: number | string;",
        ],
      },
    },
    {
      name: "multi-document YAML: other kinds are skipped with a note",
      inputs: [
        {
          path: "bundle.yaml",
          content: `apiVersion: v1\nkind: ConfigMap\nmetadata: {name: cfg}\n---\n${yaml(widget)}\n---\n# only a comment\n`,
        },
      ],
      want: { path: "example.com/v1/Widget.ts", contains: ["  size?: number;"] },
      notes: [
        /bundle\.yaml: document 1 \(v1\/ConfigMap cfg\) skipped: not an apiextensions\.k8s\.io\/v1 CustomResourceDefinition/,
      ],
    },
    {
      name: "a JSON array of documents",
      inputs: [{ path: "crds.json", content: JSON.stringify([widget]) }],
      want: { path: "example.com/v1/Widget.ts", contains: ["export interface Widget {"] },
    },
    {
      name: "kind: List (kubectl get crd -o yaml) is expanded",
      inputs: [jsonInput("list.json", { apiVersion: "v1", kind: "List", items: [widget] })],
      want: { path: "example.com/v1/Widget.ts", contains: ["export interface WidgetSpec {"] },
    },
    {
      name: "bytes with a UTF-8 byte order mark",
      inputs: [{ path: "bom.yaml", content: new TextEncoder().encode(`\uFEFF${yaml(widget)}`) }],
      want: { path: "example.com/v1/Widget.ts", contains: ['  kind: "Widget";'] },
    },
    {
      name: "the same CRD twice (a split file beside its original) is generated once",
      inputs: [jsonInput("a.json", widget), jsonInput("b.json", widget)],
      want: { path: "example.com/v1/Widget.ts", contains: ["export interface Widget {"] },
      notes: [
        /b\.json: document 1 \(CRD widgets\.example\.com\) skipped: identical to the one in a\.json/,
      ],
    },
    {
      name: "YAML merge keys and anchors, as go-yaml resolves them",
      inputs: [
        {
          path: "anchors.yaml",
          content: `apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata: {name: gadgets.example.com}
spec:
  group: example.com
  names: {kind: Gadget, plural: gadgets}
  scope: Namespaced
  versions:
    - name: v1
      served: true
      storage: true
      schema:
        openAPIV3Schema:
          type: object
          properties:
            spec:
              type: object
              properties:
                a: &str {type: string, maxLength: 5}
                b: {<<: *str, minLength: 1}
                c: *str
`,
        },
      ],
      want: {
        path: "example.com/v1/Gadget.ts",
        contains: [
          "   * @maxLength 5\n   */\n  a?: string;",
          "   * @minLength 1\n   * @maxLength 5\n   */\n  b?: string;",
        ],
      },
    },
  ];

  it("YAML 1.1 booleans (on, off, yes, no, y, n) resolve as kubectl's go-yaml resolves them", () => {
    const text = `${yaml(crd({ kind: "Switch", spec: { type: "object" } })).replace(
      '"spec":{"type":"object"}',
      '"spec":{"type":"object","properties":{"mode":{"type":"string","enum":[on, Off, "on", yes, n, true]}, on: {"type":"string"}}}',
    )}`;
    const content = fileAt(
      generateTypes([{ path: "switch.yaml", content: text }]).files,
      "example.com/v1/Switch.ts",
    );
    expect(content).toContain('  mode?: true | false | "on";');
    expect(content).toContain("  true?: string;");
  });

  it.each(cases)("$name", ({ inputs, want, notes }) => {
    const result = generateTypes(inputs);
    const content = fileAt(result.files, want.path);
    for (const text of want.contains) expect(content).toContain(text);
    for (const note of notes ?? [])
      expect(
        result.notes.some((n) => note.test(n)),
        result.notes.join("\n"),
      ).toBe(true);
  });
});

const billionLaughs = [
  'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]',
  ...Array.from({ length: 8 }, (_, i) => {
    const prev = String.fromCharCode(97 + i);
    const name = String.fromCharCode(98 + i);
    return `${name}: &${name} [${Array(9).fill(`*${prev}`).join(",")}]`;
  }),
  "kind: CustomResourceDefinition",
].join("\n");

describe("bad input", () => {
  const cases: { name: string; input: InputFile; code: CrdTypesErrorCode; message: RegExp }[] = [
    {
      name: "malformed YAML: file, line and column",
      input: {
        path: "broken.yaml",
        content: "apiVersion: v1\nkind: [CustomResourceDefinition\nspec: 1\n",
      },
      code: "INVALID_YAML",
      message: /^broken\.yaml:\d+:\d+: invalid YAML: /,
    },
    {
      name: "a tab-indented mapping",
      input: { path: "tabs.yaml", content: "spec:\n\tgroup: x\n" },
      code: "INVALID_YAML",
      message: /^tabs\.yaml:2:1: invalid YAML/,
    },
    {
      name: "a YAML alias bomb is refused",
      input: { path: "bomb.yaml", content: billionLaughs },
      code: "YAML_TOO_LARGE",
      message: /^bomb\.yaml: document 1 expands to far more nodes than its text has bytes/,
    },
    {
      name: "a recursive alias is refused",
      input: { path: "loop.yaml", content: "a: &a\n  b: *a\n" },
      code: "YAML_TOO_LARGE",
      message: /^loop\.yaml: /,
    },
    {
      name: "an empty file",
      input: { path: "empty.yaml", content: "" },
      code: "EMPTY_INPUT",
      message: /^empty\.yaml: the input is empty/,
    },
    {
      name: "a file of comments and empty documents",
      input: { path: "comments.yaml", content: "# nothing\n---\n---\n" },
      code: "EMPTY_INPUT",
      message: /^comments\.yaml: the input has no documents/,
    },
    {
      name: "a binary file (invalid UTF-8)",
      input: {
        path: "image.png",
        content: new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0xff, 0xfe]),
      },
      code: "BINARY_INPUT",
      message: /^image\.png: the input is not UTF-8 text/,
    },
    {
      name: "a binary file (valid UTF-8 with NUL bytes)",
      input: { path: "data.bin", content: new Uint8Array([0x61, 0x3a, 0x20, 0x00, 0x01]) },
      code: "BINARY_INPUT",
      message: /^data\.bin:1:4: the input contains the control character U\+0000/,
    },
    {
      name: "a CRD version without a schema",
      input: jsonInput("noschema.json", {
        ...widget,
        spec: {
          group: "example.com",
          names: { kind: "Widget", plural: "widgets" },
          versions: [{ name: "v1", served: true, storage: true }],
        },
      }),
      code: "MISSING_SCHEMA",
      message:
        /^noschema\.json: CRD widgets\.example\.com version v1 at spec\.versions\[0\]\.schema\.openAPIV3Schema: the version has no schema/,
    },
    {
      name: "an unknown type",
      input: jsonInput(
        "typo.json",
        crd({ kind: "Widget", spec: { type: "object", properties: { size: { type: "integr" } } } }),
      ),
      code: "INVALID_SCHEMA",
      message:
        /^typo\.json: CRD widgets\.example\.com version v1 at openAPIV3Schema\.spec\.size: unknown type "integr"/,
    },
    {
      name: "a node without a type (not a structural schema)",
      input: jsonInput(
        "untyped.json",
        crd({
          kind: "Widget",
          spec: { type: "object", properties: { size: { description: "?" } } },
        }),
      ),
      code: "INVALID_SCHEMA",
      message: /at openAPIV3Schema\.spec\.size: the schema has no type/,
    },
    {
      name: "an apiextensions.k8s.io/v1beta1 CRD, with how to convert it",
      input: jsonInput("old.json", { ...widget, apiVersion: "apiextensions.k8s.io/v1beta1" }),
      code: "UNSUPPORTED_CRD_VERSION",
      message:
        /^old\.json: CRD widgets\.example\.com: .*Convert it to apiextensions\.k8s\.io\/v1: .*spec\.versions\[\]\.schema\.openAPIV3Schema/,
    },
    {
      name: "a CRD without spec.names.kind",
      input: jsonInput("nokind.json", {
        ...widget,
        spec: { group: "example.com", names: {}, versions: [] },
      }),
      code: "INVALID_CRD",
      message:
        /^nokind\.json: CRD widgets\.example\.com at spec\.names\.kind: spec\.names\.kind is missing/,
    },
  ];

  it.each(cases)("$name", ({ input, code, message }) => {
    const started = performance.now();
    let error: unknown;
    try {
      generateTypes([input]);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(CrdTypesError);
    expect((error as CrdTypesError).code).toBe(code);
    expect((error as CrdTypesError).message).toMatch(message);
    // Bounded: even the alias bomb is refused well within a second.
    expect(performance.now() - started).toBeLessThan(1_000);
  });

  it("two different CRDs under one name", () => {
    const other = crd({
      kind: "Widget",
      spec: { type: "object", properties: { size: { type: "string" } } },
    });
    expect(() => generateTypes([jsonInput("a.json", widget), jsonInput("b.json", other)])).toThrow(
      /^b\.json: CRD widgets\.example\.com: defined twice, differently \(also in a\.json\)/,
    );
  });
});
