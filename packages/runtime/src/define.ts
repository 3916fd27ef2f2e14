import { HookError } from "./errors.js";
import type {
  CompositeHookRequest,
  CompositeHookResponse,
  CustomizeHookRequest,
  CustomizeHookResponse,
  DecoratorHookRequest,
  DecoratorHookResponse,
  HookName,
  HookVersion,
  Keying,
  KubeObject,
  ObjectTypes,
} from "./types.js";
import type { SchemaModels } from "./validate.js";

/** A value or a promise of it. */
export type Awaitable<T> = T | Promise<T>;

/** The logging methods a hook gets (a pino child logger in the server). */
export interface HookLogger {
  debug(obj: object, msg?: string): void;
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
}

/** What a hook gets besides the request. */
export interface HookContext {
  /** The name the controller is served under (`/<controller>/sync`). */
  readonly controller: string;
  /** Which hook is running. */
  readonly hook: HookName;
  /** The hook version declared in the request's controller (keying of observed objects). */
  readonly hookVersion: HookVersion;
  /** A logger bound to this call (controller, hook, parent). */
  readonly log: HookLogger;
  /** Aborted when the hook runs past its time budget; pass it to I/O you start. */
  readonly signal: AbortSignal;
}

/** Options shared by both controller kinds. */
export interface ControllerOptions<K extends string = string> {
  /**
   * Answer with an `ETag` (a hash of the response body) and `304 Not Modified` when
   * Metacontroller's `If-None-Match` equals it. Enable `webhook.etag` on the controller
   * too. Default `false`.
   */
  etag?: boolean;
  /**
   * Time budget of each hook call in milliseconds; past it the server answers 503 so
   * Metacontroller retries instead of timing out (its default timeout is 10 s).
   * Default: the server's `hookTimeoutMs` (8000).
   */
  timeoutMs?: number;
  /**
   * Group keys of custom kinds among the children/attachments that are cluster-scoped.
   * Built-in kinds are known; other kinds are taken as namespaced.
   */
  clusterScopedKinds?: readonly K[];
  /**
   * Schemas of custom kinds by group key, for validating desired children and the parent's
   * status (`models` in the module `metahook gen controller` writes). Built-in kinds are
   * validated against kubernetes-models' schemas without this. Validation runs in
   * `invokeHook` and `metahook run`/`dev` by default, and in `metahook serve` when asked.
   */
  models?: SchemaModels;
}

const BRAND: unique symbol = Symbol.for("metahook.controller");

/**
 * A CompositeController's hooks, typed over its parent `P`, children `C` and related
 * objects `R` (group key → object type), the keying `K` of observed objects, and the
 * desired children `D` (by default `C`; `gen controller` passes the input types of custom
 * kinds, whose defaulted fields may be left out). Made by {@link defineCompositeController}.
 */
export interface CompositeControllerDefinition<
  P extends KubeObject = KubeObject,
  C extends ObjectTypes = ObjectTypes,
  R extends ObjectTypes = ObjectTypes,
  K extends Keying = Keying,
  D extends ObjectTypes = C,
> extends ControllerOptions<Extract<keyof C | keyof R, string>> {
  readonly [BRAND]: "CompositeController";
  readonly kind: "CompositeController";
  /** Computes the parent's status and the complete desired set of children. */
  sync(
    request: CompositeHookRequest<P, C, R, K>,
    context: HookContext,
  ): Awaitable<CompositeHookResponse<P, D>>;
  /** Called instead of `sync` while the parent is being deleted (`finalizing: true`). */
  finalize?(
    request: CompositeHookRequest<P, C, R, K>,
    context: HookContext,
  ): Awaitable<CompositeHookResponse<P, D>>;
  /** Declares which related objects Metacontroller sends; a function of `parent.spec` only. */
  customize?(
    request: CustomizeHookRequest<P, K["parent"]>,
    context: HookContext,
  ): Awaitable<CustomizeHookResponse>;
}

/**
 * A DecoratorController's hooks, typed over the decorated object `O`, its attachments
 * `A` and related objects `R`, the keying `K` and the desired attachments `D`. Made by
 * {@link defineDecoratorController}.
 */
export interface DecoratorControllerDefinition<
  O extends KubeObject = KubeObject,
  A extends ObjectTypes = ObjectTypes,
  R extends ObjectTypes = ObjectTypes,
  K extends Keying = Keying,
  D extends ObjectTypes = A,
> extends ControllerOptions<Extract<keyof A | keyof R, string>> {
  readonly [BRAND]: "DecoratorController";
  readonly kind: "DecoratorController";
  sync(
    request: DecoratorHookRequest<O, A, R, K>,
    context: HookContext,
  ): Awaitable<DecoratorHookResponse<O, D>>;
  finalize?(
    request: DecoratorHookRequest<O, A, R, K>,
    context: HookContext,
  ): Awaitable<DecoratorHookResponse<O, D>>;
  customize?(
    request: CustomizeHookRequest<O, K["parent"]>,
    context: HookContext,
  ): Awaitable<CustomizeHookResponse>;
}

