import { createHash } from "node:crypto";
import type { ControllerDefinition, HookContext, HookFunction, HookLogger } from "./define.js";
import { HookError } from "./errors.js";
import {
  compositeResponseProblems,
  customizeResponseProblems,
  decoratorResponseProblems,
  type Problems,
  parseCompositeRequest,
  parseCustomizeRequest,
  parseDecoratorRequest,
} from "./guards.js";
import { type ControllerPlan, PlanCache } from "./plan.js";
import type {
  CompositeHookRequest,
  CustomizeHookRequest,
  DecoratorHookRequest,
  HookName,
  HookVersion,
  KubeObject,
} from "./types.js";
import { checkSchemas, type SchemaModels, schemaError } from "./validate.js";
import { isPlainRecord, isStringRecord, toWireAt, WireError, type WirePaths } from "./wire.js";

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
  headers: { readonly [name: string]: string };
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
  /** The hook's `context.log`; a function is called only if the hook uses its logger. */
  log: HookLogger | (() => HookLogger);
  timeoutMs: number;
  /**
   * Time already spent on the call before the hook runs (the server passes the time since the
   * request arrived: reading and parsing the body); the hook gets what is left of its budget.
   */
  elapsedMs?: number | undefined;
  ifNoneMatch?: string | undefined;
  /**
   * Validate desired children (or attachments) and the status against their schemas after the
   * guards (kubernetes-models for built-in kinds, the definition's `models` for custom ones).
   */
  validate?: boolean | undefined;
}

// --- the hook kinds, as data ------------------------------------------------------

/** One hook kind of the wire contract: how its request is read and its response checked. */
interface Contract<R> {
  /** Checks the body and returns the typed request; throws INVALID_REQUEST. */
  parse(body: unknown): R;
  /** The object the call is about (parent, or the decorated object). */
  root(request: R): KubeObject;
  /** How many observed objects the request carries (for the log line). */
  observed(request: R): number;
  /** Whether the request asks to finalize. */
  finalizing(request: R): boolean;
  /** The response-check stage: every problem of the wire form of a result. */
  check(wire: unknown, request: R, plan: ControllerPlan): Problems;
  /** The field of the response that holds the desired objects (for the log line). */
  desired: "children" | "attachments" | "relatedResources";
  /**
   * The parts of a response the guards read, converted to their wire form before the check;
   * the rest (specs, status fields) is converted by the one `JSON.stringify` that serializes it.
   */
  guarded: WirePaths;
}

const optionalString = (value: unknown) => value === undefined || typeof value === "string";

// Most desired objects are plain JSON where the guards look: then they need no walk at all.
function desiredObjectIsWire(item: unknown): boolean {
  if (!isPlainRecord(item) || !optionalString(item.apiVersion) || !optionalString(item.kind)) {
    return false;
  }
  const metadata = item.metadata;
  if (metadata === undefined) return true;
  return (
    isPlainRecord(metadata) &&
    optionalString(metadata.name) &&
    optionalString(metadata.namespace) &&
    (metadata.labels === undefined || isStringRecord(metadata.labels)) &&
    (metadata.annotations === undefined || isStringRecord(metadata.annotations))
  );
}

// A desired object's guarded parts, which the guards look up by name: apiVersion, kind and
// metadata's name, namespace, labels and annotations (maps the guards list, converted whole).
const DESIRED_OBJECT: WirePaths = {
  plain: desiredObjectIsWire,
  only: {
    apiVersion: "shallow",
    kind: "shallow",
    metadata: {
      only: { name: "shallow", namespace: "shallow", labels: "full", annotations: "full" },
    },
  },
};

type Kind = "composite" | "decorator" | "customize";

function countObjects(groups: { [key: string]: { [key: string]: unknown } }): number {
  let n = 0;
  for (const key in groups) {
    const group = groups[key];
    for (const _ in group) n++;
  }
  return n;
}

