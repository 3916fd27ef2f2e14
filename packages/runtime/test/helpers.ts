import { Writable } from "node:stream";
import { type Logger, pino } from "pino";
import { createHookServer, type HookServer, type HookServerOptions } from "../src/index.js";

export { FIXTURES, fixture, fixtureNames } from "@metahook/test-support";

/** A pino logger that keeps every line, for assertions on what is logged. */
export function memoryLogger(level = "trace"): { logger: Logger; lines: () => string[] } {
  const chunks: string[] = [];
  const stream = new Writable({
    write(chunk, _enc, cb) {
      chunks.push(String(chunk));
      cb();
    },
  });
  const logger = pino({ level }, stream);
  return { logger, lines: () => chunks.join("").split("\n").filter(Boolean) };
}

/** Starts a real server on loopback, runs `fn` against its base URL, always closes it. */
export async function withServer<T>(
  options: HookServerOptions,
  fn: (base: string, server: HookServer) => Promise<T>,
): Promise<T> {
  const server = createHookServer({ logger: false, ...options });
  const base = await server.listen({ port: 0, host: "127.0.0.1" });
  try {
    return await fn(base, server);
  } finally {
    await server.close();
  }
}

export async function postJson(url: string, body: unknown, headers: Record<string, string> = {}) {
  const res = await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json", ...headers },
    body: typeof body === "string" ? body : JSON.stringify(body),
  });
  const text = await res.text();
  return {
    status: res.status,
    headers: res.headers,
    text,
    json: text ? (JSON.parse(text) as unknown) : undefined,
  };
}
