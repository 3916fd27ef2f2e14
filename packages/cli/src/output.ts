/**
 * Where the CLI writes: results to stdout, diagnostics to stderr. Colour only when
 * stderr is a TTY and neither `NO_COLOR` nor `CI` is set.
 */
export interface Output {
  /** Writes a result line to stdout. */
  out(line: string): void;
  /** Writes a diagnostic line to stderr. */
  err(line: string): void;
  /** Whether stderr is an interactive terminal (progress lines are shown only then). */
  readonly isTTY: boolean;
  /** Wraps text in an ANSI style when colour is enabled. */
  style(kind: "red" | "yellow" | "green" | "dim" | "bold", text: string): string;
}

const CODES = { red: 31, yellow: 33, green: 32, dim: 2, bold: 1 } as const;

/** Creates the process-backed {@link Output}. */
export function processOutput(
  env: NodeJS.ProcessEnv = process.env,
  stdout: NodeJS.WriteStream = process.stdout,
  stderr: NodeJS.WriteStream = process.stderr,
): Output {
  const isTTY = Boolean(stderr.isTTY);
  const color = isTTY && !env.NO_COLOR && !env.CI && env.TERM !== "dumb";
  return {
    out: (line) => void stdout.write(`${line}\n`),
    err: (line) => void stderr.write(`${line}\n`),
    isTTY,
    style: (kind, text) => (color ? `\u001b[${CODES[kind]}m${text}\u001b[0m` : text),
  };
}
