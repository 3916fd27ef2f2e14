// Acceptance: every CRD of test/fixtures/crds (as listed in index.tsv) and Metacontroller's own CRDs
// generate, the whole output type-checks as one strict project, and the generated runtime models
// accept upstream example objects and reject mutated ones, naming the path.
import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import jsyaml from "js-yaml";
import { beforeAll, describe, expect, it } from "vitest";
import {
  checkFiles,
  type GenerateResult,
  generateTypes,
  readInputs,
  writeFiles,
} from "../src/index.js";
import {
  compile,
  fileAt,
  looseTypes,
  packageDir,
  referenceDir,
  type Schema,
  tempDir,
} from "./helpers.js";

interface IndexRow {
  readonly file: string;
  readonly group: string;
  readonly kind: string;
  readonly versions: readonly string[];
  readonly storage: string;
}

const shared = referenceDir();
const rows: IndexRow[] = (() => {
  const [header = "", ...lines] = readFileSync(join(shared, "crds", "index.tsv"), "utf8")
    .trim()
    .split("\n");
  const columns = header.split("\t");
  const col = (cells: string[], name: string): string => cells[columns.indexOf(name)] ?? "";
  return lines.map((line) => {
    const cells = line.split("\t");
    return {
      file: col(cells, "file"),
      group: col(cells, "group"),
      kind: col(cells, "kind"),
      versions: col(cells, "versions").split(","),
      storage: col(cells, "storage_version"),
    };
  });
})();

const COMMAND = "metahook gen types ../shared/crds ../shared/metacontroller/crds";
let result: GenerateResult;
let outDir: string;
let generateMs: number;

beforeAll(async () => {
  const inputs = await readInputs([
    ...rows.map((r) => join(shared, "crds", r.file)),
    join(shared, "metacontroller", "crds"),
  ]);
  const started = performance.now();
  result = generateTypes(inputs, { command: COMMAND });
  generateMs = performance.now() - started;
  outDir = tempDir("corpus");
  await writeFiles(outDir, result.files);
});

describe("corpus", () => {
  it("index.tsv lists the real-world CRDs", () => {
    expect(rows.length).toBeGreaterThanOrEqual(50);
    expect(new Set(rows.map((r) => r.file.split("__")[0])).size).toBeGreaterThan(12);
  });

  it.each(rows)(
    "$file: every version generates; index.ts re-exports the storage version",
    (row) => {
      for (const version of row.versions) {
        expect(fileAt(result.files, `${row.group}/${version}/${row.kind}.ts`)).toContain(
          `export interface ${row.kind} {`,
        );
      }
      expect(fileAt(result.files, "index.ts")).toContain(
        `} from "./${row.group}/${row.storage}/${row.kind}.js";`,
      );
    },
  );

  it("generates Metacontroller's own CRDs from their directory alone", async () => {
    const own = generateTypes(await readInputs([join(shared, "metacontroller", "crds")]));
    expect(own.summary.crds).toBe(3);
    for (const kind of ["CompositeController", "DecoratorController", "ControllerRevision"]) {
      expect(fileAt(own.files, `metacontroller.k8s.io/v1alpha1/${kind}.ts`)).toContain(
        `export function is${kind}(`,
      );
    }
  });

  it("the whole output type-checks with --strict as one project", () => {
    expect(compile(result.files.map((f) => join(outDir, f.path)))).toEqual([]);
  });

  it("contains no any and no {}", () => {
    const loose = result.files.flatMap((f) => looseTypes(f.content).map((m) => `${f.path}: ${m}`));
    expect(loose).toEqual([]);
  });

  it("is idempotent: regenerating is identical, --check finds no drift, a second write writes nothing", async () => {
    const inputs = await readInputs([
      ...rows.map((r) => join(shared, "crds", r.file)),
      join(shared, "metacontroller", "crds"),
    ]);
    const again = generateTypes(inputs, { command: COMMAND });
    expect(again.files).toEqual(result.files);
    expect(await checkFiles(outDir, again.files)).toEqual([]);
    expect((await writeFiles(outDir, again.files)).written).toEqual([]);
  });

  it("is fast", () => {
    // The bench compares tools; this only guards against an accidental blow-up.
    console.info(
      `generated ${result.summary.crds} CRDs, ${result.summary.versions} versions in ${generateMs.toFixed(0)} ms`,
    );
    expect(generateMs).toBeLessThan(30_000);
  });
});

interface Example {
  readonly label: string;
  readonly object: Schema;
}

