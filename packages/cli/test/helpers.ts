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
