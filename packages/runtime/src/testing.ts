/**
 * Test helpers: run a controller in-process with the same checks the server
 * applies, and build the exact requests Metacontroller would send.
 *
 * @module
 */
import type {
  CompositeControllerDefinition,
  ControllerDefinition,
  DecoratorControllerDefinition,
  HookLogger,
} from "./define.js";
import { HookError } from "./errors.js";
import { type Endpoint, runHook } from "./invoke.js";
import { DEFAULT_HOOK_TIMEOUT_MS } from "./plugin.js";

export type { KindTable } from "./resources.js";

import type {
  CompositeHookRequest,
  CompositeHookResponse,
  CustomizeHookRequest,
  CustomizeHookResponse,
  DecoratorHookRequest,
  DecoratorHookResponse,
  HookName,
  Keying,
  KubeObject,
  ObjectTypes,
} from "./types.js";

/** Options of {@link invokeHook}. */
export interface InvokeOptions {
  /**
   * Which hook to call. Default: `customize` for a `{controller, parent}` request,
   * else `finalize` when `finalizing` is true and the controller has one, else `sync`.
   */
  hook?: HookName;
  /** Time budget; default 8000 ms as in the server. */
  timeoutMs?: number;
  /** Where the hook's `context.log` writes; default: nowhere. */
  log?: HookLogger;
  /**
   * Validate the desired children (or attachments) and the parent's status against their
   * schemas (kubernetes-models for built-in kinds, the definition's `models` for custom ones),
   * rejecting with `INVALID_RESPONSE` naming the object and JSON path. Default `true`: a value
   * only the API server would refuse (`replicas: "1"`) fails the test, not the cluster.
   */
  validate?: boolean;
}

const silent: HookLogger = { debug() {}, info() {}, warn() {}, error() {} };

/**
 * Runs a controller's hook in-process, through the same request checks, time
 * budget and response guards as the server. Resolves to the response exactly as
 * it would be sent (JSON round-tripped); rejects with a {@link HookError} whose
 * `code` says what the server would have answered instead of 200.
 *
 * @example
 * ```ts
 * import { buildCompositeRequest, invokeHook } from "@metahook/runtime/testing";
 * const response = await invokeHook(controller, buildCompositeRequest({ controller: manifest, parent }));
 * expect(response.children).toHaveLength(1);
 * ```
 */
export function invokeHook<
  P extends KubeObject,
  C extends ObjectTypes,
  R extends ObjectTypes,
  K extends Keying,
  D extends ObjectTypes,
>(
  definition: CompositeControllerDefinition<P, C, R, K, D>,
  request: CompositeHookRequest<P, C, R, K>,
  options?: InvokeOptions,
): Promise<CompositeHookResponse<P, D>>;
export function invokeHook<
  O extends KubeObject,
  A extends ObjectTypes,
  R extends ObjectTypes,
  K extends Keying,
  D extends ObjectTypes,
>(
  definition: DecoratorControllerDefinition<O, A, R, K, D>,
  request: DecoratorHookRequest<O, A, R, K>,
  options?: InvokeOptions,
): Promise<DecoratorHookResponse<O, D>>;
export function invokeHook(
  definition: ControllerDefinition,
  request: CustomizeHookRequest,
  options?: InvokeOptions,
): Promise<CustomizeHookResponse>;
export function invokeHook(
  definition: ControllerDefinition,
  request: unknown,
  options?: InvokeOptions,
): Promise<unknown>;
export async function invokeHook(
  definition: ControllerDefinition,
  request: unknown,
  options: InvokeOptions = {},
): Promise<unknown> {
  const hook = options.hook ?? inferHook(request);
  if (hook !== "sync" && !definition[hook]) {
    throw new HookError("NOT_FOUND", `this controller has no ${hook} hook`);
  }
  const endpoint: Endpoint = { type: "controller", definition, hook };
  const outcome = await runHook(endpoint, request, {
    controller: "test",
    log: options.log ?? silent,
    timeoutMs: options.timeoutMs ?? DEFAULT_HOOK_TIMEOUT_MS,
    validate: options.validate !== false,
  });
  if (outcome.error) throw outcome.error;
  return outcome.body === undefined ? undefined : JSON.parse(outcome.body);
}

function inferHook(request: unknown): HookName {
  const r = (typeof request === "object" && request !== null ? request : {}) as {
    [key: string]: unknown;
  };
  if (!("children" in r) && !("object" in r) && !("finalizing" in r)) return "customize";
  return r.finalizing === true ? "finalize" : "sync";
}

export {
  type ConvergeInput,
  type ConvergeResult,
  type ConvergeRound,
  converge,
  DECORATOR_ANNOTATION,
  jsonDiff,
  LAST_APPLIED_ANNOTATION,
  type Plan,
  type PlanAction,
  type PlannedChild,
  planAnswer,
  planChanges,
  type UpdateMethod,
} from "./converge.js";
export { type RecordedExchange, type ReplayResult, replayExchange } from "./replay.js";
export {
  buildCompositeRequest,
  buildCustomizeRequest,
  buildDecoratorRequest,
  type CompositeRequestInput,
  type DecoratorRequestInput,
  type ObservedInput,
} from "./requests.js";
