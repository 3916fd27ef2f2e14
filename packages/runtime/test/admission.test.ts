import { connect } from "node:net";
import { describe, expect, it } from "vitest";
import {
  type CompositeHookRequest,
  createHookServer,
  defineCompositeController,
} from "../src/index.js";
import { fixture, memoryLogger, postJson } from "./helpers.js";

const request = () =>
  fixture<CompositeHookRequest>("composite-sync-v1-namespaced-catset.request.json");

/** A controller whose calls wait until released; `entered` counts the calls that started. */
function gated() {
  let open: () => void = () => {};
  const gate = new Promise<void>((r) => {
    open = r;
  });
  const state = { entered: 0 };
  const controller = defineCompositeController({
    async sync() {
      state.entered++;
      await gate;
      return { status: null, children: [] };
    },
  });
  return { controller, state, release: () => open() };
}

const until = async (what: () => boolean, ms = 10_000) => {
  const end = Date.now() + ms;
  while (!what()) {
    if (Date.now() > end) throw new Error("timed out");
    await new Promise((r) => setTimeout(r, 5));
  }
};

/** Sends the headers of a POST with a body that never comes, and returns the first response line. */
function headersOnly(base: string, path: string): Promise<string> {
  const url = new URL(base);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(url.port), url.hostname, () => {
      socket.write(
        `POST ${path} HTTP/1.1\r\nhost: x\r\ncontent-type: application/json\r\ncontent-length: 1000\r\n\r\n`,
      );
    });
    let text = "";
    socket.on("data", (chunk) => {
      text += chunk;
      if (text.includes("\r\n\r\n")) {
        socket.destroy();
        resolve(text);
      }
    });
    socket.on("error", reject);
  });
}

describe("--max-in-flight: past n concurrent calls, 429 with Retry-After at once", () => {
  it.each([1, 4, 16])("maxInFlight %i", async (max) => {
    const { controller, state, release } = gated();
    const server = createHookServer({
      controllers: { slow: controller },
      logger: false,
      maxInFlight: max,
    });
    const base = await server.listen({ port: 0, host: "127.0.0.1" });
    try {
      const admitted = Array.from({ length: max }, () => postJson(`${base}/slow/sync`, request()));
      await until(() => state.entered === max);
      const refused = await postJson(`${base}/slow/sync`, request());
      expect(refused.status).toBe(429);
      expect(refused.headers.get("retry-after")).toBe("1");
      expect((refused.json as { error: { code: string } }).error.code).toBe("OVERLOADED");
      // Refused before the body is read: a call whose body never comes is answered too.
      expect(await headersOnly(base, "/slow/sync")).toMatch(/^HTTP\/1\.1 429 /);
      // Probes are not hook calls: they answer while the hook slots are full.
      expect((await fetch(`${base}/readyz`)).status).toBe(200);
      const metrics = await (await fetch(`${base}/metrics`)).text();
      expect(metrics).toMatch(
        /metahook_hook_requests_total\{[^}]*outcome="overloaded",code="429"\} 2/,
      );
      release();
      expect((await Promise.all(admitted)).map((r) => r.status)).toEqual(Array(max).fill(200));
      // The slots are free again.
      expect((await postJson(`${base}/slow/sync`, request())).status).toBe(200);
    } finally {
      release();
      await server.close();
    }
  });

  it.each([0, -1, 1.5, Number.NaN])("refuses maxInFlight %s at creation", (max) => {
    expect(() =>
      createHookServer({
        controllers: { slow: gated().controller },
        logger: false,
        maxInFlight: max,
      }),
    ).toThrow(/maxInFlight must be a whole number >= 1/);
  });
});

describe("readiness during the drain", () => {
  it("answers /readyz 503 (not connection refused) from close() until the last call is answered", async () => {
    const { controller, state, release } = gated();
    const logs = memoryLogger("info");
    const server = createHookServer({
      controllers: { slow: controller },
      logger: logs.logger,
      shutdownDelayMs: 50,
    });
    const base = await server.listen({ port: 0, host: "127.0.0.1" });
    const inFlight = Array.from({ length: 3 }, () => postJson(`${base}/slow/sync`, request()));
    await until(() => state.entered === 3);
    let closed = false;
    const closing = server.close().then(() => {
      closed = true;
    });
    // Well past shutdownDelayMs: still listening, still not ready.
    await new Promise((r) => setTimeout(r, 200));
    expect(closed).toBe(false);
    for (let i = 0; i < 3; i++) {
      expect((await fetch(`${base}/readyz`)).status).toBe(503);
      expect((await fetch(`${base}/healthz`)).status).toBe(200);
    }
    // A new hook call is turned away for another replica, not queued behind the drain.
    const late = await postJson(`${base}/slow/sync`, request());
    expect(late.status).toBe(503);
    expect((late.json as { error: { code: string } }).error.code).toBe("SHUTTING_DOWN");
    release();
    expect((await Promise.all(inFlight)).map((r) => r.status)).toEqual([200, 200, 200]);
    await closing;
    await expect(fetch(`${base}/readyz`)).rejects.toThrow();
    const messages = logs.lines().map((l) => (JSON.parse(l) as { msg: string }).msg);
    expect(messages.indexOf("hook server closed")).toBeGreaterThan(
      messages.lastIndexOf("hook call"),
    );
  });

  it("answers every one of 200 calls in flight at close()", async () => {
    const { controller, state, release } = gated();
    const server = createHookServer({
      controllers: { slow: controller },
      logger: false,
      maxInFlight: 256,
    });
    const base = await server.listen({ port: 0, host: "127.0.0.1" });
    const inFlight = Array.from({ length: 200 }, () => postJson(`${base}/slow/sync`, request()));
    await until(() => state.entered === 200);
    const closing = server.close();
    await new Promise((r) => setTimeout(r, 50));
    expect((await fetch(`${base}/readyz`)).status).toBe(503);
    release();
    const statuses = (await Promise.all(inFlight)).map((r) => r.status);
    expect(statuses.filter((s) => s === 200)).toHaveLength(200);
    await closing;
  });
});
