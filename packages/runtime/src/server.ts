import { X509Certificate } from "node:crypto";
import type { Server as HttpsServer } from "node:https";
import type { SecureContextOptions } from "node:tls";
import Fastify, { type FastifyBaseLogger, type FastifyInstance, LogController } from "fastify";
import { type Logger, type LoggerOptions, pino } from "pino";
import { callLine, registerLineWriter } from "./call-line.js";
import { HookError } from "./errors.js";
import {
  type Controllers,
  DEFAULT_BODY_LIMIT,
  DEFAULT_HOOK_TIMEOUT_MS,
  type HookRoute,
  type MetahookPluginOptions,
  metahookPlugin,
  planRoutes,
} from "./plugin.js";
import {
  createAuthenticator,
  DEFAULT_RELOAD_INTERVAL_MS,
  type HookAuthOptions,
  readSecretFile,
  watchPath,
} from "./security.js";

/** HTTPS of {@link createHookServer}: certificate files, reloaded when they change. */
export interface HookServerTlsOptions {
  /** PEM certificate (chain) of the server, e.g. cert-manager's `tls.crt`. */
  certFile: string;
  /** PEM private key, e.g. cert-manager's `tls.key`. */
  keyFile: string;
  /**
   * PEM CA that signs the clients' certificates: mutual TLS. A hook call without a certificate
   * signed by it gets 401; probes (`/healthz`, `/readyz`) need none.
   */
  clientCaFile?: string;
  /** How often the files are checked for changes, in ms. Default 1000. */
  reloadIntervalMs?: number;
}

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
  /**
   * The file descriptor the server's own logger writes to (when `logger` is not a logger of
   * yours). Default 1 (stdout); `metahook serve` uses 2 (stderr).
   */
  logDestination?: number;
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
  /**
   * Serve HTTPS only (plain HTTP is refused by the TLS handshake), with the certificate and key
   * re-read when the files change (cert-manager rotates them in place): new connections get the
   * new certificate, open ones are not dropped.
   */
  tls?: HookServerTlsOptions;
  /** See {@link MetahookPluginOptions.auth}; `tls.clientCaFile` adds `clientCertificate`. */
  auth?: HookAuthOptions;
  /** See {@link MetahookPluginOptions.maxInFlight}. */
  maxInFlight?: number;
}

function tlsFiles(tls: HookServerTlsOptions): SecureContextOptions {
  const cert = readSecretFile(tls.certFile, "TLS certificate file");
  const key = readSecretFile(tls.keyFile, "TLS key file");
  const context: SecureContextOptions = { cert, key };
  if (tls.clientCaFile !== undefined) {
    context.ca = readSecretFile(tls.clientCaFile, "client CA file");
  }
  return context;
}

