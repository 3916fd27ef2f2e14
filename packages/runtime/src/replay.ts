// Recorded traffic as a regression test: every request a hook server answered, with what it
// answered, run again against the current code. `metahook dev --record <dir>` writes the
// exchanges; `metahook replay <dir>` and `replayExchange` here run them.
import { jsonDiff } from "./converge.js";
import type { ControllerDefinition } from "./define.js";
import { HookError } from "./errors.js";
import { type InvokeOptions, invokeHook } from "./testing.js";
import type { HookName } from "./types.js";

/** One request a hook server answered, as `metahook dev --record` writes it (one JSON file each). */
export interface RecordedExchange {
  /** The route's controller name (`/blogs/sync` → `blogs`). */
  readonly controller: string;
  readonly hook: HookName;
  /** The module that served it, relative to where the server ran. */
  readonly module?: string;
  readonly request: unknown;
  /** What was answered: the status, and the body (the response, or `{error: {code, message}}`). */
  readonly response: { readonly status: number; readonly body: unknown };
}

/** The outcome of replaying one exchange. */
export interface ReplayResult {
  readonly same: boolean;
  /** What is answered now. */
  readonly status: number;
  readonly body: unknown;
  /** Where the answers differ (JSON paths), or why they do (`status 200 → 500`). */
  readonly difference: readonly string[];
}

/**
 * Runs one recorded request against `definition` with the server's checks and compares the
 * answer with the recorded one: the same status, and for a 200 the same body.
 *
 * @example
 * ```ts
 * const result = await replayExchange(controller, JSON.parse(readFileSync("recorded/0001-blogs-sync.json", "utf8")));
 * expect(result.difference).toEqual([]);
 * ```
 */
export async function replayExchange(
  definition: ControllerDefinition,
  exchange: RecordedExchange,
  options: InvokeOptions = {},
): Promise<ReplayResult> {
  let status = 200;
  let body: unknown;
  try {
    body = await invokeHook(definition, exchange.request, { ...options, hook: exchange.hook });
  } catch (error) {
    if (!(error instanceof HookError)) throw error;
    status = error.statusCode;
    body = { error: { code: error.code, message: error.message } };
  }
  const recorded = exchange.response;
  if (status !== recorded.status) {
    const why = status === 200 ? "" : `: ${(body as { error: { message: string } }).error.message}`;
    return {
      same: false,
      status,
      body,
      difference: [`status ${recorded.status} → ${status}${why}`],
    };
  }
  // A refusal is the same refusal when the status agrees; its wording may improve.
  const difference = status === 200 ? jsonDiff(recorded.body, body) : [];
  return { same: difference.length === 0, status, body, difference };
}
