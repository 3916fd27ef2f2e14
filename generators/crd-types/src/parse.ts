// Stage 1 — parse: input text → JSON documents. Pure: no file system access.
import jsyaml from "js-yaml";
import { CrdTypesError } from "./errors.js";

/** One input: a path (as the user named it, `-` for stdin) and its content. */
export interface InputFile {
  readonly path: string;
  readonly content: string | Uint8Array;
}

/** One YAML/JSON document of an input file. */
export interface SourceDocument {
  readonly file: string;
  /** 0-based position of the document in its file (after `List` expansion, of the list). */
  readonly index: number;
  readonly value: unknown;
}

// kubectl reads YAML with sigs.k8s.io/yaml, i.e. go-yaml v2: the YAML 1.2 core scalars, merge keys,
// and YAML 1.1's other booleans (`on`, `off`, `yes`, `no`, `y`, `n`), so `on:` as a key becomes
// "true". js-yaml's timestamp and binary types are left out: they would turn `2024-01-01` into a Date.
// It replaces js-yaml's bool type (one type per tag), so it covers true and false too.
const YAML11_TRUE = /^(?:true|True|TRUE|y|Y|yes|Yes|YES|on|On|ON)$/;
const YAML11_FALSE = /^(?:false|False|FALSE|n|N|no|No|NO|off|Off|OFF)$/;
const YAML11_BOOL = new jsyaml.Type("tag:yaml.org,2002:bool", {
  kind: "scalar",
  resolve: (data: unknown) =>
    typeof data === "string" && (YAML11_TRUE.test(data) || YAML11_FALSE.test(data)),
  construct: (data: string) => YAML11_TRUE.test(data),
  predicate: (value: unknown) => typeof value === "boolean",
});
// (@types/js-yaml 4.0.9 does not declare the `types` export that js-yaml 4 has.)
const { types } = jsyaml as unknown as { types: { merge: jsyaml.Type } };
const SCHEMA = jsyaml.CORE_SCHEMA.extend({ implicit: [types.merge, YAML11_BOOL] });

// Aliases are shared references after parsing, so the parse itself is linear; the danger is the
// expanded tree every later stage walks. A real document expands to fewer nodes than it has bytes,
// so anything beyond this budget is an alias bomb (or a recursive alias) and is refused.
const EXPANSION_FACTOR = 4;
const EXPANSION_SLACK = 100_000;

/**
 * Parses one input into documents. YAML is read with js-yaml 4, which accepts what kubectl's
 * go-yaml accepts (including the under-indented multi-line quoted scalars of Flagger's CRD); a
 * JSON file takes the JSON.parse fast path.
 */
export function parseInput(input: InputFile): SourceDocument[] {
  const text = decode(input);
  if (text.trim() === "") {
    throw new CrdTypesError(
      "EMPTY_INPUT",
      "the input is empty; expected YAML or JSON with a CustomResourceDefinition",
      {
        file: input.path,
      },
    );
  }
  const values = looksLikeJson(text) ? parseJson(text, input.path) : parseYaml(text, input.path);
  const docs: SourceDocument[] = [];
  values.forEach((value, index) => {
    if (value === null || value === undefined) return;
    checkExpansion(value, text.length, input.path, index);
    docs.push({ file: input.path, index, value });
  });
  if (docs.length === 0) {
    throw new CrdTypesError(
      "EMPTY_INPUT",
      "the input has no documents (only comments or empty documents)",
      {
        file: input.path,
      },
    );
  }
  return docs;
}

function decode(input: InputFile): string {
  let text: string;
  if (typeof input.content === "string") {
    text = input.content;
  } else {
    try {
      text = new TextDecoder("utf-8", { fatal: true }).decode(input.content);
    } catch (error) {
      throw new CrdTypesError(
        "BINARY_INPUT",
        "the input is not UTF-8 text (is it a binary file?)",
        { file: input.path },
        {
          cause: error,
        },
      );
    }
  }
  // NUL and other C0 controls never appear in YAML or JSON text (YAML forbids them outright).
  const control = firstControlCharacter(text);
  if (control !== -1) {
    const { line, column } = lineColumn(text, control);
    const code = text.charCodeAt(control).toString(16).padStart(4, "0").toUpperCase();
    throw new CrdTypesError(
      "BINARY_INPUT",
      `the input contains the control character U+${code} (is it a binary file?)`,
      {
        file: input.path,
        line,
        column,
      },
    );
  }
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}

// C0 control characters other than tab, line feed, vertical tab, form feed and carriage return.
const C0_CONTROL = /[^\P{Cc}\t-\r\u007f-\u009f]/u;

function firstControlCharacter(text: string): number {
  return C0_CONTROL.exec(text)?.index ?? -1;
}

function looksLikeJson(text: string): boolean {
  const first = /\S/.exec(text);
  return first !== null && (first[0] === "{" || first[0] === "[");
}

function parseJson(text: string, file: string): unknown[] {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    // Flow-style YAML also starts with `{`; YAML is a superset of JSON and reports line/column.
    return parseYaml(text, file);
  }
  return Array.isArray(value) ? value : [value];
}

function parseYaml(text: string, file: string): unknown[] {
  try {
    return jsyaml.loadAll(text, null, { schema: SCHEMA, filename: file });
  } catch (error) {
    if (error instanceof jsyaml.YAMLException) {
      const mark = error.mark as { line?: number; column?: number; snippet?: string } | undefined;
      const snippet = mark?.snippet ? `\n${mark.snippet}` : "";
      throw new CrdTypesError(
        "INVALID_YAML",
        `invalid YAML: ${error.reason}${snippet}`,
        { file, line: (mark?.line ?? 0) + 1, column: (mark?.column ?? 0) + 1 },
        { cause: error },
      );
    }
    throw error;
  }
}

function checkExpansion(value: unknown, textLength: number, file: string, index: number): void {
  let budget = textLength * EXPANSION_FACTOR + EXPANSION_SLACK;
  const stack: unknown[] = [value];
  while (stack.length > 0) {
    const node = stack.pop();
    if (node === null || typeof node !== "object") continue;
    const children = Array.isArray(node) ? node : Object.values(node);
    budget -= children.length + 1;
    if (budget < 0) {
      throw new CrdTypesError(
        "YAML_TOO_LARGE",
        `document ${index + 1} expands to far more nodes than its text has bytes (a YAML alias bomb or a recursive alias); refused`,
        { file },
      );
    }
    for (const child of children) stack.push(child);
  }
}

/** 1-based line and column of `offset` in `text`. */
export function lineColumn(text: string, offset: number): { line: number; column: number } {
  let line = 1;
  let start = 0;
  for (let i = text.indexOf("\n"); i !== -1 && i < offset; i = text.indexOf("\n", i + 1)) {
    line++;
    start = i + 1;
  }
  return { line, column: offset - start + 1 };
}
