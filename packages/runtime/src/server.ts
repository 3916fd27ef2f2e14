import Fastify, { type FastifyBaseLogger, type FastifyInstance, LogController } from "fastify";
import { type Logger, type LoggerOptions, pino } from "pino";
import {
  type Controllers,
  DEFAULT_BODY_LIMIT,
  DEFAULT_HOOK_TIMEOUT_MS,
  type HookRoute,
  type MetahookPluginOptions,
  metahookPlugin,
  planRoutes,
} from "./plugin.js";

/** Options of {@link createHookServer}. */
export interface HookServerOptions {
  /**
   * What to serve, by name: a controller definition `blogs` is served at
   * `/blogs/sync` (and `/blogs/finalize`, `/blogs/customize` when defined); a bare
   * function `fn` at `/fn`.
   */
  controllers: Controllers;
  /**
   * A pino logger, pino options, or `false` for silence. Default: JSON lines on
   * stdout at `LOG_LEVEL` (default `info`), the lines of each event-loop turn written
   * together (see {@link bufferedDestination}).
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
  /** See {@link MetahookPluginOptions.validate}. Default `false`. */
  validate?: boolean;
  /** See {@link MetahookPluginOptions.onExchange}. */
  onExchange?: MetahookPluginOptions["onExchange"];
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

/**
 * A pino destination on a file descriptor that writes the lines of one event-loop turn
 * together, at the end of the turn (or as soon as 8 KiB are pending), instead of one
 * write per line: the log line of each hook call then costs no system call of its own,
 * and no line waits longer than the turn that wrote it.
 *
 * @example
 * ```ts
 * const log = pino({ level: "info" }, bufferedDestination(2));
 * ```
 */
export function bufferedDestination(fd: number): ReturnType<typeof pino.destination> {
  const destination = pino.destination({ dest: fd, minLength: 8 * 1024, sync: true });
  let scheduled = false;
  const flush = () => {
    scheduled = false;
    // flush(), not flushSync(): the latter also fsyncs, which a log line does not need.
    destination.flush();
  };
  const write = destination.write.bind(destination);
  destination.write = (chunk: string): boolean => {
    const written = write(chunk);
    if (!scheduled) {
      scheduled = true;
      setImmediate(flush);
    }
    return written;
  };
  return destination;
}

let lastMs = Number.NaN;
let lastTime = "";

/**
 * pino's `isoTime` (`,"time":"2026-12-01T00:00:00.000Z"`), formatted once per millisecond:
 * a busy server logs many calls within one, and `toISOString` is a good part of a line's cost.
 *
 * @example
 * ```ts
 * const log = pino({ timestamp: isoTimeCached }, bufferedDestination(2));
 * ```
 */
export function isoTimeCached(): string {
  const now = Date.now();
  if (now !== lastMs) {
    lastMs = now;
    lastTime = `,"time":"${new Date(now).toISOString()}"`;
  }
  return lastTime;
}

function makeLogger(option: HookServerOptions["logger"]): Logger {
  if (option === false) return pino({ level: "silent" });
  if (option && typeof (option as Logger).child === "function") return option as Logger;
  return pino(
    {
      level: process.env.LOG_LEVEL ?? "info",
      base: undefined,
      timestamp: isoTimeCached,
      ...(option as LoggerOptions | undefined),
    },
    bufferedDestination(1),
  );
}

/**
 * Creates a fastify server that serves typed Metacontroller hooks, with health,
 * readiness and Prometheus endpoints, structured logs and graceful shutdown: the
 * {@link metahookPlugin} on a fastify instance of its own.
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
  // Refuse bad controller names and values now, not at listen().
  const routes = planRoutes(options.controllers).map((p) => p.route);
  const log = makeLogger(options.logger);
  const bodyLimit = options.bodyLimit ?? DEFAULT_BODY_LIMIT;
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
  void app.register(metahookPlugin, {
    controllers: options.controllers,
    hookTimeoutMs: options.hookTimeoutMs ?? DEFAULT_HOOK_TIMEOUT_MS,
    bodyLimit,
    logger: log as FastifyBaseLogger,
    readiness: () => ready,
    ...(options.validate ? { validate: true } : {}),
    ...(options.onExchange ? { onExchange: options.onExchange } : {}),
  });

  const server: HookServer = {
    app,
    routes,
    log,
    async listen(listenOptions = {}) {
      const address = await app.listen({
        port: listenOptions.port ?? 8080,
        host: listenOptions.host ?? "0.0.0.0",
      });
      log.info({ address, routes: routes.map((r) => r.path) }, "hook server listening");
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
        log.flush?.();
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
