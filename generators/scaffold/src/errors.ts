/**
 * Stable error codes of `@metahook/scaffold`. A front end maps them: the CLI exits 2 with its
 * usage for `INVALID_OPTION`, 1 otherwise; create-metacontroller-hook re-asks or stops.
 */
export type ScaffoldErrorCode =
  /** A name, flag value or children entry breaks Kubernetes' rules; the message says which and how to fix it. */
  | "INVALID_OPTION"
  /** A CRD or controller manifest given as input cannot be used. */
  | "INVALID_INPUT"
  /** An input file does not exist. */
  | "INPUT_NOT_FOUND"
  /** What scaffolding produced fails its own validation: a metahook bug, reported instead of written. */
  | "GENERATION_FAILED"
  /** Writing refused (files in the way, a path outside the directory) or failed; nothing was written. */
  | "WRITE_FAILED";

/** The one error class of `@metahook/scaffold`: a stable `code`, a message naming what and where, an optional `cause`. */
export class ScaffoldError extends Error {
  override readonly name = "ScaffoldError";
  readonly code: ScaffoldErrorCode;

  constructor(code: ScaffoldErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
  }
}
