// Metacontroller's upstream examples, end to end: each example's parent CRDs generate, and every
// sample object of a kind they define is accepted by the generated model (as `kubectl apply`
// accepts it) and type-checks against the generated `<Kind>Input`; the object as stored (pruned,
// defaulted) type-checks against the observed `<Kind>`.
import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import jsyaml from "js-yaml";
import { beforeAll, describe, expect, it } from "vitest";
import { generateTypes, readInputs, writeFiles } from "../src/index.js";
import { compile, metacontrollerExamplesDir, type Schema, tempDir } from "./helpers.js";

interface Sample {
  readonly label: string;
  readonly example: string;
  readonly object: Schema;
}

const root = metacontrollerExamplesDir();
const outDir = tempDir("upstream-examples");
const isRecord = (v: unknown): v is Schema =>
  typeof v === "object" && v !== null && !Array.isArray(v);

const examples = readdirSync(root, { withFileTypes: true })
  .filter((d) => d.isDirectory() && readdirSync(join(root, d.name)).includes("v1"))
  .map((d) => d.name)
  .sort();

const samples: Sample[] = [];
let skipped = 0;

beforeAll(async () => {
  for (const example of examples) {
    const result = generateTypes(await readInputs([join(root, example, "v1")]));
    await writeFiles(join(outDir, example), result.files);
    const kinds = new Set(
      result.files
        .filter(
          (f) =>
            /^[^_].*\/[^/]+\/[A-Za-z0-9_-]+\.ts$/.test(f.path) && !f.path.endsWith("/index.ts"),
        )
        .map((f) => {
          const [version = "", file = ""] = f.path.split("/").slice(-2);
          const group = f.path.split("/").slice(0, -2).join("/");
          return `${group}/${version} ${file.replace(/\.ts$/, "")}`;
        }),
    );
    for (const file of readdirSync(join(root, example))
      .filter((f) => f.endsWith(".yaml"))
      .sort()) {
      for (const doc of jsyaml.loadAll(readFileSync(join(root, example, file), "utf8"))) {
        if (!isRecord(doc)) continue;
        if (!kinds.has(`${String(doc.apiVersion)} ${String(doc.kind)}`)) {
          skipped++; // Namespaces, Secrets, ConfigMaps: not objects of the example's CRDs.
          continue;
        }
        const name = isRecord(doc.metadata) ? String(doc.metadata.name) : "";
        samples.push({
          label: `${example}/${file} ${String(doc.kind)} ${name}`,
          example,
          object: doc,
        });
      }
    }
  }
});

interface Model {
  validate(value: unknown): void;
  check(value: unknown): { valid: boolean; object: unknown; errors: readonly unknown[] };
}

async function modelOf(sample: Sample): Promise<Model> {
  const [group = "", version = ""] = String(sample.object.apiVersion).split("/");
  const kind = String(sample.object.kind);
  const mod: { [key: string]: unknown } = await import(
    pathToFileURL(join(outDir, sample.example, group, version, `${kind}.ts`)).href
  );
  return mod[`${kind}Model`] as Model;
}

describe("Metacontroller's upstream examples", () => {
  it("finds the sample parents of the examples that ship CRDs", () => {
    expect(examples.length).toBeGreaterThanOrEqual(10);
    expect(samples.length).toBeGreaterThanOrEqual(10);
    expect(skipped).toBeGreaterThan(0);
  });

  it("every sample is accepted by its generated model, as kubectl apply accepts it", async () => {
    const refused: string[] = [];
    for (const sample of samples) {
      const verdict = (await modelOf(sample)).check(sample.object);
      if (!verdict.valid) refused.push(`${sample.label}: ${JSON.stringify(verdict.errors)}`);
    }
    expect(refused).toEqual([]);
  });

  it("every sample type-checks as <Kind>Input, and its stored form as <Kind>", async () => {
    const lines: string[] = [];
    for (const [i, sample] of samples.entries()) {
      const [group = "", version = ""] = String(sample.object.apiVersion).split("/");
      const kind = String(sample.object.kind);
      const from = `./${sample.example}/${group}/${version}/${kind}.js`;
      const stored = (await modelOf(sample)).check(sample.object).object;
      lines.push(`import type { ${kind} as O${i}, ${kind}Input as I${i} } from "${from}";`);
      lines.push(`export const input${i}: I${i} = ${JSON.stringify(sample.object)};`);
      lines.push(`export const stored${i}: O${i} = ${JSON.stringify(stored)};`);
    }
    const file = join(outDir, "samples.ts");
    writeFileSync(file, lines.join("\n"));
    expect(compile([file])).toEqual([]);
  });

  it("update-strategy: a parent that leaves out a defaulted field gets the default when stored", async () => {
    const sample = samples.find((s) => s.object.kind === "OnDeleteDemo");
    expect(sample, "update-strategy's OnDeleteDemo sample").toBeDefined();
    if (sample === undefined) return;
    const withoutData = { ...sample.object, spec: {} };
    const verdict = (await modelOf(sample)).check(withoutData);
    expect(verdict.valid).toBe(true);
    expect(verdict.object).toMatchObject({ spec: { configData: "initial" } });
  });
});
