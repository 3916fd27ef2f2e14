import Fastify, {
  type FastifyBaseLogger,
  type FastifyError,
  type FastifyInstance,
  type FastifyReply,
  type FastifyRequest,
  LogController,
} from "fastify";
import { type Logger, type LoggerOptions, pino } from "pino";
import { type ControllerDefinition, type HookFunction, isControllerDefinition } from "./define.js";
import { HookError } from "./errors.js";
import { type Endpoint, type HookOutcome, runHook } from "./invoke.js";
import { createMetrics, type HookMetrics } from "./metrics.js";
import { redactSecrets } from "./redact.js";
import type { HookName } from "./types.js";

/** Default time budget of a hook call: well inside Metacontroller's 10 s default timeout. */
export const DEFAULT_HOOK_TIMEOUT_MS = 8_000;
/** Default request body limit: room for a parent with 5,000 sizeable children. */
export const DEFAULT_BODY_LIMIT = 64 * 1024 * 1024;

/** Options of {@link createHookServer}. */
export interface HookServerOptions {
  /**
   * What to serve, by name: a controller definition `blogs` is served at
   * `/blogs/sync` (and `/blogs/finalize`, `/blogs/customize` when defined); a bare
   * function `fn` at `/fn`.
   */
  controllers: { readonly [name: string]: ControllerDefinition | HookFunction };
  /**
   * A pino logger, pino options, or `false` for silence. Default: JSON lines on
   * stdout at `LOG_LEVEL` (default `info`).
   */
  logger?: Logger | LoggerOptions | false;
  /** Time budget of each hook call unless its controller sets `timeoutMs`. Default 8000. */
  hookTimeoutMs?: number;
  /** Largest accepted request body in bytes. Default 64 MiB. */
  bodyLimit?: number;
  /**
   * How long `close()` keeps serving after `/readyz` turns 503, so that endpoints
   * can drain before the listener closes. Default 0 (the Deployment's preStop pause
   * usually covers it).
   */
  shutdownDelayMs?: number;
}

/** One route the server serves. */
export interface HookRoute {
  method: "POST";
  path: string;
  controller: string;
  /** The hook, or `"function"` for a bare function. */
  hook: HookName | "function";
}

/** A running (or ready to run) hook server. */
export interface HookServer {
  /** The underlying fastify instance (for `inject` in tests, or extra routes before listening). */
  readonly app: FastifyInstance;
  /** Every hook route, in a stable order. */
  readonly routes: readonly HookRoute[];
  /** The pino logger the server writes to. */
  readonly log: Logger;
  /** Starts listening; resolves to the address (`http://host:port`). */
  listen(options?: { port?: number; host?: string }): Promise<string>;
  /**
   * Graceful shutdown: `/readyz` answers 503, in-flight calls finish, then the
   * listener closes. Safe to call more than once.
   */
  close(): Promise<void>;
  /**
   * Calls `close()` on SIGTERM and SIGINT, then `onClosed` (default: exit 0).
   * Returns a function that removes the handlers.
   */
  closeOnSignals(onClosed?: () => void): () => void;
}