/** Either kind of controller definition. */
export type ControllerDefinition =
  // biome-ignore lint/suspicious/noExplicitAny: variance escape hatch so any typed definition is accepted where "some controller" is meant
  | CompositeControllerDefinition<any, any, any, any, any>
  // biome-ignore lint/suspicious/noExplicitAny: as above
  | DecoratorControllerDefinition<any, any, any, any, any>;

/**
 * A bare hook function, served at `/<name>` like kubecfg's httpd serves a Jsonnet
 * file: JSON in, JSON out. The guards still apply, chosen from the request's shape.
 */
export type HookFunction = (request: never, context: HookContext) => Awaitable<unknown>;

type Hooks<D> = Omit<D, typeof BRAND | "kind">;

function checkHooks(kind: string, hooks: { [key: string]: unknown }): void {
  if (typeof hooks !== "object" || hooks === null) {
    throw new HookError("INVALID_DEFINITION", `define${kind}: expected an object with a sync hook`);
  }
  if (typeof hooks.sync !== "function") {
    throw new HookError(
      "INVALID_DEFINITION",
      `define${kind}: "sync" must be a function, got ${typeof hooks.sync}`,
    );
  }
  for (const name of ["finalize", "customize"] as const) {
    if (hooks[name] !== undefined && typeof hooks[name] !== "function") {
      throw new HookError("INVALID_DEFINITION", `define${kind}: "${name}" must be a function`);
    }
  }
  const timeout = hooks.timeoutMs;
  if (timeout !== undefined && (typeof timeout !== "number" || !(timeout > 0))) {
    throw new HookError("INVALID_DEFINITION", `define${kind}: "timeoutMs" must be a number > 0`);
  }
}

/**
 * Defines a CompositeController's hooks. Serve the result as a module's default
 * export (`metahook serve blogs.ts` → `/blogs/sync`, `/blogs/finalize`, `/blogs/customize`).
 * The type arguments come from `metahook gen controller` (`<name>.generated.ts`); with its
 * `Keying`, looking an observed object up with the wrong kind of key does not compile.
 * Annotate each hook's return type (as below): TypeScript checks a returned object literal
 * for misspelled fields only against a declared return type.
 *
 * @example
 * ```ts
 * import { defineCompositeController, getObject } from "@metahook/runtime";
 * import type { Children, Keying, Parent, Related, SyncRequest, SyncResponse } from "./blog.generated.js";
 *
 * export default defineCompositeController<Parent, Children, Related, Keying>({
 *   sync({ parent, children }: SyncRequest): SyncResponse {
 *     const name = `${parent.metadata.name}-creds`;
 *     // Under hook v2 the key is "namespace/name"; getObject finds it under either keying.
 *     const existing = getObject(children["Secret.v1"], name, parent.metadata.namespace);
 *     return {
 *       status: { ready: existing !== undefined },
 *       children: [{ apiVersion: "v1", kind: "Secret", metadata: { name }, stringData: { user: "blog" } }],
 *     };
 *   },
 * });
 * ```
 */
export function defineCompositeController<
  P extends KubeObject = KubeObject,
  C extends ObjectTypes = ObjectTypes,
  R extends ObjectTypes = ObjectTypes,
  K extends Keying = Keying,
  D extends ObjectTypes = C,
>(
  hooks: Hooks<CompositeControllerDefinition<P, C, R, K, D>>,
): CompositeControllerDefinition<P, C, R, K, D> {
  checkHooks("CompositeController", hooks as unknown as { [key: string]: unknown });
  return Object.freeze({
    ...hooks,
    kind: "CompositeController" as const,
    [BRAND]: "CompositeController" as const,
  });
}

/**
 * Defines a DecoratorController's hooks (`object`/`attachments` requests, `labels`,
 * `annotations`, `status` and `attachments` responses).
 *
 * @example
 * ```ts
 * import { defineDecoratorController } from "@metahook/runtime";
 * import type { IPod } from "kubernetes-models/v1/Pod";
 *
 * export default defineDecoratorController<IPod>({
 *   sync: ({ object }) => ({ labels: { "pod-name": object.metadata.name } }),
 * });
 * ```
 */
export function defineDecoratorController<
  O extends KubeObject = KubeObject,
  A extends ObjectTypes = ObjectTypes,
  R extends ObjectTypes = ObjectTypes,
  K extends Keying = Keying,
  D extends ObjectTypes = A,
>(
  hooks: Hooks<DecoratorControllerDefinition<O, A, R, K, D>>,
): DecoratorControllerDefinition<O, A, R, K, D> {
  checkHooks("DecoratorController", hooks as unknown as { [key: string]: unknown });
  return Object.freeze({
    ...hooks,
    kind: "DecoratorController" as const,
    [BRAND]: "DecoratorController" as const,
  });
}

/**
 * Whether a value is a controller definition made by `defineCompositeController` or
 * `defineDecoratorController` (from any copy of this package).
 */
export function isControllerDefinition(value: unknown): value is ControllerDefinition {
  if (typeof value !== "object" || value === null) return false;
  const brand = (value as { [BRAND]?: unknown })[BRAND];
  return brand === "CompositeController" || brand === "DecoratorController";
}
