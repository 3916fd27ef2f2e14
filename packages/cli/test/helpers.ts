import { spawn } from "node:child_process";
import { once } from "node:events";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { main } from "../src/cli.js";
import type { Output } from "../src/output.js";

/** An {@link Output} that keeps what the CLI writes, without colour. */
export function memoryOutput(isTTY = false): { output: Output; out: string[]; err: string[] } {
  const out: string[] = [];
  const err: string[] = [];
  const output: Output = {
    out: (l) => void out.push(l),
    err: (l) => void err.push(l),
    isTTY,
    style: (_k, t) => t,
  };
  return { output, out, err };
}

/** Runs the CLI in-process; resolves to its exit code and what it wrote. */
export async function runMain(
  argv: string[],
  cwd: string,
  env: NodeJS.ProcessEnv = {},
): Promise<{ code: number; stdout: string; stderr: string }> {
  const io = memoryOutput();
  const code = await main(argv, { output: io.output, env, cwd });
  return { code, stdout: io.out.join("\n"), stderr: io.err.join("\n") };
}

/** The built `metahook` executable. */
export const BIN = resolve(dirname(fileURLToPath(import.meta.url)), "../dist/bin.js");

/** Runs the built CLI as a child process, feeding `stdin`; resolves once it exits. */
export async function spawnCli(
  argv: string[],
  options: { cwd: string; stdin?: string },
): Promise<{ code: number; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, [BIN, ...argv], {
    cwd: options.cwd,
    env: { ...process.env, NO_COLOR: "1" },
  });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (c) => {
    stdout += c;
  });
  child.stderr.on("data", (c) => {
    stderr += c;
  });
  child.stdin.end(options.stdin ?? "");
  const [code] = (await once(child, "exit")) as [number];
  return { code, stdout, stderr };
}