const NAME = /^[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/;
const OTHER_METHODS = ["GET", "HEAD", "PUT", "DELETE", "PATCH", "OPTIONS"] as const;

interface RouteConfig {
  controller: string;
  hook: HookName | "function";
}

function makeLogger(option: HookServerOptions["logger"]): Logger {
  if (option === false) return pino({ level: "silent" });
  if (option && typeof (option as Logger).child === "function") return option as Logger;
  return pino({
    level: process.env.LOG_LEVEL ?? "info",
    base: undefined,
    timestamp: pino.stdTimeFunctions.isoTime,
    ...(option as LoggerOptions | undefined),
  });
}

function planRoutes(
  controllers: HookServerOptions["controllers"],
): { route: HookRoute; endpoint: Endpoint }[] {
  const out: { route: HookRoute; endpoint: Endpoint }[] = [];
  for (const name of Object.keys(controllers).sort()) {
    const value = controllers[name];
    if (!NAME.test(name)) {
      throw new HookError(
        "INVALID_DEFINITION",
        `controller name "${name}" cannot be a URL path segment; use letters, digits, '-', '_' or '.'`,
      );
    }
    if (isControllerDefinition(value)) {
      const hooks: HookName[] = ["sync"];
      if (value.finalize) hooks.push("finalize");
      if (value.customize) hooks.push("customize");
      for (const hook of hooks) {
        out.push({
          route: { method: "POST", path: `/${name}/${hook}`, controller: name, hook },
          endpoint: { type: "controller", definition: value, hook },
        });
      }
    } else if (typeof value === "function") {
      out.push({
        route: { method: "POST", path: `/${name}`, controller: name, hook: "function" },
        endpoint: { type: "function", handler: value },
      });
    } else {
      throw new HookError(
        "INVALID_DEFINITION",
        `"${name}" is neither a controller definition (defineCompositeController/defineDecoratorController) nor a function`,
      );
    }
  }
  const seen = new Set<string>();
  for (const { route } of out) {
    if (seen.has(route.path)) {
      throw new HookError("INVALID_DEFINITION", `two hooks would be served at ${route.path}`);
    }
    seen.add(route.path);
  }
  return out;
}

function errorPayload(code: string, message: string): string {
  return JSON.stringify({ error: { code, message } });
}

/** Maps fastify's own errors (body parsing, limits, media type) to hook error codes. */
function toHookError(error: FastifyError | HookError | Error): HookError {
  if (error instanceof HookError) return error;
  const code = (error as FastifyError).code;
  switch (code) {
    case "FST_ERR_CTP_BODY_TOO_LARGE":
      return new HookError(
        "PAYLOAD_TOO_LARGE",
        `${error.message}; raise the server's bodyLimit if this parent is legitimately that large`,
      );
    case "FST_ERR_CTP_INVALID_MEDIA_TYPE":
      return new HookError(
        "UNSUPPORTED_MEDIA_TYPE",
        "hook requests must have Content-Type: application/json",
      );
    case "FST_ERR_CTP_EMPTY_JSON_BODY":
      return new HookError(
        "MALFORMED_REQUEST",
        "the request body is empty; a hook request is a JSON object",
      );
    case "FST_ERR_CTP_INVALID_CONTENT_LENGTH":
      return new HookError("MALFORMED_REQUEST", error.message);
    default:
      return new HookError("HOOK_FAILED", "internal error while handling the request", {
        cause: error,
      });
  }
}

/**
 * Creates a fastify server that serves typed Metacontroller hooks, with health,
 * readiness and Prometheus endpoints, structured logs and graceful shutdown.
 *
 * @example
 * ```ts
 * import { createHookServer } from "@metahook/runtime";
 * import blogs from "./blogs.js";
 *
 * const server = createHookServer({ controllers: { blogs } });
 * server.closeOnSignals();
 * await server.listen({ port: 8080, host: "0.0.0.0" });
 * ```
 */
export function createHookServer(options: HookServerOptions): HookServer {
  const planned = planRoutes(options.controllers);
  const log = makeLogger(options.logger);
  const hookTimeoutMs = options.hookTimeoutMs ?? DEFAULT_HOOK_TIMEOUT_MS;
  const bodyLimit = options.bodyLimit ?? DEFAULT_BODY_LIMIT;
  const metrics: HookMetrics = createMetrics();
  let closing: Promise<void> | undefined;
  let ready = true;

  const app: FastifyInstance = Fastify({
    loggerInstance: log as FastifyBaseLogger,
    // One line per hook call is written by the route itself, with hook fields.
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit,
    return503OnClosing: true,
    forceCloseConnections: "idle",
  });

  app.removeAllContentTypeParsers();
  app.addContentTypeParser(
    "application/json",
    { parseAs: "string", bodyLimit },
    (_req, text, done) => {
      const body = text as string;
      if (body.trim() === "") {
        done(
          new HookError(
            "MALFORMED_REQUEST",
            "the request body is empty; a hook request is a JSON object",
          ),
          undefined,
        );
        return;
      }
      try {
        done(null, JSON.parse(body));
      } catch (error) {
        done(
          new HookError(
            "MALFORMED_REQUEST",
            `the request body is not valid JSON: ${(error as Error).message}`,
          ),
          undefined,
        );
      }
    },
  );

  function record(
    config: RouteConfig | undefined,
    outcome: string,
    statusCode: number,
    seconds: number,
  ) {
    if (!config) return;
    metrics.observe(config.controller, config.hook, outcome, statusCode, seconds);
  }

  app.setErrorHandler((error: FastifyError, request: FastifyRequest, reply: FastifyReply) => {
    const hookError = toHookError(error);
    const config = request.routeOptions.config as Partial<RouteConfig> | undefined;
    const route = config?.controller ? (config as RouteConfig) : undefined;
    record(
      route,
      hookError.code === "HOOK_FAILED" ? "error" : "invalid_request",
      hookError.statusCode,
      0,
    );
    const fields = {
      controller: route?.controller,
      hook: route?.hook,
      statusCode: hookError.statusCode,
      code: hookError.code,
      path: request.url,
    };
    if (hookError.statusCode >= 500)
      log.error({ ...fields, err: hookError.cause ?? hookError }, hookError.message);
    else log.warn(fields, hookError.message);
    void reply
      .code(hookError.statusCode)
      .type("application/json; charset=utf-8")
      .send(errorPayload(hookError.code, hookError.message));
  });

  app.setNotFoundHandler((request, reply) => {
    const served = planned.map((p) => p.route.path).join(", ") || "none";
    void reply
      .code(404)
      .type("application/json; charset=utf-8")
      .send(
        errorPayload(
          "NOT_FOUND",
          `no hook at ${request.method} ${request.url.split("?")[0]}; served hooks: ${served}`,
        ),
      );
  });

  app.get("/healthz", async (_req, reply) =>
    reply.type("application/json").send('{"status":"ok"}'),
  );
  app.get("/readyz", async (_req, reply) =>
    ready
      ? reply.type("application/json").send('{"status":"ready"}')
      : reply.code(503).type("application/json").send('{"status":"shutting down"}'),
  );
  app.get("/metrics", async (_req, reply) =>
    reply.type(metrics.contentType).send(await metrics.render()),
  );

  for (const { route, endpoint } of planned) {
    const config: RouteConfig = { controller: route.controller, hook: route.hook };
    app.route({
      method: "POST",
      url: route.path,
      config,
      handler: async (request, reply) => {
        const started = process.hrtime.bigint();
        const callLog = log.child({ controller: route.controller, hook: route.hook });
        const result: HookOutcome =
          request.body === undefined
            ? failureForEmpty()
            : await runHook(endpoint, request.body, {
                controller: route.controller,
                log: callLog,
                timeoutMs: hookTimeoutMs,
                ifNoneMatch: request.headers["if-none-match"],
              });
        const seconds = Number(process.hrtime.bigint() - started) / 1e9;
        const hook = result.hook ?? (route.hook === "function" ? "function" : route.hook);
        metrics.observe(route.controller, hook, result.outcome, result.statusCode, seconds);
        const line = {
          controller: route.controller,
          hook,
          parent: result.summary.parent,
          observed: result.summary.observed,
          desired: result.summary.desired,
          statusCode: result.statusCode,
          outcome: result.outcome,
          durationMs: Math.round(seconds * 1e6) / 1e3,
          ...(result.error ? { code: result.error.code } : {}),
        };
        if (result.statusCode >= 500) {
          // The stack goes to the log only; the response carries the message.
          log.error(
            { ...line, err: result.error?.cause ?? result.error },
            result.error?.message ?? "hook failed",
          );
        } else if (result.statusCode >= 400) {
          log.warn(line, result.error?.message ?? "hook refused");
        } else {
          log.info(line, "hook call");
        }
        if (log.isLevelEnabled("debug")) {
          log.debug(
            {
              controller: route.controller,
              hook,
              request: redactSecrets(request.body),
              response:
                result.body === undefined ? undefined : redactSecrets(JSON.parse(result.body)),
            },
            "hook payloads",
          );
        }
        void reply.code(result.statusCode).headers(result.headers);
        return result.body === undefined ? reply.send() : reply.send(result.body);
      },
    });
    app.route({
      method: [...OTHER_METHODS],
      url: route.path,
      config,
      handler: async (request, reply) =>
        reply
          .code(405)
          .header("allow", "POST")
          .type("application/json; charset=utf-8")
          .send(
            errorPayload(
              "METHOD_NOT_ALLOWED",
              `${request.method} is not allowed on ${route.path}; Metacontroller calls hooks with POST`,
            ),
          ),
    });
  }

  function failureForEmpty(): HookOutcome {
    const error = new HookError(
      "MALFORMED_REQUEST",
      "the request has no body; a hook request is a JSON object",
    );
    return {
      statusCode: 400,
      body: errorPayload(error.code, error.message),
      headers: { "content-type": "application/json; charset=utf-8" },
      outcome: "invalid_request",
      hook: undefined,
      error,
      summary: {},
    };
  }

  const server: HookServer = {
    app,
    routes: planned.map((p) => p.route),
    log,
    async listen(listenOptions = {}) {
      const address = await app.listen({
        port: listenOptions.port ?? 8080,
        host: listenOptions.host ?? "0.0.0.0",
      });
      log.info({ address, routes: planned.map((p) => p.route.path) }, "hook server listening");
      return address;
    },
    close() {
      closing ??= (async () => {
        ready = false;
        log.info({}, "shutting down: not ready, finishing in-flight hook calls");
        if (options.shutdownDelayMs)
          await new Promise((r) => setTimeout(r, options.shutdownDelayMs));
        await app.close();
        log.info({}, "hook server closed");
      })();
      return closing;
    },
    closeOnSignals(onClosed = () => process.exit(0)) {
      const handler = (signal: NodeJS.Signals) => {
        log.info({ signal }, "received signal");
        void server.close().then(onClosed, (error: unknown) => {
          log.error({ err: error }, "error during shutdown");
          process.exit(1);
        });
      };
      process.once("SIGTERM", handler);
      process.once("SIGINT", handler);
      return () => {
        process.off("SIGTERM", handler);
        process.off("SIGINT", handler);
      };
    },
  };
  return server;
}
