// Authentication of hook calls (Metacontroller's webhook `authorization`, `basicAuth` and
// `clientTLS`) and the files behind it, re-read when they change.
import { createHash, timingSafeEqual } from "node:crypto";
import { readFileSync, type Stats, unwatchFile, watchFile } from "node:fs";
import type { TLSSocket } from "node:tls";
import { HookError } from "./errors.js";

/** Default interval at which credential and certificate files are checked for changes. */
export const DEFAULT_RELOAD_INTERVAL_MS = 1_000;

/**
 * Who may call a hook (see {@link MetahookPluginOptions.auth}). Metacontroller sends a bearer
 * token (`webhook.authorization`), basic credentials (`webhook.basicAuth`) or a client
 * certificate (`webhook.clientTLS`); any of them configured here is then required of every hook
 * call. `/healthz`, `/readyz` (and `/metrics` unless `protectMetrics`) stay open for probes.
 */
export interface HookAuthOptions {
  /**
   * A file holding the bearer token: every hook call must carry `Authorization: Bearer <token>`.
   * Surrounding whitespace (a trailing newline) is ignored. Re-read when it changes.
   */
  bearerTokenFile?: string;
  /** A file holding `user:password` for basic auth. Re-read when it changes. */
  basicAuthFile?: string;
  /**
   * Require a client certificate verified against the server's client CA (mutual TLS). Set by
   * `createHookServer` when `tls.clientCaFile` is given; with the plugin on an app of your own,
   * create its HTTPS server with `requestCert: true` and the CA.
   */
  clientCertificate?: boolean;
  /** Require the same credentials on `/metrics`. Default `false` (Prometheus scrapes it). */
  protectMetrics?: boolean;
  /** How often the files are checked for changes, in ms. Default 1000. */
  reloadIntervalMs?: number;
}

/** Why a call was not let in, for the log line (never the credential itself). */
export type AuthRefusal =
  | "missing credentials"
  | "wrong scheme"
  | "wrong credentials"
  | "no verified client certificate";

/** A credential check built from {@link HookAuthOptions}. */
export interface Authenticator {
  /** The reason a call with these headers on this socket is refused, or `undefined`. */
  check(authorization: string | undefined, socket: unknown): AuthRefusal | undefined;
  /** The `WWW-Authenticate` challenge of a 401, if any. */
  readonly challenge: string | undefined;
  /** Stops watching the files. */
  close(): void;
}

function digest(value: string | Buffer): Buffer {
  return createHash("sha256").update(value).digest();
}

// Equal-length digests, so that timingSafeEqual neither throws nor leaks the length.
function sameSecret(given: string | Buffer, expected: Buffer): boolean {
  return timingSafeEqual(digest(given), expected);
}

/** Reads a secret file, trimmed; throws INVALID_DEFINITION saying which file and why. */
export function readSecretFile(file: string, what: string): string {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (cause) {
    throw new HookError(
      "INVALID_DEFINITION",
      `${what} ${file} cannot be read (${(cause as NodeJS.ErrnoException).code ?? (cause as Error).message}); mount the Secret there or fix the path`,
      { cause },
    );
  }
  const value = text.trim();
  if (value === "") {
    throw new HookError(
      "INVALID_DEFINITION",
      `${what} ${file} is empty; it must hold the credential`,
    );
  }
  return value;
}

function parseBasic(file: string, text: string): Buffer {
  const colon = text.indexOf(":");
  if (colon <= 0 || colon === text.length - 1) {
    throw new HookError(
      "INVALID_DEFINITION",
      `basic auth file ${file} must hold "user:password" (a non-empty user and password joined by ':')`,
    );
  }
  return digest(text);
}

/**
 * Watches a file by polling its stat (which follows symlinks, so a kubelet Secret volume's
 * atomic swap of `..data` is seen, unlike `fs.watch` on the old inode) and calls `onChange`.
 */
export function watchPath(path: string, intervalMs: number, onChange: () => void): () => void {
  const listener = (current: Stats, previous: Stats) => {
    if (
      current.mtimeMs !== previous.mtimeMs ||
      current.ino !== previous.ino ||
      current.size !== previous.size
    )
      onChange();
  };
  watchFile(path, { interval: intervalMs, persistent: false }, listener);
  return () => unwatchFile(path, listener);
}

/** What the authenticator reports: a reload, or a file it could not take (kept the old one). */
export interface AuthEvents {
  reloaded(file: string): void;
  rejected(file: string, error: HookError): void;
}

/**
 * Builds the credential check of {@link HookAuthOptions}; reads the files now (throws
 * INVALID_DEFINITION if one is missing, empty or malformed) and again whenever they change.
 * Returns `undefined` when nothing is required.
 */
export function createAuthenticator(
  options: HookAuthOptions | undefined,
  events: AuthEvents,
): Authenticator | undefined {
  if (!options) return undefined;
  const { bearerTokenFile, basicAuthFile, clientCertificate } = options;
  if (bearerTokenFile !== undefined && basicAuthFile !== undefined) {
    throw new HookError(
      "INVALID_DEFINITION",
      "give either a bearer token file or a basic auth file, not both: Metacontroller sends one Authorization header (webhook.authorization and webhook.basicAuth are mutually exclusive)",
    );
  }
  if (bearerTokenFile === undefined && basicAuthFile === undefined && !clientCertificate) {
    return undefined;
  }
  const interval = options.reloadIntervalMs ?? DEFAULT_RELOAD_INTERVAL_MS;
  const stops: (() => void)[] = [];
  let expected: Buffer | undefined;
  let scheme: "bearer" | "basic" | undefined;
  if (bearerTokenFile !== undefined) {
    scheme = "bearer";
    const load = () => digest(readSecretFile(bearerTokenFile, "bearer token file"));
    expected = load();
    stops.push(
      watchPath(bearerTokenFile, interval, () => {
        try {
          expected = load();
          events.reloaded(bearerTokenFile);
        } catch (error) {
          events.rejected(bearerTokenFile, error as HookError);
        }
      }),
    );
  } else if (basicAuthFile !== undefined) {
    scheme = "basic";
    const load = () => parseBasic(basicAuthFile, readSecretFile(basicAuthFile, "basic auth file"));
    expected = load();
    stops.push(
      watchPath(basicAuthFile, interval, () => {
        try {
          expected = load();
          events.reloaded(basicAuthFile);
        } catch (error) {
          events.rejected(basicAuthFile, error as HookError);
        }
      }),
    );
  }
  return {
    challenge:
      scheme === "basic"
        ? 'Basic realm="metahook", charset="UTF-8"'
        : scheme === "bearer"
          ? 'Bearer realm="metahook"'
          : undefined,
    check(authorization, socket) {
      if (clientCertificate && (socket as TLSSocket | undefined)?.authorized !== true) {
        return "no verified client certificate";
      }
      if (scheme === undefined || expected === undefined) return undefined;
      if (authorization === undefined || authorization === "") return "missing credentials";
      const space = authorization.indexOf(" ");
      const given = space < 0 ? "" : authorization.slice(0, space).toLowerCase();
      if (given !== scheme) return "wrong scheme";
      const credential = authorization.slice(space + 1).trim();
      const secret = scheme === "basic" ? Buffer.from(credential, "base64") : credential;
      return sameSecret(secret, expected) ? undefined : "wrong credentials";
    },
    close() {
      for (const stop of stops) stop();
    },
  };
}
