// The write edge: all or nothing, unchanged files untouched, stale generated files found and removed.
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { CrdTypesError, checkFiles, generateTypes, readInputs, writeFiles } from "../src/index.js";
import { crd, jsonInput, tempDir } from "./helpers.js";

const widget = crd({
  kind: "Widget",
  spec: { type: "object", properties: { size: { type: "integer" } } },
});
const gadget = crd({
  kind: "Gadget",
  spec: { type: "object", properties: { name: { type: "string" } } },
});

describe("writeFiles and checkFiles", () => {
  it("writes everything, then nothing; --check reports changed, missing and stale files", async () => {
    const dir = tempDir("write");
    const both = generateTypes([jsonInput("w.json", widget), jsonInput("g.json", gadget)]).files;
    const first = await writeFiles(dir, both);
    expect(first.written).toEqual(both.map((f) => f.path));
    expect((await writeFiles(dir, both)).written).toEqual([]);
    expect(await checkFiles(dir, both)).toEqual([]);

    writeFileSync(join(dir, "example.com/v1/Widget.ts"), "// edited by hand\n");
    writeFileSync(join(dir, "notes.ts"), "// mine, no banner\n");
    const onlyWidget = generateTypes([jsonInput("w.json", widget)]).files;
    expect(await checkFiles(dir, onlyWidget)).toEqual([
      { path: "example.com/v1/Gadget.ts", reason: "stale" },
      { path: "example.com/v1/Widget.ts", reason: "changed" },
      { path: "example.com/v1/index.ts", reason: "changed" },
      { path: "index.ts", reason: "changed" },
    ]);

    const report = await writeFiles(dir, onlyWidget);
    expect(report.removed).toEqual(["example.com/v1/Gadget.ts"]);
    expect(existsSync(join(dir, "notes.ts"))).toBe(true);
    expect(await checkFiles(dir, onlyWidget)).toEqual([]);
    expect(readdirSync(dir).filter((f) => f.startsWith(".metahook-staging"))).toEqual([]);
  });

  it("reports files that are missing", async () => {
    const dir = tempDir("missing");
    const files = generateTypes([jsonInput("w.json", widget)]).files;
    expect((await checkFiles(dir, files)).map((d) => d.reason)).toEqual(files.map(() => "missing"));
  });

  it("writes nothing when any file cannot be written, not even the directory", async () => {
    const dir = join(tempDir("atomic"), "out");
    const files = [
      { path: "a.ts", content: "// a\n" },
      // `a.ts` is a file, so it cannot also be a directory: the second write fails.
      { path: "a.ts/b.ts", content: "// b\n" },
    ];
    await expect(writeFiles(dir, files)).rejects.toMatchObject({ code: "WRITE_FAILED" });
    expect(existsSync(dir)).toBe(false);
  });

  it("refuses paths outside the output directory", async () => {
    const dir = tempDir("escape");
    await expect(writeFiles(dir, [{ path: "../evil.ts", content: "" }])).rejects.toBeInstanceOf(
      CrdTypesError,
    );
    expect(readdirSync(dir)).toEqual([]);
  });
});

describe("readInputs", () => {
  it("reads directories recursively in sorted order, only YAML and JSON, and stdin for -", async () => {
    const dir = tempDir("read");
    mkdirSync(join(dir, "b", "nested"), { recursive: true });
    writeFileSync(join(dir, "b", "nested", "z.yml"), "a: 1\n");
    writeFileSync(join(dir, "a.json"), "{}");
    writeFileSync(join(dir, "README.md"), "# not input\n");
    const inputs = await readInputs([dir, "-"], { stdin: async () => "from: stdin\n" });
    expect(inputs.map((i) => i.path.replace(/\\/g, "/").replace(`${dir}/`, ""))).toEqual([
      "a.json",
      "b/nested/z.yml",
      "-",
    ]);
    expect(inputs[2]?.content).toBe("from: stdin\n");
    expect(new TextDecoder().decode(inputs[1]?.content as Uint8Array)).toBe("a: 1\n");
  });

  it("names a missing input", async () => {
    await expect(readInputs(["does/not/exist.yaml"])).rejects.toThrow(
      /^does\/not\/exist\.yaml: no such file or directory$/,
    );
  });

  it("reads the files it lists as they are on disk", async () => {
    const dir = tempDir("exact");
    writeFileSync(join(dir, "w.json"), JSON.stringify(widget));
    const [input] = await readInputs([join(dir, "w.json")]);
    expect(new TextDecoder().decode(input?.content as Uint8Array)).toBe(
      readFileSync(join(dir, "w.json"), "utf8"),
    );
  });
});
