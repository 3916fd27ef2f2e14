// `pnpm metahook ...` at the repository root writes the command's output and nothing else on
// stdout: no pnpm or turbo banner, so `> out.json` is the JSON itself.
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { delimiter, join } from "node:path";
import { REPO_ROOT } from "@metahook/test-support";
import { afterAll, describe, expect, it } from "vitest";

const out = mkdtempSync(join(tmpdir(), "metahook-quiet-"));
afterAll(() => rmSync(out, { recursive: true, force: true }));

function shell(command: string): Promise<{ code: number; stderr: string }> {
  return new Promise((done, fail) => {
    const child = spawn("sh", ["-c", command], {
      cwd: REPO_ROOT,
      env: {
        ...process.env,
        // The workspace's own pnpm, as `npx -y pnpm@10.34.8` would run it.
        PATH: `${join(REPO_ROOT, "node_modules/.bin")}${delimiter}${process.env.PATH ?? ""}`,
        NO_COLOR: "1",
      },
      stdio: ["ignore", "ignore", "pipe"],
    });
    let stderr = "";
    child.stderr.on("data", (d: Buffer) => {
      stderr += d.toString();
    });
    child.on("error", fail);
    child.on("exit", (code) => done({ code: code ?? 1, stderr }));
  });
}

const REQUEST =
  "test/fixtures/metacontroller/fixtures/composite-sync-v1-namespaced-catset.request.json";

describe("pnpm metahook at the repository root", () => {
  const cases: { name: string; args: string; file: string; want: (text: string) => void }[] = [
    {
      name: "run: stdout is the response JSON alone",
      args: `run examples/catset/src/catset.ts ${REQUEST}`,
      file: "out.json",
      want: (text) => {
        const response = JSON.parse(text) as { children?: unknown[] };
        expect(Array.isArray(response.children)).toBe(true);
      },
    },
    {
      name: "--version: stdout is the version line alone",
      args: "--version",
      file: "version.txt",
      want: (text) => {
        const { version } = JSON.parse(
          readFileSync(join(REPO_ROOT, "packages/cli/package.json"), "utf8"),
        ) as { version: string };
        expect(text).toBe(`${version}\n`);
      },
    },
  ];
  it.each(cases)(
    "$name",
    async ({ args, file, want }) => {
      const target = join(out, file);
      const res = await shell(`pnpm metahook ${args} > '${target}'`);
      expect(res.code, res.stderr).toBe(0);
      want(readFileSync(target, "utf8"));
    },
    120_000,
  );
});