const CONTRACTS: { [K in Kind]: Contract<never> } = {
  composite: {
    parse: parseCompositeRequest,
    root: (r: CompositeHookRequest) => r.parent,
    observed: (r: CompositeHookRequest) => countObjects(r.children),
    finalizing: (r: CompositeHookRequest) => r.finalizing,
    check: (wire, r: CompositeHookRequest, plan) => compositeResponseProblems(r, wire, plan),
    desired: "children",
    guarded: { fields: { children: { items: DESIRED_OBJECT } } },
  } satisfies Contract<CompositeHookRequest>,
  decorator: {
    parse: parseDecoratorRequest,
    root: (r: DecoratorHookRequest) => r.object,
    observed: (r: DecoratorHookRequest) => countObjects(r.attachments),
    finalizing: (r: DecoratorHookRequest) => r.finalizing,
    check: (wire, r: DecoratorHookRequest, plan) => decoratorResponseProblems(r, wire, plan),
    desired: "attachments",
    guarded: {
      fields: { labels: "full", annotations: "full", attachments: { items: DESIRED_OBJECT } },
    },
  } satisfies Contract<DecoratorHookRequest>,
  customize: {
    parse: parseCustomizeRequest,
    root: (r: CustomizeHookRequest) => r.parent,
    observed: () => 0,
    finalizing: () => false,
    check: (wire, r: CustomizeHookRequest, plan) => customizeResponseProblems(r, wire, plan),
    desired: "relatedResources",
    // Rules are read field by field, and a customize call is rare: all of it.
    guarded: "full",
  } satisfies Contract<CustomizeHookRequest>,
} as never;

function detectKind(body: unknown): Kind {
  const b = (typeof body === "object" && body !== null ? body : {}) as { [key: string]: unknown };
  if ("object" in b) return "decorator";
  if ("children" in b || "finalizing" in b || "related" in b) return "composite";
  return "customize";
}

// --- stage 1: which handler, which contract, which plan ---------------------------

type Handler = (request: never, context: HookContext) => unknown;

/** Everything about one call that is known before the hook runs. */
interface Call {
  kind: Kind;
  contract: Contract<never>;
  request: never;
  hook: HookName;
  handler: Handler;
  plan: ControllerPlan;
  etag: boolean;
  timeoutMs: number | undefined;
  /** Schemas of custom kinds, for the optional validation stage. */
  models: SchemaModels | undefined;
}

// One plan cache per served definition (or bare function), so clusterScopedKinds and
// the controller fingerprint together decide a plan.
const planCaches = new WeakMap<object, PlanCache>();

function plansOf(owner: ControllerDefinition | HookFunction): PlanCache {
  let cache = planCaches.get(owner);
  if (cache === undefined) {
    const clusterScopedKinds = typeof owner === "function" ? undefined : owner.clusterScopedKinds;
    cache = new PlanCache({ clusterScopedKinds });
    planCaches.set(owner, cache);
  }
  return cache;
}

/** Parses the request and works out what runs; throws INVALID_REQUEST or NOT_FOUND. */
function prepare(endpoint: Endpoint, body: unknown): Call {
  if (endpoint.type === "function") {
    const kind = detectKind(body);
    const contract = CONTRACTS[kind];
    const request = contract.parse(body);
    return {
      kind,
      contract,
      request,
      hook: kind === "customize" ? "customize" : "sync",
      handler: endpoint.handler as Handler,
      plan: plansOf(endpoint.handler).get((request as { controller: unknown }).controller),
      etag: false,
      timeoutMs: undefined,
      models: undefined,
    };
  }
  const def = endpoint.definition;
  const kind: Kind =
    endpoint.hook === "customize"
      ? "customize"
      : def.kind === "CompositeController"
        ? "composite"
        : "decorator";
  if (endpoint.hook === "customize" && !def.customize) {
    throw new HookError("NOT_FOUND", "this controller has no customize hook");
  }
  const contract = CONTRACTS[kind];
  const request = contract.parse(body);
  if (endpoint.hook === "finalize" && !def.finalize) {
    throw new HookError("NOT_FOUND", "this controller has no finalize hook");
  }
  // Metacontroller calls the same URL with finalizing: true when sync and finalize
  // share a webhook (catset does); dispatch to finalize when there is one.
  const finalize =
    kind !== "customize" &&
    (endpoint.hook === "finalize" || contract.finalizing(request)) &&
    def.finalize !== undefined;
  const hook: HookName = kind === "customize" ? "customize" : finalize ? "finalize" : "sync";
  const handler = (
    kind === "customize" ? def.customize : finalize ? def.finalize : def.sync
  ) as Handler;
  return {
    kind,
    contract,
    request,
    hook,
    handler,
    plan: plansOf(def).get((request as { controller: unknown }).controller),
    etag: def.etag === true,
    timeoutMs: def.timeoutMs,
    models: def.models,
  };
}

function describeRoot(root: KubeObject): string {
  const ns = root.metadata?.namespace;
  const name = root.metadata?.name ?? "";
  return ns ? `${ns}/${name}` : name;
}

