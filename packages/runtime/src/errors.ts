/**
 * Stable error codes of `@metahook/runtime`, each with the HTTP status the hook
 * server answers with. Every status but 200 makes Metacontroller change nothing
 * and retry, which is the point: a hook never answers 200 with a response it did
 * not mean.
 */
export const HOOK_ERROR_STATUS = {
  /** The request body is not JSON, or is empty. */
  MALFORMED_REQUEST: 400,
  /** The request is JSON but not a hook request of the expected shape. */
  INVALID_REQUEST: 400,
  /** No hook is served at this path. */
  NOT_FOUND: 404,
  /** A hook call without the credentials the server requires (bearer, basic or client certificate). */
  UNAUTHORIZED: 401,
  /** A hook path was called with a method other than POST. */
  METHOD_NOT_ALLOWED: 405,
  /** The request body is larger than the configured limit. */
  PAYLOAD_TOO_LARGE: 413,
  /** The request's Content-Type is not `application/json`. */
  UNSUPPORTED_MEDIA_TYPE: 415,
  /** The hook asked Metacontroller to come back later (`Retry-After`). */
  RETRY_LATER: 429,
  /** The server already runs its maximum of concurrent hook calls (`Retry-After: 1`). */
  OVERLOADED: 429,
  /** The hook threw. */
  HOOK_FAILED: 500,
  /** The hook returned something that would not do what its author meant. */
  INVALID_RESPONSE: 500,
  /** The hook did not finish within its time budget. */
  HOOK_TIMEOUT: 503,
  /** The server is shutting down. */
  SHUTTING_DOWN: 503,
  /**
   * A controller definition or server option is wrong: thrown at start-up, or answered when only
   * the request shows it (a time budget not below the controller's `webhook.timeout`).
   */
  INVALID_DEFINITION: 500,
} as const;

/** A stable error code of `@metahook/runtime`. */
export type HookErrorCode = keyof typeof HOOK_ERROR_STATUS;

/** Options of {@link HookError}. */
export interface HookErrorOptions {
  cause?: unknown;
  /** For `RETRY_LATER`: seconds Metacontroller waits before calling again. */
  retryAfterSeconds?: number;
  /** Where the problem is, e.g. `children[3].metadata.name`. */
  path?: string;
}

/**
 * The one error class of `@metahook/runtime`. The server maps its `code` to an
 * HTTP status and answers `{ error: { code, message } }`.
 *
 * A hook may throw it itself; {@link retryLater} is the shortcut for back-pressure.
 */
export class HookError extends Error {
  override readonly name = "HookError";
  readonly code: HookErrorCode;
  readonly retryAfterSeconds: number | undefined;
  readonly path: string | undefined;

  constructor(code: HookErrorCode, message: string, options: HookErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.retryAfterSeconds = options.retryAfterSeconds;
    this.path = options.path;
  }

  /** The HTTP status the hook server answers for this error. */
  get statusCode(): number {
    return HOOK_ERROR_STATUS[this.code];
  }
}

/**
 * Back-pressure from a hook: Metacontroller gets `429` with `Retry-After` and calls
 * again after that many seconds, without recording a sync error on the parent.
 *
 * @example
 * ```ts
 * if (!(await quota.tryTake())) throw retryLater(30, "quota exhausted");
 * ```
 */
export function retryLater(seconds: number, reason = "hook asked to retry later"): HookError {
  if (!Number.isFinite(seconds) || seconds < 0) {
    throw new HookError(
      "INVALID_DEFINITION",
      `retryLater(seconds): expected a finite number >= 0, got ${String(seconds)}`,
    );
  }
  return new HookError("RETRY_LATER", reason, { retryAfterSeconds: Math.ceil(seconds) });
}
