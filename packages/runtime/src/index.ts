/**
 * `@metahook/runtime`: typed Metacontroller hooks served on fastify.
 *
 * @example
 * ```ts
 * import { createHookServer, defineCompositeController } from "@metahook/runtime";
 *
 * const configmaps = defineCompositeController({
 *   sync: ({ parent }) => ({ status: {}, children: [] }),
 * });
 * await createHookServer({ controllers: { configmaps } }).listen({ port: 8080 });
 * ```
 *
 * @packageDocumentation
 */
export {
  type Awaitable,
  type CompositeControllerDefinition,
  type ControllerDefinition,
  type ControllerOptions,
  type DecoratorControllerDefinition,
  defineCompositeController,
  defineDecoratorController,
  type HookContext,
  type HookFunction,
  type HookLogger,
  isControllerDefinition,
} from "./define.js";
export {
  HOOK_ERROR_STATUS,
  HookError,
  type HookErrorCode,
  type HookErrorOptions,
  retryLater,
} from "./errors.js";
export {
  assertCompositeResponse,
  assertCustomizeResponse,
  assertDecoratorResponse,
  type GuardOptions,
  parseCompositeRequest,
  parseCustomizeRequest,
  parseDecoratorRequest,
} from "./guards.js";
export { etagOf } from "./invoke.js";
export {
  apiGroup,
  getObject,
  groupKey,
  listObjects,
  type ObjectKeyOptions,
  objectKey,
  type ParsedGroupKey,
  parseGroupKey,
} from "./keys.js";
export {
  type Controllers,
  DEFAULT_BODY_LIMIT,
  DEFAULT_HOOK_TIMEOUT_MS,
  DEFAULT_MAX_IN_FLIGHT,
  type HookRoute,
  type MetahookPluginOptions,
  metahookPlugin,
  type PluginLogger,
} from "./plugin.js";
export { redactSecrets } from "./redact.js";
export type { RecordedExchange } from "./replay.js";
export {
  BUILTIN_RESOURCES,
  builtinResource,
  builtinResourceOfKind,
  type CustomResourceSource,
  type KindTable,
  pluralOf,
  type Resolution,
  type ResolvedResource,
  type ResolveSources,
  type ResourceInfo,
  type ResourceRule,
  resolveResource,
} from "./resources.js";
export { type AuthRefusal, DEFAULT_RELOAD_INTERVAL_MS, type HookAuthOptions } from "./security.js";
export { isEmptySelector, matchesSelector } from "./selector.js";
export {
  bufferedDestination,
  createHookServer,
  type HookServer,
  type HookServerOptions,
  type HookServerTlsOptions,
  isoTimeCached,
  LOG_FLUSH_MS,
} from "./server.js";
export type {
  AttachmentRule,
  ChildResourceRule,
  CompositeController,
  CompositeHookRequest,
  CompositeHookResponse,
  CustomizeHookRequest,
  CustomizeHookResponse,
  DecoratorController,
  DecoratorHookRequest,
  DecoratorHookResponse,
  DecoratorResourceRule,
  Desired,
  DesiredObject,
  Hook,
  HookName,
  HookVersion,
  InnerKey,
  Keying,
  KubeObject,
  LabelSelector,
  LabelSelectorRequirement,
  ObjectMeta,
  ObjectTypes,
  Observed,
  ObservedObjects,
  QualifiedKey,
  RelatedResourceRule,
  Scope,
  ScopeOf,
  StatusOf,
  Webhook,
} from "./types.js";
export {
  checkSchemas,
  type SchemaCheckInput,
  type SchemaModel,
  type SchemaModels,
  type SchemaProblem,
  schemaError,
} from "./validate.js";
