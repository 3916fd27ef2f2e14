import { availableParallelism } from "node:os";
import type {
  FastifyBaseLogger,
  FastifyError,
  FastifyInstance,
  FastifyPluginCallback,
  FastifyReply,
  FastifyRequest,
} from "fastify";
import { callBindings, lineWriterOf } from "./call-line.js";
import { type ControllerDefinition, type HookFunction, isControllerDefinition } from "./define.js";
import { HookError } from "./errors.js";
import { type Endpoint, type HookOutcome, runHook } from "./invoke.js";
import { createMetrics, type HookMetrics, type MetricCell } from "./metrics.js";
import { redactSecrets } from "./redact.js";
import type { RecordedExchange } from "./replay.js";
import { type AuthRefusal, createAuthenticator, type HookAuthOptions } from "./security.js";
import type { HookName } from "./types.js";

/** Default time budget of a hook call: well inside Metacontroller's 10 s default timeout. */
export const DEFAULT_HOOK_TIMEOUT_MS = 8_000;
/** Default request body limit: room for a parent with 5,000 sizeable children. */
export const DEFAULT_BODY_LIMIT = 64 * 1024 * 1024;
/**
 * Default maximum of concurrent hook calls: 64 per CPU the process may use, at least 256.
 * Metacontroller runs `--workers` (default 5) calls per controller at once, so this is far above
 * what a healthy cluster sends (and above the 200 concurrent calls a drain is tested with), while
 * a flood is answered 429 at once instead of queueing without bound.
 */
export const DEFAULT_MAX_IN_FLIGHT = Math.max(256, 64 * availableParallelism());

/** What to serve, by name (see {@link MetahookPluginOptions.controllers}). */
export type Controllers = { readonly [name: string]: ControllerDefinition | HookFunction };

/** The logging methods the hook routes use (a pino logger has them all). */
export type PluginLogger = FastifyBaseLogger & { isLevelEnabled?(level: string): boolean };

/** Options of {@link metahookPlugin}. */
export interface MetahookPluginOptions {
  /**
   * What to serve, by name: a controller definition `blogs` is served at
   * `<prefix>/blogs/sync` (and `/blogs/finalize`, `/blogs/customize` when defined); a
   * bare function `fn` at `<prefix>/fn`.
   */
  controllers: Controllers;
  /** Time budget of each hook call unless its controller sets `timeoutMs`. Default 8000. */
  hookTimeoutMs?: number;
  /** Largest accepted hook request body in bytes. Default 64 MiB. */
  bodyLimit?: number;
  /** Where the hook routes log. Default: the fastify instance's logger. */
  logger?: PluginLogger;
  /** Serve `GET <prefix>/healthz`. Default `true`. */
  health?: boolean;
  /**
   * Serve `GET <prefix>/readyz`: `true` answers 200 always, a function answers 200 while
   * it returns `true` and 503 otherwise, `false` serves nothing. Default `true`.
   */
  readiness?: boolean | (() => boolean);
  /** Serve Prometheus `GET <prefix>/metrics` from a registry of the plugin's own. Default `true`. */
  metrics?: boolean;
  /**
   * Answer unknown paths under the prefix with a JSON 404 that lists the served hooks.
   * Without a prefix this takes over the whole app's 404s; set `false` if the app has
   * its own. Default `true`.
   */
  notFound?: boolean;
  /**
   * Validate every answer's desired children (or attachments) and status against their schemas
   * (kubernetes-models for built-in kinds, each definition's `models` for custom ones) and
   * refuse with 500 INVALID_RESPONSE, naming the child and the path, what the API server would
   * refuse. Costs a schema check per child. Default `false` (`metahook dev` turns it on).
   */
  validate?: boolean;
  /**
   * Called with every hook call's request and answer (status and body), after it is sent:
   * `metahook dev --record` writes them as fixtures for `metahook replay`.
   */
  onExchange?: (exchange: RecordedExchange) => void;
  /**
   * Credentials every hook call must carry (bearer token, basic auth, client certificate); a
   * call without them gets 401 with a JSON error, logged without the credential. Health and
   * readiness stay open (and `/metrics` unless `protectMetrics`). Default: none required.
   */
  auth?: HookAuthOptions;
  /**
   * Most hook calls served at once; past it a call is answered 429 with `Retry-After: 1` at
   * once (before its body is read), and Metacontroller backs off. Default
   * {@link DEFAULT_MAX_IN_FLIGHT}.
   */
  maxInFlight?: number;
  /**
   * While this returns `true`, new hook calls get 503 SHUTTING_DOWN (Metacontroller retries,
   * reaching another replica) and calls in flight finish: the drain of a graceful shutdown.
   */
  draining?: () => boolean;
  /** Called with the number of hook calls in flight whenever it changes. */
  onInFlightChange?: (inFlight: number) => void;
}