// --- stage 2: the hook, under its budget -----------------------------------------

function timeoutError(timeoutMs: number): HookError {
  return new HookError(
    "HOOK_TIMEOUT",
    `the hook did not finish within its ${timeoutMs} ms budget (counted from the request's arrival); Metacontroller will retry. Raise timeoutMs (and the controller's webhook.timeout above it) if it needs longer`,
  );
}

// A budget that does not end before Metacontroller's timeout is a budget the server never gets
// to answer within: Metacontroller has given up and logged a timeout instead of our 503.
function budgetError(hook: HookName, budgetMs: number, webhookMs: number): HookError {
  return new HookError(
    "INVALID_DEFINITION",
    `the ${hook} hook's time budget (${budgetMs} ms, from the controller's timeoutMs or the server's hookTimeoutMs / --timeout) is not below the controller's webhook.timeout (${webhookMs} ms; Metacontroller's default is 10s): Metacontroller would give up before the server could answer. Lower the budget below ${webhookMs} ms or raise webhook.timeout in the controller manifest`,
  );
}

/**
 * The context a hook gets. Its `signal` and `log` are made on first use: most hooks
 * never touch them, and a call should not pay for an AbortController it does not need.
 */
class CallContext implements HookContext {
  readonly controller: string;
  readonly hook: HookName;
  readonly hookVersion: HookVersion;
  #log: HookLogger | (() => HookLogger);
  #abort: AbortController | undefined;
  #reason: HookError | undefined;

  constructor(
    controller: string,
    hook: HookName,
    hookVersion: HookVersion,
    log: HookLogger | (() => HookLogger),
  ) {
    this.controller = controller;
    this.hook = hook;
    this.hookVersion = hookVersion;
    this.#log = log;
  }

  get log(): HookLogger {
    if (typeof this.#log === "function") this.#log = this.#log();
    return this.#log;
  }

  get signal(): AbortSignal {
    if (this.#abort === undefined) {
      this.#abort = new AbortController();
      if (this.#reason) this.#abort.abort(this.#reason);
    }
    return this.#abort.signal;
  }

  /** Aborts the signal (now, or when first asked for) with the timeout error. */
  expire(reason: HookError): void {
    this.#reason = reason;
    this.#abort?.abort(reason);
  }
}

// The timer exists only while an asynchronous hook is pending: a synchronous hook
// cannot be interrupted anyway, so it gets none.
function underBudget(
  pending: PromiseLike<unknown>,
  remainingMs: number,
  budgetMs: number,
  context: CallContext,
): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      const error = timeoutError(budgetMs);
      context.expire(error);
      reject(error);
    }, remainingMs);
    timer.unref?.();
    pending.then(
      (value) => {
        clearTimeout(timer);
        resolve(value);
      },
      (error: unknown) => {
        clearTimeout(timer);
        reject(error);
      },
    );
  });
}

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return (
    typeof value === "object" &&
    value !== null &&
    typeof (value as { then?: unknown }).then === "function"
  );
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

// --- stages 3 and 4: check the wire form once, serialize it once -----------------

/**
 * The response-check stage: what the result becomes on the wire, and every problem
 * of it against the request. Throws the INVALID_RESPONSE the server answers with.
 */
function checkResponse(call: Call, result: unknown, paths: WirePaths): unknown {
  let wire: unknown;
  try {
    wire = toWireAt(result, paths);
  } catch (cause) {
    if (!(cause instanceof WireError)) throw cause;
    throw unserializable(call, cause);
  }
  const problems = call.contract.check(wire, call.request, call.plan);
  if (!problems.empty) {
    throw problems.toError("INVALID_RESPONSE", `refused the ${call.hook} response`);
  }
  return wire;
}

function unserializable(call: Call, cause: Error): HookError {
  return new HookError(
    "INVALID_RESPONSE",
    `the ${call.hook} response cannot be serialized as JSON: ${cause.message}`,
    { cause },
  );
}

const JSON_HEADERS: { readonly [name: string]: string } = Object.freeze({
  "content-type": "application/json; charset=utf-8",
});

function hookFailure(call: Call, summary: CallSummary, error: unknown): HookOutcome {
  const e =
    error instanceof HookError
      ? error
      : new HookError(
          "HOOK_FAILED",
          `the ${call.hook} hook threw: ${(error as Error)?.message ?? String(error)}`,
          { cause: error },
        );
  return failure(e, outcomeOf(e), call.hook, summary);
}

