/**
 * Stable error codes of create-metacontroller-hook and their exit codes: `USAGE` and
 * `MISSING_OPTIONS` → 2 (usage or an example command is printed), `CANCELLED` → 130 (like
 * Ctrl-C in a shell), everything else → 1.
 */
export type CreateErrorCode =
  | "USAGE"
  | "MISSING_OPTIONS"
  | "TARGET_NOT_EMPTY"
  | "INVALID_INPUT"
  | "SOURCE_NOT_FOUND"
  | "INSTALL_FAILED"
  | "CANCELLED";

/** The one error class of create-metacontroller-hook: a stable `code` and a message for humans. */
export class CreateError extends Error {
  override readonly name = "CreateError";
  readonly code: CreateErrorCode;

  constructor(code: CreateErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
  }

  /** The process exit code for this error. */
  get exitCode(): number {
    if (this.code === "USAGE" || this.code === "MISSING_OPTIONS") return 2;
    if (this.code === "CANCELLED") return 130;
    return 1;
  }
}
