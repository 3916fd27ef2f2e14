/**
 * Stable codes of {@link CrdTypesError}. Callers (the CLI) map them to exit codes and
 * tests assert on them, so they never change meaning.
 */
export type CrdTypesErrorCode =
  | "INPUT_NOT_FOUND"
  | "EMPTY_INPUT"
  | "BINARY_INPUT"
  | "INVALID_YAML"
  | "YAML_TOO_LARGE"
  | "UNSUPPORTED_CRD_VERSION"
  | "INVALID_CRD"
  | "MISSING_SCHEMA"
  | "INVALID_SCHEMA"
  | "DUPLICATE_CRD"
  | "WRITE_FAILED";

/** Where in the input an error was found; every field is optional because not every error has all of them. */
export interface CrdTypesErrorLocation {
  /** The input file as the caller named it (`-` for stdin). */
  readonly file?: string;
  /** The CRD's `metadata.name`. */
  readonly crd?: string;
  /** The CRD version (`spec.versions[].name`). */
  readonly version?: string;
  /** 1-based line in the file. */
  readonly line?: number;
  /** 1-based column in the file. */
  readonly column?: number;
  /** Dotted path to the offending schema node or document field. */
  readonly path?: string;
}

/**
 * The one error class of `@metahook/crd-types`: a stable {@link CrdTypesErrorCode}, a message
 * that names the file, the CRD and the line/column or schema path, and the underlying `cause`.
 *
 * @example
 * ```ts
 * try {
 *   generateTypes(inputs);
 * } catch (error) {
 *   if (error instanceof CrdTypesError && error.code === "INVALID_YAML") console.error(error.message);
 * }
 * ```
 */
export class CrdTypesError extends Error {
  override readonly name = "CrdTypesError";
  /** Stable machine-readable code. */
  readonly code: CrdTypesErrorCode;
  /** Where the problem is. */
  readonly location: CrdTypesErrorLocation;

  constructor(
    code: CrdTypesErrorCode,
    detail: string,
    location: CrdTypesErrorLocation = {},
    options?: { cause?: unknown },
  ) {
    super(formatMessage(detail, location), options);
    this.code = code;
    this.location = location;
  }
}

function formatMessage(detail: string, loc: CrdTypesErrorLocation): string {
  let where = loc.file ?? "";
  if (loc.file !== undefined && loc.line !== undefined) {
    where += `:${loc.line}${loc.column !== undefined ? `:${loc.column}` : ""}`;
  }
  const subject: string[] = [];
  if (loc.crd !== undefined) subject.push(`CRD ${loc.crd}`);
  if (loc.version !== undefined) subject.push(`version ${loc.version}`);
  if (loc.path !== undefined) subject.push(`at ${loc.path}`);
  const prefix = [where, subject.join(" ")].filter((s) => s !== "").join(": ");
  return prefix === "" ? detail : `${prefix}: ${detail}`;
}
