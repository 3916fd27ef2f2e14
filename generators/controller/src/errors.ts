/** Stable error codes of `@metahook/gen-controller`. */
export type GenControllerErrorCode =
  /** The input has no CompositeController or DecoratorController, or more than one without a choice. */
  | "NO_CONTROLLER"
  /** The manifest does not satisfy Metacontroller's own CRD schema. */
  | "INVALID_MANIFEST"
  /** A rule's apiVersion + resource matches no built-in kind and no given CRD. */
  | "UNRESOLVED_RULE"
  /** A CRD or manifest file could not be read, parsed or written. */
  | "INVALID_INPUT";

/** The one error class of `@metahook/gen-controller`: a stable `code`, a message naming file and field. */
export class GenControllerError extends Error {
  override readonly name = "GenControllerError";
  readonly code: GenControllerErrorCode;

  constructor(code: GenControllerErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
  }
}