const examples: Example[] = (() => {
  const out: Example[] = [];
  const add = (file: string, text: string): void => {
    for (const doc of jsyaml.loadAll(text)) {
      if (!isRecord(doc) || typeof doc.kind !== "string") continue;
      const name = isRecord(doc.metadata) ? (doc.metadata.name ?? doc.metadata.generateName) : "";
      out.push({ label: `${file} ${doc.apiVersion}/${doc.kind} ${String(name)}`, object: doc });
    }
  };
  const fixtures = join(packageDir, "test", "fixtures", "examples");
  for (const file of readdirSync(fixtures)
    .filter((f) => f.endsWith(".yaml"))
    .sort()) {
    add(file, readFileSync(join(fixtures, file), "utf8"));
  }
  // Metacontroller's documented controllers, straight from its examples.
  const mc = join(shared, "metacontroller", "examples");
  for (const example of readdirSync(mc).sort()) {
    const manifest = join(mc, example, "manifest");
    let files: string[] = [];
    try {
      files = readdirSync(manifest).filter((f) => f.endsWith(".yaml"));
    } catch {
      continue;
    }
    for (const file of files.sort()) {
      const text = readFileSync(join(manifest, file), "utf8");
      if (/kind: (Composite|Decorator)Controller/.test(text)) {
        const before = out.length;
        add(`metacontroller/${example}/${file}`, text);
        // Keep only the controllers; the Deployments and Services in the same file are not CRD objects.
        out.splice(
          before,
          out.length - before,
          ...out.slice(before).filter((e) => /Controller$/.test(String(e.object.kind))),
        );
      }
    }
  }
  return out;
})();

interface Model {
  is(value: unknown): boolean;
  validate(value: unknown): void;
  check(value: unknown): { valid: boolean; object: unknown; errors: readonly unknown[] };
}

async function modelFor(object: Schema): Promise<{ model: Model; schema: Schema }> {
  const [group, version] = String(object.apiVersion).split("/");
  const kind = String(object.kind);
  const mod: { [key: string]: unknown } = await import(
    pathToFileURL(join(outDir, `${group}/${version}/${kind}.ts`)).href
  );
  const is = mod[`is${kind}`];
  const validate = mod[`validate${kind}`];
  const resource = mod[`${kind}Model`] as Pick<Model, "check"> | undefined;
  if (typeof is !== "function" || typeof validate !== "function" || resource === undefined)
    throw new Error(`no model for ${kind}`);
  return {
    model: {
      is: (v) => Boolean(is(v)),
      validate: (v) => validate(v),
      check: (v) => resource.check(v),
    },
    schema: crdSchema(String(group), String(version), kind),
  };
}

const crdSchemas = new Map<string, Schema>();
function crdSchema(group: string, version: string, kind: string): Schema {
  if (crdSchemas.size === 0) {
    for (const row of rows) {
      for (const doc of jsyaml.loadAll(readFileSync(join(shared, "crds", row.file), "utf8"))) {
        if (
          !isRecord(doc) ||
          !isRecord(doc.spec) ||
          !isRecord(doc.spec.names) ||
          !Array.isArray(doc.spec.versions)
        )
          continue;
        for (const v of doc.spec.versions) {
          if (isRecord(v) && isRecord(v.schema) && isRecord(v.schema.openAPIV3Schema)) {
            crdSchemas.set(
              `${doc.spec.group}/${v.name}/${doc.spec.names.kind}`,
              v.schema.openAPIV3Schema,
            );
          }
        }
      }
    }
  }
  const schema = crdSchemas.get(`${group}/${version}/${kind}`);
  if (schema === undefined) throw new Error(`no schema for ${group}/${version} ${kind}`);
  return schema;
}

