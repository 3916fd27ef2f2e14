/**
 * Stable error codes of the metahook CLI. Each maps to a process exit code:
 * `USAGE` → 2 (and the command's usage is printed), everything else → 1.
 */
export type CliErrorCode =
  | "USAGE"
  | "INPUT_NOT_FOUND"
  | "INVALID_INPUT"
  | "DRIFT"
  | "LOAD_FAILED"
  | "SERVE_FAILED"
  | "GENERATION_FAILED"
  /** The hook's answer would be refused by the server's checks (`metahook plan`). */
  | "HOOK_REFUSED"
  /** `metahook plan --converge`: the answer kept changing. */
  | "NOT_SETTLED"
  /** `metahook replay`: a recorded exchange is answered differently now. */
  | "REPLAY_DIFFERS";

/** The one error class of `@metahook/cli`: a stable `code`, a message for humans and an optional `cause`. */
export class CliError extends Error {
  override readonly name = "CliError";
  readonly code: CliErrorCode;

  constructor(code: CliErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
  }

  /** The process exit code for this error. */
  get exitCode(): number {
    return this.code === "USAGE" ? 2 : 1;
  }
}