function serialOf(cert: SecureContextOptions["cert"]): string | undefined {
  try {
    return new X509Certificate(String(cert)).serialNumber;
  } catch {
    return undefined;
  }
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

/** How long {@link bufferedDestination} holds a line at most, in ms. */
export const LOG_FLUSH_MS = 10;

// Destinations whose pending lines are written when the process exits: a line logged just before
// process.exit() (a crash, a signal) is not lost with the timer that never fires.
const flushAtExit = new Set<() => void>();

function onExit(flush: () => void): void {
  if (flushAtExit.size === 0) {
    process.once("exit", () => {
      for (const f of flushAtExit) f();
    });
  }
  flushAtExit.add(flush);
}

/**
 * A pino destination on a file descriptor that gathers lines and writes them together, at
 * most {@link LOG_FLUSH_MS} ms after the first of them (or as soon as 8 KiB are pending),
 * instead of one write per line: the log line of each hook call then costs no system call of
 * its own, even when calls arrive one per event-loop turn. Lines still pending when the process
 * exits (process.exit(), an uncaught exception, a signal handled by exiting) are written then;
 * only a process killed outright (SIGKILL, OOM) loses the last few milliseconds.
 *
 * @example
 * ```ts
 * const log = pino({ level: "info" }, bufferedDestination(2));
 * ```
 */
export function bufferedDestination(fd: number): ReturnType<typeof pino.destination> {
  const destination = pino.destination({ dest: fd, minLength: 8 * 1024, sync: true });
  const write = destination.write.bind(destination);
  const flushInner = destination.flush.bind(destination);
  const flushSyncInner = destination.flushSync.bind(destination);
  // Lines gather here as one string: sonic-boom measures the byte length of each string it is
  // given, so it is given one per batch instead of one per line.
  let pending = "";
  const drain = () => {
    if (pending === "") return;
    const chunk = pending;
    pending = "";
    write(chunk);
  };
  let scheduled = false;
  const flushPending = () => {
    scheduled = false;
    drain();
    // flush(), not flushSync(): the latter also fsyncs, which a log line does not need. In
    // sync mode flush() writes at once.
    flushInner();
  };
  destination.write = (chunk: string): boolean => {
    pending += chunk;
    if (pending.length >= 8 * 1024) drain();
    if (!scheduled) {
      scheduled = true;
      // A timer, not the end of the turn: at a few calls per turn a write per turn is a system
      // call per call. Unref'd: pending lines never keep the process alive (exit writes them).
      setTimeout(flushPending, LOG_FLUSH_MS).unref();
    }
    return true;
  };
  destination.flush = (cb?: (error?: Error) => void) => {
    drain();
    flushInner(cb);
  };
  destination.flushSync = () => {
    drain();
    flushSyncInner();
  };
  const atExit = () => {
    try {
      drain();
      flushInner();
    } catch {
      // The descriptor is gone (a closed pipe): nothing left to write to.
    }
  };
  onExit(atExit);
  destination.once("close", () => flushAtExit.delete(atExit));
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

function makeLogger(option: HookServerOptions["logger"], fd: number): Logger {
  if (option === false) return pino({ level: "silent" });
  if (option && typeof (option as Logger).child === "function") return option as Logger;
  const destination = bufferedDestination(fd);
  const logger = pino(
    {
      level: process.env.LOG_LEVEL ?? "info",
      base: undefined,
      timestamp: isoTimeCached,
      ...(option as LoggerOptions | undefined),
    },
    destination,
  );
  // Only our own format: options of the caller's other than the level (formatters,
  // messageKey, redact, ...) may change what a line looks like, and then every line goes
  // through pino.
  if (option === undefined || Object.keys(option).every((key) => key === "level")) {
    registerLineWriter(logger, (bindings, fields, msg) => {
      destination.write(callLine(isoTimeCached(), bindings, fields, msg));
    });
  }
  return logger;
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
  const log = makeLogger(options.logger, options.logDestination ?? 1);
  const bodyLimit = options.bodyLimit ?? DEFAULT_BODY_LIMIT;
  let closing: Promise<void> | undefined;
  let ready = true;
  let draining = false;
  let inFlight = 0;
  let idle: (() => void) | undefined;
  const tls = options.tls;
  // Read now: a missing or empty file is an error at start-up, not at the first call.
  const secure = tls ? tlsFiles(tls) : undefined;
  const auth: HookAuthOptions | undefined = tls?.clientCaFile
    ? { ...options.auth, clientCertificate: true }
    : options.auth;

  if (
    options.maxInFlight !== undefined &&
    (!Number.isInteger(options.maxInFlight) || options.maxInFlight < 1)
  ) {
    throw new HookError(
      "INVALID_DEFINITION",
      `maxInFlight must be a whole number >= 1, got ${String(options.maxInFlight)}`,
    );
  }
  // Refuse a missing, empty or malformed credential file now, not at listen().
  createAuthenticator(auth, { reloaded() {}, rejected() {} })?.close();

  const app = Fastify({
    loggerInstance: log as FastifyBaseLogger,
    // One line per hook call is written by the route itself, with hook fields.
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit,
    return503OnClosing: true,
    forceCloseConnections: "idle",
    // A client certificate is asked for but not required by the handshake: probes have none.
    // The hook routes refuse a call whose certificate the CA did not sign.
    ...(secure
      ? {
          https: {
            ...secure,
            ...(secure.ca ? { requestCert: true, rejectUnauthorized: false } : {}),
          },
        }
      : {}),
  }) as unknown as FastifyInstance;
  void app.register(metahookPlugin, {
    controllers: options.controllers,
    hookTimeoutMs: options.hookTimeoutMs ?? DEFAULT_HOOK_TIMEOUT_MS,
    bodyLimit,
    logger: log as FastifyBaseLogger,
    readiness: () => ready,
    draining: () => draining,
    onInFlightChange: (n) => {
      inFlight = n;
      if (n === 0) idle?.();
    },
    ...(options.validate ? { validate: true } : {}),
    ...(options.onExchange ? { onExchange: options.onExchange } : {}),
    ...(auth ? { auth } : {}),
    ...(options.maxInFlight !== undefined ? { maxInFlight: options.maxInFlight } : {}),
  });

  let unwatch: (() => void)[] = [];
  if (tls) {
    let serial = serialOf(secure?.cert);
    const reload = () => {
      try {
        const next = tlsFiles(tls);
        // Throws on a key that does not match the certificate (a rotation caught halfway):
        // the old context stays, and the next change is tried again.
        (app.server as unknown as HttpsServer).setSecureContext(next);
        const was = serial;
        serial = serialOf(next.cert);
        log.info({ previousSerial: was, serial }, "TLS certificate reloaded");
      } catch (error) {
        log.warn(
          { code: (error as { code?: string }).code },
          `kept the previous TLS certificate: ${(error as Error).message}`,
        );
      }
    };
    const interval = tls.reloadIntervalMs ?? DEFAULT_RELOAD_INTERVAL_MS;
    unwatch = [tls.certFile, tls.keyFile, ...(tls.clientCaFile ? [tls.clientCaFile] : [])].map(
      (file) => watchPath(file, interval, reload),
    );
  }

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
        // The listener stays open, answering /readyz 503 and new hook calls 503, until the last
        // call in flight is answered: probes see "not ready", not "connection refused".
        draining = true;
        if (inFlight > 0) await new Promise<void>((resolve) => (idle = resolve));
        for (const stop of unwatch) stop();
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