describe("round trip with upstream examples", () => {
  it("covers every project in the corpus", () => {
    const projects = new Set(rows.map((r) => r.file.split("__")[0]));
    const covered = new Set(examples.map((e) => e.label.split(/[ ./]/)[0]));
    expect([...projects].filter((p) => !covered.has(p))).toEqual([]);
  });

  it("the examples type-check as <Kind>Input and their stored forms as <Kind>; every mutated one is a type error", async () => {
    const header = (i: number, object: Schema, name: string): string => {
      const [group, version, kind] = splitApi(object);
      return `import type { ${name} as T${i} } from "./${group}/${version}/${kind}.js";`;
    };
    const module = (objects: readonly Schema[], suffix: "" | "Input"): string =>
      [
        ...objects.map((o, i) => header(i, o, `${splitApi(o)[2]}${suffix}`)),
        ...objects.map((o, i) => `export const value${i}: T${i} = ${JSON.stringify(o)};`),
      ].join("\n");
    const valid = join(outDir, "examples.ts");
    writeFileSync(
      valid,
      module(
        examples.map((e) => e.object),
        "Input",
      ),
    );
    const storedForms: Schema[] = [];
    for (const e of examples) {
      const { model } = await modelFor(e.object);
      storedForms.push(model.check(e.object).object as Schema);
    }
    const stored = join(outDir, "stored.ts");
    writeFileSync(stored, module(storedForms, ""));
    expect(compile([valid, stored])).toEqual([]);

    const mutated = examples.flatMap((e) => {
      const schema = crdSchema(...splitApi(e.object));
      return [
        wrongTypeLeaf(e.object, schema)?.object,
        requiredField(e.object, schema)?.object,
      ].filter((o): o is Schema => o !== undefined);
    });
    const invalid = join(outDir, "mutated.ts");
    writeFileSync(invalid, module(mutated, "Input"));
    const linesWithErrors = new Set(
      compile([invalid]).map((d) => Number(/:(\d+):\d+ /.exec(d)?.[1])),
    );
    const valueLines = mutated.map((_, i) => mutated.length + i + 1);
    expect(valueLines.filter((line) => !linesWithErrors.has(line))).toEqual([]);
  });

  const withOptional = examples.filter(
    (e) => nullableOptional(e.object, crdSchema(...splitApi(e.object))) !== undefined,
  );

  it("most examples have an optional object field to set to null", () => {
    expect(withOptional.length).toBeGreaterThan(examples.length / 2);
  });

  it.each(withOptional)(
    "$label: null in an optional, non-nullable field without default is dropped, as if absent",
    async ({ object }) => {
      const { model, schema } = await modelFor(object);
      const mutation = nullableOptional(object, schema);
      if (mutation === undefined) throw new Error("unreachable: filtered above");
      // Judged exactly as the object without the field, and stored without it.
      const removed = setAt(object, mutation.path, undefined);
      const verdict = model.check(mutation.object);
      expect(verdict).toEqual(model.check(removed));
      if (verdict.valid) expect(getAt(verdict.object, mutation.path)).toBeUndefined();
    },
  );

  it.each(examples)("$label validates", async ({ object }) => {
    const { model } = await modelFor(object);
    expect(() => model.validate(object)).not.toThrow();
    expect(model.is(object)).toBe(true);
    expect(model.is({ ...object, kind: "Other" })).toBe(false);
  });

  it.each(examples)(
    "$label: a leaf of the wrong type is rejected, naming its path",
    async ({ object }) => {
      const { model, schema } = await modelFor(object);
      const mutation = wrongTypeLeaf(object, schema);
      expect(mutation, "the example has a typed leaf to mutate").toBeDefined();
      if (mutation === undefined) return;
      expect(model.is(mutation.object)).toBe(false);
      expect(() => model.validate(mutation.object)).toThrow(
        `data${mutation.pointer} must be ${mutation.type}`,
      );
    },
  );

  const withRequired = examples.filter((e) => {
    try {
      return requiredField(e.object, crdSchema(...splitApi(e.object))) !== undefined;
    } catch {
      return false;
    }
  });

  it("most examples have a present required field to remove", () => {
    expect(withRequired.length).toBeGreaterThan(examples.length / 2);
  });

  it.each(withRequired)(
    "$label: removing a required field is rejected, naming it",
    async ({ object }) => {
      const { model, schema } = await modelFor(object);
      const mutation = requiredField(object, schema);
      if (mutation === undefined) throw new Error("unreachable: filtered above");
      expect(model.is(mutation.object)).toBe(false);
      expect(() => model.validate(mutation.object)).toThrow(
        `data${mutation.pointer} must have required property ${mutation.key}`,
      );
    },
  );
});

function splitApi(object: Schema): [string, string, string] {
  const [group = "", version = ""] = String(object.apiVersion).split("/");
  return [group, version, String(object.kind)];
}