/**
 * Stage 3 (and the optional schema stage): check the result's wire form, and when asked
 * validate its objects against their schemas; then complete. Without validation a synchronous
 * hook stays synchronous.
 */
function finish(
  call: Call,
  summary: CallSummary,
  result: unknown,
  options: RunHookOptions,
): HookOutcome | Promise<HookOutcome> {
  const validate = options.validate === true && call.kind !== "customize";
  let wire: unknown;
  try {
    // Schema validation reads every field, so it needs all of the wire form.
    wire = checkResponse(call, result, validate ? "full" : call.contract.guarded);
  } catch (error) {
    return hookFailure(call, summary, error);
  }
  if (!validate) {
    return complete(call, summary, wire, options);
  }
  const answer = wire as { [field: string]: unknown };
  const desired = answer[call.contract.desired];
  const request = call.request as { parent?: KubeObject; object?: KubeObject };
  return checkSchemas({
    desired: Array.isArray(desired) ? desired : [],
    desiredField: call.contract.desired === "attachments" ? "attachments" : "children",
    parent: call.kind === "composite" ? request.parent : request.object,
    status: answer.status,
    models: call.models,
  }).then(
    (problems) =>
      problems.length > 0
        ? hookFailure(call, summary, schemaError(problems))
        : complete(call, summary, wire, options),
    (error: unknown) => hookFailure(call, summary, error),
  );
}

/** Stages 4 and 5: serialize the checked wire form once, tag it. */
function complete(
  call: Call,
  summary: CallSummary,
  wire: unknown,
  options: RunHookOptions,
): HookOutcome {
  let serialized: string;
  try {
    // Beyond the guarded paths the result is as the hook returned it: a cycle or a BigInt
    // deep in a spec surfaces here, as the same INVALID_RESPONSE.
    serialized = JSON.stringify(wire);
  } catch (error) {
    return hookFailure(call, summary, unserializable(call, error as Error));
  }
  const list = (wire as { [field: string]: unknown })[call.contract.desired];
  summary.desired = Array.isArray(list) ? list.length : 0;
  let headers = JSON_HEADERS;
  if (call.etag) {
    const tag = etagOf(serialized);
    headers = { ...JSON_HEADERS, etag: tag };
    if (options.ifNoneMatch !== undefined && options.ifNoneMatch === tag) {
      return {
        statusCode: 304,
        body: undefined,
        headers,
        outcome: "not_modified",
        hook: call.hook,
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
    hook: call.hook,
    error: undefined,
    summary,
  };
}

/**
 * Runs one hook call end to end (request checks, the hook under its time budget,
 * response guards, serialization, ETag) without any HTTP. The server and
 * `invokeHook` both use it, so tests exercise exactly what is served.
 *
 * A synchronous hook is answered synchronously: only a hook that returns a promise
 * makes the call asynchronous (and gets a timer).
 */
export function runHook(
  endpoint: Endpoint,
  body: unknown,
  options: RunHookOptions,
): HookOutcome | Promise<HookOutcome> {
  let call: Call;
  try {
    call = prepare(endpoint, body);
  } catch (error) {
    const e =
      error instanceof HookError
        ? error
        : new HookError("INVALID_REQUEST", String(error), { cause: error });
    return failure(e, outcomeOf(e), undefined, {});
  }
  const summary: CallSummary = {
    parent: describeRoot(call.contract.root(call.request)),
    observed: call.contract.observed(call.request),
  };
  const versionOf =
    call.kind === "customize"
      ? "customize"
      : call.contract.finalizing(call.request)
        ? "finalize"
        : "sync";
  const context = new CallContext(
    options.controller,
    call.hook,
    call.plan.hookVersion[versionOf],
    options.log,
  );
  const budget = call.timeoutMs ?? options.timeoutMs;
  const webhookMs = call.plan.webhookTimeoutMs[versionOf];
  if (budget >= webhookMs)
    return hookFailure(call, summary, budgetError(call.hook, budget, webhookMs));
  const remaining = budget - (options.elapsedMs ?? 0);
  if (remaining <= 0) return hookFailure(call, summary, timeoutError(budget));
  let result: unknown;
  try {
    result = call.handler(call.request, context);
  } catch (error) {
    return hookFailure(call, summary, error);
  }
  if (!isThenable(result)) return finish(call, summary, result, options);
  return underBudget(result, remaining, budget, context).then(
    (value) => finish(call, summary, value, options),
    (error: unknown) => hookFailure(call, summary, error),
  );
}
