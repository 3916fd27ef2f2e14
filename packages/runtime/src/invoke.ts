import { createHash } from "node:crypto";
import type { ControllerDefinition, HookContext, HookFunction, HookLogger } from "./define.js";
import { HookError } from "./errors.js";
import {
  assertCompositeResponse,
  assertCustomizeResponse,
  assertDecoratorResponse,
  declaredHookVersion,
  type GuardOptions,
  parseCompositeRequest,
  parseCustomizeRequest,
  parseDecoratorRequest,
} from "./guards.js";
import type { HookName, KubeObject } from "./types.js";

/** A served endpoint: a controller definition's hook, or a bare function. */
export type Endpoint =
  | { type: "controller"; definition: ControllerDefinition; hook: HookName }
  | { type: "function"; handler: HookFunction };

/** How a call ended, as a metrics label. */
export type Outcome =
  | "ok"
  | "not_modified"
  | "invalid_request"
  | "invalid_response"
  | "error"
  | "timeout"
  | "retry_later";

/** The result of running one hook call, ready to be written as an HTTP response. */
export interface HookOutcome {
  statusCode: number;
  /** The serialized JSON body; `undefined` for 304. */
  body: string | undefined;
  headers: { [name: string]: string };
  outcome: Outcome;
  /** Which hook ran (after `finalizing` dispatch), when the request was understood. */
  hook: HookName | undefined;
  /** The error behind a non-2xx answer. */
  error: HookError | undefined;
  /** What the call concerned, for the access log line. */
  summary: CallSummary;
}

/** Loggable facts of one call: never object contents. */
export interface CallSummary {
  parent?: string;
  observed?: number;
  desired?: number;
}

/** Options of {@link runHook}. */
export interface RunHookOptions {
  controller: string;
  log: HookLogger;
  timeoutMs: number;
  ifNoneMatch?: string | undefined;
}

const KIND_OF_REQUEST = {
  composite: "CompositeController",
  decorator: "DecoratorController",
} as const;

type Handler = (request: never, context: HookContext) => unknown;

interface Plan {
  hook: HookName;
  handler: Handler;
  request: unknown;
  check: (result: unknown) => void;
  root: KubeObject;
  observed: number;
  hookVersion: "v1" | "v2";
  etag: boolean;
  timeoutMs: number | undefined;
}

function countObjects(groups: { [key: string]: { [key: string]: unknown } }): number {
  let n = 0;
  for (const group of Object.values(groups)) n += Object.keys(group).length;
  return n;
}

function detectKind(body: unknown): "composite" | "decorator" | "customize" {
  const b = (typeof body === "object" && body !== null ? body : {}) as { [key: string]: unknown };
  if ("object" in b) return "decorator";
  if ("children" in b || "finalizing" in b || "related" in b) return "composite";
  return "customize";
}

/** Works out which handler runs and how its result is checked; throws INVALID_REQUEST. */
function plan(endpoint: Endpoint, body: unknown): Plan {
  if (endpoint.type === "function") {
    const kind = detectKind(body);
    return planFor(kind, kind === "customize" ? "customize" : "sync", endpoint.handler, body, {});
  }
  const def = endpoint.definition;
  const kind = def.kind === KIND_OF_REQUEST.composite ? "composite" : "decorator";
  const options: GuardOptions = { clusterScopedKinds: def.clusterScopedKinds };
  if (endpoint.hook === "customize") {
    if (!def.customize) throw new HookError("NOT_FOUND", "this controller has no customize hook");
    return {
      ...planFor("customize", "customize", def.customize as Handler, body, options),
      ...opts(def),
    };
  }
  const parsed = planFor(kind, endpoint.hook, def.sync as Handler, body, options);
  const request = parsed.request as { finalizing: boolean };
  // Metacontroller calls the same URL with finalizing: true when sync and finalize
  // share a webhook (catset does); dispatch to finalize when there is one.
  const wantsFinalize = endpoint.hook === "finalize" || request.finalizing;
  const handler = wantsFinalize && def.finalize ? (def.finalize as Handler) : (def.sync as Handler);
  if (endpoint.hook === "finalize" && !def.finalize) {
    throw new HookError("NOT_FOUND", "this controller has no finalize hook");
  }
  return {
    ...parsed,
    hook: wantsFinalize && def.finalize ? "finalize" : "sync",
    handler,
    ...opts(def),
  };
}

function opts(def: ControllerDefinition): { etag: boolean; timeoutMs: number | undefined } {
  return { etag: def.etag === true, timeoutMs: def.timeoutMs };
}

function planFor(
  kind: "composite" | "decorator" | "customize",
  hook: HookName,
  handler: Handler,
  body: unknown,
  options: GuardOptions,
): Plan {
  const base = { hook, handler, etag: false, timeoutMs: undefined };
  if (kind === "customize") {
    const request = parseCustomizeRequest(body);
    return {
      ...base,
      request,
      root: request.parent,
      observed: 0,
      hookVersion: declaredHookVersion(request.controller, "customize"),
      check: (result) => assertCustomizeResponse(request, result),
    };
  }
  if (kind === "composite") {
    const request = parseCompositeRequest(body);
    return {
      ...base,
      request,
      root: request.parent,
      observed: countObjects(request.children),
      hookVersion: declaredHookVersion(
        request.controller,
        request.finalizing ? "finalize" : "sync",
      ),
      check: (result) => assertCompositeResponse(request, result, options),
    };
  }
  const request = parseDecoratorRequest(body);
  return {
    ...base,
    request,
    root: request.object,
    observed: countObjects(request.attachments),
    hookVersion: declaredHookVersion(request.controller, request.finalizing ? "finalize" : "sync"),
    check: (result) => assertDecoratorResponse(request, result, options),
  };
}