function isRecord(value: unknown): value is Schema {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

const escapePointer = (key: string): string => key.replace(/~/g, "~0").replace(/\//g, "~1");

type Path = readonly (string | number)[];

function setAt(object: Schema, path: Path, value: unknown): Schema {
  const copy = structuredClone(object);
  let node: unknown = copy;
  for (const key of path.slice(0, -1)) node = (node as { [k: string]: unknown })[key];
  const last = path[path.length - 1];
  if (last === undefined) throw new Error("empty path");
  if (value === undefined) delete (node as { [k: string]: unknown })[last];
  else (node as { [k: string]: unknown })[last] = value;
  return copy;
}

/** Depth-first: the first string/integer/boolean leaf under `spec` the schema types strictly. */
function wrongTypeLeaf(
  object: Schema,
  schema: Schema,
): { object: Schema; pointer: string; type: string } | undefined {
  const visit = (
    value: unknown,
    node: Schema,
    path: Path,
  ): { path: Path; type: string } | undefined => {
    if (
      node["x-kubernetes-preserve-unknown-fields"] === true ||
      node["x-kubernetes-int-or-string"] === true
    )
      return undefined;
    const type = node.type;
    if (
      (type === "string" && typeof value === "string" && node.enum === undefined) ||
      (type === "boolean" && typeof value === "boolean") ||
      (type === "integer" && Number.isInteger(value))
    ) {
      return { path, type: String(type) };
    }
    if (Array.isArray(value) && isRecord(node.items)) {
      for (const [i, item] of value.entries()) {
        const found = visit(item, node.items, [...path, i]);
        if (found) return found;
      }
    }
    if (isRecord(value)) {
      for (const [key, child] of Object.entries(value)) {
        const sub = isRecord(node.properties) ? node.properties[key] : undefined;
        const childSchema = isRecord(sub)
          ? sub
          : isRecord(node.additionalProperties)
            ? node.additionalProperties
            : undefined;
        const found = childSchema && visit(child, childSchema, [...path, key]);
        if (found) return found;
      }
    }
    return undefined;
  };
  const spec = isRecord(schema.properties) ? schema.properties.spec : undefined;
  const found = isRecord(spec) ? visit(object.spec, spec, ["spec"]) : undefined;
  if (found === undefined) return undefined;
  const wrong = found.type === "string" ? 12345 : `not-a-${found.type}`;
  return {
    object: setAt(object, found.path, wrong),
    pointer: found.path.map((p) => `/${escapePointer(String(p))}`).join(""),
    type: found.type,
  };
}

/** Depth-first: the first field that the schema requires and the example has. */
function requiredField(
  object: Schema,
  schema: Schema,
): { object: Schema; pointer: string; key: string } | undefined {
  const visit = (
    value: unknown,
    node: Schema,
    path: Path,
  ): { path: Path; key: string } | undefined => {
    if (isRecord(value)) {
      const required = Array.isArray(node.required) ? node.required : [];
      for (const key of required) {
        const sub = isRecord(node.properties) ? node.properties[key as string] : undefined;
        if (
          typeof key === "string" &&
          key in value &&
          // A required field with a default is not refused when left out: the API server fills it in.
          !(isRecord(sub) && sub.default !== undefined) &&
          !(path.length === 0 && (key === "apiVersion" || key === "kind"))
        ) {
          return { path, key };
        }
      }
      for (const [key, child] of Object.entries(value)) {
        const sub = isRecord(node.properties) ? node.properties[key] : undefined;
        const found = isRecord(sub) && visit(child, sub, [...path, key]);
        if (found) return found;
      }
    }
    if (Array.isArray(value) && isRecord(node.items)) {
      for (const [i, item] of value.entries()) {
        const found = visit(item, node.items, [...path, i]);
        if (found) return found;
      }
    }
    return undefined;
  };
  // Prefer a field inside spec over the top-level ones (metadata, spec itself).
  const spec = isRecord(schema.properties) ? schema.properties.spec : undefined;
  const found =
    (isRecord(spec) ? visit(object.spec, spec, ["spec"]) : undefined) ?? visit(object, schema, []);
  if (found === undefined) return undefined;
  return {
    object: setAt(object, [...found.path, found.key], undefined),
    pointer: found.path.map((p) => `/${escapePointer(String(p))}`).join(""),
    key: found.key,
  };
}

function getAt(object: unknown, path: Path): unknown {
  let node: unknown = object;
  for (const key of path)
    node = isRecord(node) || Array.isArray(node) ? (node as Schema)[key] : undefined;
  return node;
}

/** Depth-first under spec: the first object field the example sets that is optional, not nullable and without default. */
function nullableOptional(
  object: Schema,
  schema: Schema,
): { object: Schema; path: Path } | undefined {
  const visit = (value: unknown, node: Schema, path: Path): Path | undefined => {
    if (!isRecord(value)) return undefined;
    const required = Array.isArray(node.required) ? node.required : [];
    const properties = isRecord(node.properties) ? node.properties : {};
    for (const [key, child] of Object.entries(value)) {
      const sub = properties[key];
      if (!isRecord(sub)) continue;
      if (
        isRecord(child) &&
        sub.type === "object" &&
        !required.includes(key) &&
        sub.nullable !== true &&
        sub.default === undefined
      )
        return [...path, key];
      const found = visit(child, sub, [...path, key]);
      if (found) return found;
    }
    return undefined;
  };
  const spec = isRecord(schema.properties) ? schema.properties.spec : undefined;
  const path = isRecord(spec) ? visit(object.spec, spec, ["spec"]) : undefined;
  return path === undefined ? undefined : { object: setAt(object, path, null), path };
}
