// The READMEs' TypeScript compiles against the workspace packages, and the root quickstart runs
// exactly as documented: saved as configs.ts in the clone, served with `pnpm metahook serve
// configs.ts`, answering a sync request with 200.
import { type ChildProcess, spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { buildCompositeRequest } from "@metahook/runtime/testing";
import { REPO_ROOT } from "@metahook/test-support";
import ts from "typescript";
import { afterAll, describe, expect, it } from "vitest";
import { type ReadmeBlock, readmeBlocks, readmeFiles } from "./readme-blocks.js";

const here = dirname(fileURLToPath(import.meta.url));

describe("readmeBlocks", () => {
  const cases: { name: string; given: string; want: Partial<ReadmeBlock>[] }[] = [
    {
      name: "a ts block, numbered, with its first code line",
      given: "# t\n\n```ts\nconst a = 1;\n```\n",
      want: [{ line: 4, file: "block-1.ts", code: "const a = 1;\n", check: true }],
    },
    {
      name: "file= names the block; nocheck skips it; other languages are not blocks",
      given:
        "```sh\nnpm test\n```\n```ts file=blogs.ts\nexport {};\n```\n```typescript nocheck\npartial(\n```\n",
      want: [
        { line: 5, file: "blogs.ts", check: true },
        { line: 8, file: "block-2.ts", code: "partial(\n", check: false },
      ],
    },
    {
      name: "a longer fence holds a shorter one",
      given: "````ts\nconst s = `\n```\n`;\n````\n",
      want: [{ code: "const s = `\n```\n`;\n" }],
    },
  ];
  it.each(cases)("$name", ({ given, want }) => {
    const blocks = readmeBlocks("README.md", given);
    expect(blocks).toHaveLength(want.length);
    blocks.forEach((block, i) => {
      expect(block).toMatchObject(want[i] ?? {});
    });
  });
});

// Written under test/ so that they resolve the workspace packages as test/package.json lists them.
const WORK = join(here, "..", ".readme-blocks");
rmSync(WORK, { recursive: true, force: true });
const blocks = readmeFiles(REPO_ROOT).flatMap((readme) =>
  readmeBlocks(readme, readFileSync(join(REPO_ROOT, readme), "utf8")),
);
const checked = blocks.filter((b) => b.check);
const pathOf = (b: ReadmeBlock) =>
  join(WORK, b.readme.replace(/\/?README\.md$/, "") || "root", b.file);
for (const block of checked) {
  mkdirSync(dirname(pathOf(block)), { recursive: true });
  // `export {}` keeps a block without imports a module (top-level await, no global names).
  writeFileSync(pathOf(block), `${block.code}export {};\n`);
}

let diagnostics: readonly ts.Diagnostic[] | undefined;
function compile(): readonly ts.Diagnostic[] {
  if (diagnostics) return diagnostics;
  const config = ts.readConfigFile(join(REPO_ROOT, "tsconfig.base.json"), ts.sys.readFile);
  const { options } = ts.convertCompilerOptionsFromJson(config.config.compilerOptions, REPO_ROOT);
  // Examples may show a name without using it; everything else is as strict as the packages.
  const program = ts.createProgram(checked.map(pathOf), {
    ...options,
    noEmit: true,
    declaration: false,
    declarationMap: false,
    noUnusedLocals: false,
    noUnusedParameters: false,
  });
  diagnostics = ts.getPreEmitDiagnostics(program);
  return diagnostics;
}

function where(block: ReadmeBlock, diagnostic: ts.Diagnostic): string {
  const message = ts.flattenDiagnosticMessageText(diagnostic.messageText, "\n");
  if (!diagnostic.file || diagnostic.start === undefined) return message;
  const { line } = diagnostic.file.getLineAndCharacterOfPosition(diagnostic.start);
  return `${block.readme}:${block.line + line}: TS${diagnostic.code} ${message}`;
}

afterAll(() => {
  rmSync(WORK, { recursive: true, force: true });
});

describe("README TypeScript blocks", () => {
  it("finds the blocks: the root quickstart among them", () => {
    expect(checked.map((b) => `${b.readme} ${b.file}`)).toContain("README.md configs.ts");
  });

  it.each(checked.map((b) => [`${b.readme}:${b.line} (${b.file})`, b] as const))(
    "%s compiles",
    (_name, block) => {
      const file = pathOf(block);
      const errors = compile()
        .filter((d) => d.file && relative(d.file.fileName, file) === "")
        .map((d) => where(block, d));
      expect(errors).toEqual([]);
    },
    60_000,
  );

  it("no diagnostic falls outside the blocks (global or configuration errors)", () => {
    const stray = compile()
      .filter((d) => !d.file)
      .map((d) => ts.flattenDiagnosticMessageText(d.messageText, "\n"));
    expect(stray).toEqual([]);
  }, 60_000);
});

describe("the root README's quickstart, exactly as documented", () => {
  const readme = readFileSync(join(REPO_ROOT, "README.md"), "utf8");
  const quickstart = readmeBlocks("README.md", readme).find((b) => b.file === "configs.ts");
  const command = /run `(pnpm metahook serve configs\.ts)`/.exec(readme)?.[1];
  let server: ChildProcess | undefined;

  afterAll(() => {
    if (server?.exitCode === null && server.signalCode === null) server.kill("SIGTERM");
  });

  it("is saved as configs.ts in the clone, served with the documented command, and answers 200", async () => {
    expect(quickstart, "README.md has a ```ts file=configs.ts block").toBeDefined();
    expect(command, "README.md says: run `pnpm metahook serve configs.ts`").toBeDefined();
    // A directory of its own in the clone, not the root itself, so that a user's configs.ts is
    // never touched; it resolves packages exactly as the root does.
    const dir = mkdtempSync(join(REPO_ROOT, ".quickstart-"));
    try {
      writeFileSync(join(dir, "configs.ts"), quickstart?.code ?? "");
      const [, ...args] = (command ?? "").split(" ");
      // PORT and HOST are the documented environment of `serve`: the command stays as written.
      server = spawn(join(REPO_ROOT, "node_modules/.bin/pnpm"), args, {
        cwd: dir,
        env: { ...process.env, PORT: "0", HOST: "127.0.0.1", LOG_LEVEL: "warn", NO_COLOR: "1" },
        stdio: ["ignore", "pipe", "pipe"],
      });
      let stdout = "";
      let stderr = "";
      server.stdout?.on("data", (d: Buffer) => {
        stdout += d.toString();
      });
      const base = await new Promise<string>((done, fail) => {
        const timer = setTimeout(
          () => fail(new Error(`not serving after 60 s:\n${stderr}`)),
          60_000,
        );
        server?.stderr?.on("data", (d: Buffer) => {
          stderr += d.toString();
          const m = /serving \d+ module\(s\) on (http:\/\/\S+)/.exec(stderr);
          if (m?.[1]) {
            clearTimeout(timer);
            done(m[1]);
          }
        });
        server?.once("exit", (code) => {
          clearTimeout(timer);
          fail(new Error(`exited ${code}:\n${stderr}`));
        });
      });
      const request = buildCompositeRequest({
        controller: {
          apiVersion: "metacontroller.k8s.io/v1alpha1",
          kind: "CompositeController",
          metadata: { name: "sites" },
          spec: {
            parentResource: { apiVersion: "example.com/v1", resource: "sites" },
            childResources: [{ apiVersion: "v1", resource: "configmaps" }],
            generateSelector: true,
          },
        },
        parent: {
          apiVersion: "example.com/v1",
          kind: "Site",
          metadata: {
            name: "hello",
            namespace: "default",
            uid: "0b6a3c55-1111-4222-8333-444455556666",
            generation: 2,
          },
          spec: { greeting: "hi" },
        },
        kinds: { "sites.example.com": "Site" },
      });
      const res = await fetch(`${base}/configs/sync`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify(request),
      });
      const body = (await res.json()) as { status?: unknown; children?: { kind: string }[] };
      expect(res.status, JSON.stringify(body)).toBe(200);
      expect(body.status).toBeTypeOf("object");
      expect(body.children?.map((c) => c.kind)).toContain("ConfigMap");
      // The route list is the only thing on stdout: nothing from pnpm or turbo.
      expect(stdout.trim().split("\n")).toEqual(["POST /configs/sync\tsync\tconfigs.ts"]);
    } finally {
      if (server?.exitCode === null) {
        server.kill("SIGTERM");
        await new Promise((done) => server?.once("exit", done));
      }
      rmSync(dir, { recursive: true, force: true });
    }
  }, 120_000);
});