function describeRoot(root: KubeObject): string {
  const ns = root.metadata?.namespace;
  const name = root.metadata?.name ?? "";
  return ns ? `${ns}/${name}` : name;
}

async function withBudget<T>(
  run: (signal: AbortSignal) => Promise<T>,
  timeoutMs: number,
): Promise<T> {
  const controller = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      const error = new HookError(
        "HOOK_TIMEOUT",
        `the hook did not finish within its ${timeoutMs} ms budget; Metacontroller will retry. Raise timeoutMs (and the controller's webhook.timeout) if it needs longer`,
      );
      controller.abort(error);
      reject(error);
    }, timeoutMs);
    timer.unref?.();
  });
  try {
    return await Promise.race([run(controller.signal), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** An ETag over a response body: a strong validator, quoted as RFC 9110 asks. */
export function etagOf(body: string): string {
  return `"${createHash("sha256").update(body).digest("base64url")}"`;
}

function errorBody(error: HookError): string {
  return JSON.stringify({ error: { code: error.code, message: error.message } });
}

function failure(
  error: HookError,
  outcome: Outcome,
  hook: HookName | undefined,
  summary: CallSummary,
): HookOutcome {
  const headers: { [name: string]: string } = { "content-type": "application/json; charset=utf-8" };
  if (error.code === "RETRY_LATER") headers["retry-after"] = String(error.retryAfterSeconds ?? 0);
  return {
    statusCode: error.statusCode,
    body: errorBody(error),
    headers,
    outcome,
    hook,
    error,
    summary,
  };
}

function outcomeOf(error: HookError): Outcome {
  switch (error.code) {
    case "RETRY_LATER":
      return "retry_later";
    case "HOOK_TIMEOUT":
      return "timeout";
    case "INVALID_RESPONSE":
      return "invalid_response";
    case "INVALID_REQUEST":
    case "MALFORMED_REQUEST":
      return "invalid_request";
    default:
      return "error";
  }
}

/**
 * Runs one hook call end to end (request checks, the hook under its time budget,
 * response guards, serialization, ETag) without any HTTP. The server and
 * `invokeHook` both use it, so tests exercise exactly what is served.
 */
export async function runHook(
  endpoint: Endpoint,
  body: unknown,
  options: RunHookOptions,
): Promise<HookOutcome> {
  let current: Plan;
  try {
    current = plan(endpoint, body);
  } catch (error) {
    const e =
      error instanceof HookError
        ? error
        : new HookError("INVALID_REQUEST", String(error), { cause: error });
    return failure(e, outcomeOf(e), undefined, {});
  }
  const summary: CallSummary = { parent: describeRoot(current.root), observed: current.observed };
  const log = options.log;
  const timeoutMs = current.timeoutMs ?? options.timeoutMs;
  let serialized: string;
  try {
    const result = await withBudget(async (signal) => {
      const context: HookContext = {
        controller: options.controller,
        hook: current.hook,
        hookVersion: current.hookVersion,
        log,
        signal,
      };
      return await current.handler(current.request as never, context);
    }, timeoutMs);
    // Check what will actually go over the wire: toJSON (kubernetes-models classes),
    // dropped undefined and functions, and no cycles or BigInts.
    let text: string | undefined;
    try {
      text = JSON.stringify(result);
    } catch (cause) {
      throw new HookError(
        "INVALID_RESPONSE",
        `the ${current.hook} response cannot be serialized as JSON: ${(cause as Error).message}`,
        { cause },
      );
    }
    const wire: unknown = text === undefined ? undefined : JSON.parse(text);
    current.check(wire);
    serialized = text as string;
    summary.desired = desiredCount(wire);
  } catch (error) {
    const e =
      error instanceof HookError
        ? error
        : new HookError(
            "HOOK_FAILED",
            `the ${current.hook} hook threw: ${(error as Error)?.message ?? String(error)}`,
            {
              cause: error,
            },
          );
    return failure(e, outcomeOf(e), current.hook, summary);
  }
  const headers: { [name: string]: string } = { "content-type": "application/json; charset=utf-8" };
  if (current.etag) {
    const tag = etagOf(serialized);
    headers.etag = tag;
    if (options.ifNoneMatch !== undefined && options.ifNoneMatch === tag) {
      return {
        statusCode: 304,
        body: undefined,
        headers,
        outcome: "not_modified",
        hook: current.hook,
        error: undefined,
        summary,
      };
    }
  }
  return {
    statusCode: 200,
    body: serialized,
    headers,
    outcome: "ok",
    hook: current.hook,
    error: undefined,
    summary,
  };
}

function desiredCount(wire: unknown): number | undefined {
  if (typeof wire !== "object" || wire === null) return undefined;
  const w = wire as { children?: unknown; attachments?: unknown; relatedResources?: unknown };
  const list = w.children ?? w.attachments ?? w.relatedResources;
  return Array.isArray(list) ? list.length : 0;
}