/** One route the server serves. */
export interface HookRoute {
  method: "POST";
  path: string;
  controller: string;
  /** The hook, or `"function"` for a bare function. */
  hook: HookName | "function";
}

const NAME = /^[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/;
const OTHER_METHODS = ["GET", "HEAD", "PUT", "DELETE", "PATCH", "OPTIONS"] as const;
const JSON_TYPE = "application/json; charset=utf-8";

interface RouteConfig {
  controller: string;
  hook: HookName | "function";
}

/**
 * The routes of a set of controllers (paths relative to the prefix), in a stable order.
 *
 * @throws {@link HookError} `INVALID_DEFINITION` for a name that cannot be a path segment,
 * a value that is neither a controller nor a function, or two hooks on one path.
 */
export function planRoutes(controllers: Controllers): { route: HookRoute; endpoint: Endpoint }[] {
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

function parseJson(body: string): unknown {
  try {
    return JSON.parse(body);
  } catch (error) {
    // Told apart only on failure: the body of every call is not scanned for blankness.
    if (body.trim() === "") {
      throw new HookError(
        "MALFORMED_REQUEST",
        "the request body is empty; a hook request is a JSON object",
      );
    }
    throw new HookError(
      "MALFORMED_REQUEST",
      `the request body is not valid JSON: ${(error as Error).message}`,
    );
  }
}

const EMPTY_BODY: HookOutcome = Object.freeze({
  statusCode: 400,
  body: errorPayload(
    "MALFORMED_REQUEST",
    "the request has no body; a hook request is a JSON object",
  ),
  headers: { "content-type": JSON_TYPE },
  outcome: "invalid_request",
  hook: undefined,
  error: new HookError(
    "MALFORMED_REQUEST",
    "the request has no body; a hook request is a JSON object",
  ),
  summary: {},
});

/**
 * The hooks as an encapsulated fastify plugin: one POST route per hook, with its own
 * JSON body parser (only `application/json`, other types get 415), error handler and
 * optional health, readiness, metrics and 404 routes, all under the register prefix.
 * It changes nothing outside its own context, so the app's other routes parse and
 * answer as before. {@link createHookServer} is this plugin on a fastify instance of its own.
 *
 * @example
 * ```ts
 * import Fastify from "fastify";
 * import { metahookPlugin } from "@metahook/runtime";
 * import blogs from "./blogs.js";
 *
 * const app = Fastify({ logger: true });
 * app.get("/", async () => ({ hello: "world" }));
 * await app.register(metahookPlugin, { controllers: { blogs }, prefix: "/hooks" });
 * await app.listen({ port: 8080 }); // POST /hooks/blogs/sync, GET /hooks/readyz, ...
 * ```
 */
export const metahookPlugin: FastifyPluginCallback<MetahookPluginOptions> = (
  app: FastifyInstance,
  options: MetahookPluginOptions,
  done: (error?: Error) => void,
) => {
  let planned: ReturnType<typeof planRoutes>;
  try {
    planned = planRoutes(options.controllers);
  } catch (error) {
    done(error as Error);
    return;
  }
  const log: PluginLogger = options.logger ?? app.log;
  // The hook server's own logger has a known format: its call lines are written directly.
  const writeLine = lineWriterOf(log);
  const hookTimeoutMs = options.hookTimeoutMs ?? DEFAULT_HOOK_TIMEOUT_MS;
  const bodyLimit = options.bodyLimit ?? DEFAULT_BODY_LIMIT;
  const metrics: HookMetrics = createMetrics();
  const debugEnabled = () => log.isLevelEnabled?.("debug") ?? false;
  const maxInFlight = options.maxInFlight ?? DEFAULT_MAX_IN_FLIGHT;
  if (!Number.isInteger(maxInFlight) || maxInFlight < 1) {
    done(
      new HookError(
        "INVALID_DEFINITION",
        `maxInFlight must be a whole number >= 1, got ${String(options.maxInFlight)}`,
      ),
    );
    return;
  }
  let auth: ReturnType<typeof createAuthenticator>;
  try {
    auth = createAuthenticator(options.auth, {
      reloaded: (file) => log.info({ file }, "credentials reloaded"),
      // The message names the file and the problem, never its contents.
      rejected: (file, error) =>
        log.warn({ file, code: error.code }, `kept the previous credentials: ${error.message}`),
    });
  } catch (error) {
    done(error as Error);
    return;
  }
  if (auth) {
    const stop = auth;
    app.addHook("onClose", (_app, closed) => {
      stop.close();
      closed();
    });
  }

  // Answers a call turned away before its body is read: 401, 429 or 503, logged (with why, never
  // the credential) and counted.
  const turnAway = (
    request: FastifyRequest,
    reply: FastifyReply,
    error: HookError,
    outcome: string,
    headers: { [name: string]: string },
    reason?: AuthRefusal,
  ) => {
    const config = request.routeOptions.config as Partial<RouteConfig> | undefined;
    if (config?.controller && config.hook) {
      metrics.observe(config.controller, config.hook, outcome, error.statusCode, 0);
    }
    log.warn(
      {
        controller: config?.controller,
        hook: config?.hook,
        path: request.url.split("?")[0],
        statusCode: error.statusCode,
        code: error.code,
        reason,
        remoteAddress: request.ip,
      },
      error.message,
    );
    void reply
      .code(error.statusCode)
      .headers(headers)
      .type(JSON_TYPE)
      .send(errorPayload(error.code, error.message));
  };
  const authenticate = (request: FastifyRequest, reply: FastifyReply): boolean => {
    if (!auth) return true;
    const refusal = auth.check(request.headers.authorization, request.raw.socket);
    if (refusal === undefined) return true;
    turnAway(
      request,
      reply,
      new HookError(
        "UNAUTHORIZED",
        refusal === "no verified client certificate"
          ? "this hook requires a client certificate signed by the server's client CA (webhook.clientTLS)"
          : `this hook requires credentials (${refusal}); configure the controller's webhook.authorization or webhook.basicAuth with the server's Secret`,
      ),
      "unauthorized",
      auth.challenge ? { "www-authenticate": auth.challenge } : {},
      refusal,
    );
    return false;
  };
  const authOnly = (request: FastifyRequest, reply: FastifyReply, next: () => void) => {
    if (authenticate(request, reply)) next();
  };
  let inFlight = 0;
  const release = () => {
    inFlight--;
    options.onInFlightChange?.(inFlight);
  };
  // Runs before the body is read, so that a refused call costs no parsing.
  const admit = (request: FastifyRequest, reply: FastifyReply, next: () => void) => {
    if (!authenticate(request, reply)) return;
    if (options.draining?.()) {
      turnAway(
        request,
        reply,
        new HookError("SHUTTING_DOWN", "the hook server is shutting down; call another replica"),
        "shutting_down",
        {},
      );
      return;
    }
    if (inFlight >= maxInFlight) {
      turnAway(
        request,
        reply,
        new HookError(
          "OVERLOADED",
          `the hook server already runs ${maxInFlight} hook calls; retry after 1 s (raise maxInFlight / --max-in-flight if this load is expected)`,
        ),
        "overloaded",
        { "retry-after": "1" },
      );
      return;
    }
    inFlight++;
    options.onInFlightChange?.(inFlight);
    // "close" comes once whether the answer was sent or the client went away (so `on`, without
    // the wrapper `once` would allocate).
    reply.raw.on("close", release);
    next();
  };

  // Only inside this plugin's context: the app's own routes keep fastify's parsers.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser(
    "application/json",
    { parseAs: "string", bodyLimit },
    (_req, text, parsed) => {
      let body: unknown;
      try {
        body = parseJson(text as string);
      } catch (error) {
        parsed(error as HookError, undefined);
        return;
      }
      parsed(null, body);
    },
  );

  app.setErrorHandler((error: FastifyError, request: FastifyRequest, reply: FastifyReply) => {
    const hookError = toHookError(error);
    const config = request.routeOptions.config as Partial<RouteConfig> | undefined;
    const route = config?.controller ? (config as RouteConfig) : undefined;
    if (route) {
      metrics.observe(
        route.controller,
        route.hook,
        hookError.code === "HOOK_FAILED" ? "error" : "invalid_request",
        hookError.statusCode,
        0,
      );
    }
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
      .type(JSON_TYPE)
      .send(errorPayload(hookError.code, hookError.message));
  });

  if (options.notFound !== false) {
    const served = planned.map((p) => `${app.prefix}${p.route.path}`).join(", ") || "none";
    app.setNotFoundHandler((request, reply) => {
      void reply
        .code(404)
        .type(JSON_TYPE)
        .send(
          errorPayload(
            "NOT_FOUND",
            `no hook at ${request.method} ${request.url.split("?")[0]}; served hooks: ${served}`,
          ),
        );
    });
  }

  if (options.health !== false) {
    app.get("/healthz", (_req, reply) => reply.type("application/json").send('{"status":"ok"}'));
  }
  const readiness = options.readiness ?? true;
  if (readiness !== false) {
    const isReady = readiness === true ? () => true : readiness;
    app.get("/readyz", (_req, reply) =>
      isReady()
        ? reply.type("application/json").send('{"status":"ready"}')
        : reply.code(503).type("application/json").send('{"status":"shutting down"}'),
    );
  }
  if (options.metrics !== false) {
    app.get(
      "/metrics",
      options.auth?.protectMetrics && auth ? { onRequest: authOnly } : {},
      async (_req, reply) => reply.type(metrics.contentType).send(await metrics.render()),
    );
  }

  for (const { route, endpoint } of planned) {
    const config: RouteConfig = { controller: route.controller, hook: route.hook };
    // Bound once per route and hook: the loggers (pino serializes bindings once, not per
    // line) and the metric cells a call updates.
    // Per hook: its logger and, for lines written directly, the same bindings as text.
    const lineLogs = new Map<string, { log: PluginLogger; bindings: string }>();
    const lineLog = (hook: string) => {
      let found = lineLogs.get(hook);
      if (found === undefined) {
        found = {
          log: log.child({ controller: route.controller, hook }) as PluginLogger,
          bindings: callBindings(route.controller, hook),
        };
        lineLogs.set(hook, found);
      }
      return found;
    };
    const hookLog = lineLog(route.hook).log;
    const cells = new Map<string, MetricCell>();
    // Most calls end "ok" 200 on the route's own hook: that cell is kept at hand, without the
    // key string every other outcome is looked up by.
    let okCell: MetricCell | undefined;
    const cellOf = (hook: string, outcome: string, statusCode: number): MetricCell => {
      if (statusCode === 200 && outcome === "ok" && hook === route.hook) {
        okCell ??= metrics.cell(route.controller, hook, outcome, statusCode);
        return okCell;
      }
      const key = `${hook} ${outcome} ${statusCode}`;
      let found = cells.get(key);
      if (found === undefined) {
        found = metrics.cell(route.controller, hook, outcome, statusCode);
        cells.set(key, found);
      }
      return found;
    };
    const finish = (
      request: FastifyRequest,
      reply: FastifyReply,
      started: number,
      result: HookOutcome,
    ) => {
      const seconds = (performance.now() - started) / 1e3;
      const hook = result.hook ?? (route.hook === "function" ? "function" : route.hook);
      metrics.record(cellOf(hook, result.outcome, result.statusCode), seconds);
      // The one log line of the call, built once it is over (controller and hook are the
      // logger's bindings).
      const { log: callLog, bindings } = lineLog(hook);
      const line = {
        parent: result.summary.parent,
        observed: result.summary.observed,
        desired: result.summary.desired,
        statusCode: result.statusCode,
        outcome: result.outcome,
        durationMs: Math.round(seconds * 1e6) / 1e3,
        code: result.error?.code,
      };
      if (result.statusCode < 400 && writeLine !== undefined) {
        if (callLog.isLevelEnabled?.("info") === true) {
          writeLine(bindings, line, "hook call");
        }
      } else if (result.statusCode >= 500) {
        // The stack goes to the log only; the response carries the message.
        callLog.error(
          { ...line, err: result.error?.cause ?? result.error },
          result.error?.message ?? "hook failed",
        );
      } else if (result.statusCode >= 400) {
        callLog.warn(line, result.error?.message ?? "hook refused");
      } else {
        callLog.info(line, "hook call");
      }
      if (options.onExchange && result.hook !== undefined) {
        options.onExchange({
          controller: route.controller,
          hook: result.hook,
          request: request.body,
          response: {
            status: result.statusCode,
            body: result.body === undefined ? undefined : JSON.parse(result.body),
          },
        });
      }
      if (debugEnabled()) {
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
      void reply.code(result.statusCode);
      // One header for most answers; headers() would list the object's keys first.
      for (const name in result.headers) void reply.header(name, result.headers[name]);
      return result.body === undefined ? reply.send() : reply.send(result.body);
    };
    app.route({
      method: "POST",
      url: route.path,
      config,
      bodyLimit,
      onRequest: admit,
      handler: (request, reply) => {
        const started = performance.now();
        const result =
          request.body === undefined
            ? EMPTY_BODY
            : runHook(endpoint, request.body, {
                controller: route.controller,
                log: hookLog,
                timeoutMs: hookTimeoutMs,
                // The budget counts from the request's arrival: body reading and parsing included.
                elapsedMs: reply.elapsedTime,
                ifNoneMatch: request.headers["if-none-match"],
                validate: options.validate === true,
              });
        // A synchronous hook is answered in this same tick; fastify takes the sent reply.
        if (!(result instanceof Promise)) {
          finish(request, reply, started, result);
          return;
        }
        return result.then((outcome) => finish(request, reply, started, outcome));
      },
    });
    app.route({
      method: [...OTHER_METHODS],
      url: route.path,
      config,
      ...(auth ? { onRequest: authOnly } : {}),
      handler: (request, reply) =>
        reply
          .code(405)
          .header("allow", "POST")
          .type(JSON_TYPE)
          .send(
            errorPayload(
              "METHOD_NOT_ALLOWED",
              `${request.method} is not allowed on ${route.path}; Metacontroller calls hooks with POST`,
            ),
          ),
    });
  }
  done();
};
