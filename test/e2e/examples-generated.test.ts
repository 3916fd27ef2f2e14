/**
 * The examples are typed by the project's own generator: each one's `generate` script runs
 * `metahook gen controller` on its manifests, and the output is checked in. This test runs the
 * same command with `--check` through the built CLI, so a manifest edited without regenerating
 * (or a generated file edited by hand) fails here, naming the command that fixes it.
 */
import { execFile } from "node:child_process";
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { REPO_ROOT } from "@metahook/test-support";
import { afterAll, describe, expect, it } from "vitest";

const run = promisify(execFile);
const CLI = join(REPO_ROOT, "packages/cli/dist/bin.js");
const EXAMPLES = join(REPO_ROOT, "examples");
const PREFIX = "metahook gen controller ";

interface Example {
  dir: string;
  name: string;
  generate: string | undefined;
}

function examples(): Example[] {
  return readdirSync(EXAMPLES, { withFileTypes: true })
    .filter((entry) => entry.isDirectory())
    .map((entry) => {
      const dir = join(EXAMPLES, entry.name);
      const pkg = JSON.parse(readFileSync(join(dir, "package.json"), "utf8")) as {
        name: string;
        scripts?: { generate?: string };
      };
      return { dir, name: pkg.name, generate: pkg.scripts?.generate };
    });
}

/** The CLI arguments of a `generate` script, which must be a plain `metahook gen controller` call. */
function generateArgs({ name, generate }: Example): string[] {
  if (generate === undefined || !generate.startsWith(PREFIX)) {
    throw new Error(`${name}: package.json needs a "generate" script starting "${PREFIX}"`);
  }
  // Split on blanks, so anything a shell would interpret is refused rather than misread.
  if (!/^[\w./ ,=-]+$/.test(generate)) {
    throw new Error(`${name}: the "generate" script must be plain words, got: ${generate}`);
  }
  return generate.trim().split(/\s+/).slice(1);
}

interface Outcome {
  code: number;
  stdout: string;
  stderr: string;
}

async function check(cwd: string, args: readonly string[]): Promise<Outcome> {
  try {
    const { stdout, stderr } = await run(process.execPath, [CLI, ...args, "--check"], {
      cwd,
      env: { ...process.env, NO_COLOR: "1" },
      timeout: 60_000,
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code?: unknown; stdout?: string; stderr?: string };
    if (typeof e.code !== "number") throw error;
    return { code: e.code, stdout: e.stdout ?? "", stderr: e.stderr ?? "" };
  }
}

const table = examples();

describe("the examples' generated types match their manifests", () => {
  it("covers every example", () => {
    expect(table.map((e) => e.name).sort()).toStrictEqual([
      "@metahook/example-blog",
      "@metahook/example-bluegreen",
      "@metahook/example-catset",
      "@metahook/example-configmap-list",
      "@metahook/example-globalconfigmap",
      "@metahook/example-indexedjob",
      "@metahook/example-pod-name-label",
      "@metahook/example-service-per-pod",
      "@metahook/example-useless-controller",
    ]);
  });

  it.each(table)("$name", async (example) => {
    const outcome = await check(example.dir, generateArgs(example));
    const fix = `npx -y pnpm@10.34.8 --filter ${example.name} generate`;
    expect(
      outcome.code,
      `${example.name}: the checked-in generated files differ from the manifests; run: ${fix}\n${outcome.stdout}${outcome.stderr}`,
    ).toBe(0);
    expect(outcome.stdout).toMatch(/^src is up to date \(\d+ generated files\)$/m);
  });
});

describe("the check catches drift", () => {
  const scratch = mkdtempSync(join(tmpdir(), "metahook-examples-drift-"));
  afterAll(() => rmSync(scratch, { recursive: true, force: true }));

  it("a manifest changed without regenerating fails, naming the file and the command", async () => {
    const example = table.find((e) => e.name === "@metahook/example-pod-name-label");
    if (example === undefined) throw new Error("the pod-name-label example is missing");
    const copy = join(scratch, "pod-name-label");
    for (const part of ["manifests", "src"]) {
      cpSync(join(example.dir, part), join(copy, part), { recursive: true });
    }
    const manifest = join(copy, "manifests/controller.yaml");
    const text = readFileSync(manifest, "utf8");
    const edited = text.replace("/pod-name-label/sync", "/pod-name-label/sync-moved");
    if (edited === text) throw new Error("the manifest no longer has the hook URL this test edits");
    writeFileSync(manifest, edited);

    const outcome = await check(copy, generateArgs(example));
    expect(outcome.code).toBe(1);
    expect(outcome.stdout).toMatch(/src\/pod-name-label\.generated\.ts/);
    expect(outcome.stderr).toContain(`run: ${example.generate}`);
  });
});
