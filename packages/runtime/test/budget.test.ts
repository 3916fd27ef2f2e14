import { connect } from "node:net";
import { describe, expect, it } from "vitest";
import {
  type CompositeHookRequest,
  createHookServer,
  defineCompositeController,
} from "../src/index.js";
import { parseGoDuration } from "../src/plan.js";
import { fixture, postJson } from "./helpers.js";

describe("parseGoDuration", () => {
  it.each<[string, number | undefined]>([
    ["10s", 10_000],
    ["1m30s", 90_000],
    ["1.5s", 1_500],
    ["500ms", 500],
    ["1h", 3_600_000],
    ["250us", 0.25],
    ["0", 0],
    ["-5s", -5_000],
    ["", undefined],
    ["10", undefined],
    ["ten seconds", undefined],
    ["5s!", undefined],
  ])("%j -> %s", (text, ms) => {
    expect(parseGoDuration(text)).toBe(ms);
  });
});

/** The catset request with its sync hook's webhook.timeout set (or removed). */
function requestWithTimeout(timeout: string | undefined): CompositeHookRequest {
  const request = fixture<CompositeHookRequest>("composite-sync-v1-namespaced-catset.request.json");
  const hooks = request.controller.spec.hooks as { sync: { webhook: { timeout?: string } } };
  if (timeout === undefined) delete hooks.sync.webhook.timeout;
  else hooks.sync.webhook.timeout = timeout;
  return request;
}

describe("a time budget must end before the controller's webhook.timeout", () => {
  it.each<[string, { server?: number; controller?: number }, string | undefined, number]>([
    ["default budget, no webhook.timeout (10 s)", {}, undefined, 200],
    ["server budget 12 s, no webhook.timeout", { server: 12_000 }, undefined, 500],
    ["server budget 10 s, no webhook.timeout", { server: 10_000 }, undefined, 500],
    ["default budget 8 s, webhook.timeout 5s", {}, "5s", 500],
    ["controller budget 4 s, webhook.timeout 5s", { controller: 4_000 }, "5s", 200],
    ["controller budget 20 s, webhook.timeout 1m", { controller: 20_000 }, "1m", 200],
    ["default budget, webhook.timeout 0s (Metacontroller takes 10s)", {}, "0s", 200],
    ["server budget 12 s, webhook.timeout 30s", { server: 12_000 }, "30s", 200],
  ])("%s: %i", async (_name, budget, timeout, status) => {
    const hook = defineCompositeController({
      ...(budget.controller ? { timeoutMs: budget.controller } : {}),
      sync: async () => ({ status: null, children: [] }),
    });
    const server = createHookServer({
      controllers: { hook },
      logger: false,
      ...(budget.server ? { hookTimeoutMs: budget.server } : {}),
    });
    const res = await server.app.inject({
      method: "POST",
      url: "/hook/sync",
      headers: { "content-type": "application/json" },
      payload: JSON.stringify(requestWithTimeout(timeout)),
    });
    expect(res.statusCode).toBe(status);
    if (status === 500) {
      const error = (res.json() as { error: { code: string; message: string } }).error;
      expect(error.code).toBe("INVALID_DEFINITION");
      expect(error.message).toMatch(/is not below the controller's webhook\.timeout/);
      expect(error.message).toMatch(/Lower the budget below \d+ ms or raise webhook\.timeout/);
    }
    await server.close();
  });
});

describe("the budget counts from the request's arrival", () => {
  it("answers 503 without running the hook when reading the body used up the budget", async () => {
    let ran = 0;
    const hook = defineCompositeController({
      sync: async () => {
        ran++;
        return { status: null, children: [] };
      },
    });
    const server = createHookServer({ controllers: { hook }, logger: false, hookTimeoutMs: 150 });
    const base = await server.listen({ port: 0, host: "127.0.0.1" });
    try {
      const body = JSON.stringify(requestWithTimeout(undefined));
      const url = new URL(base);
      // Headers now, the body 400 ms later: the budget is spent before the hook could run.
      const answer = await new Promise<string>((resolve, reject) => {
        const socket = connect(Number(url.port), url.hostname, () => {
          socket.write(
            `POST /hook/sync HTTP/1.1\r\nhost: x\r\nconnection: close\r\ncontent-type: application/json\r\ncontent-length: ${Buffer.byteLength(body)}\r\n\r\n`,
          );
          setTimeout(() => socket.write(body), 400);
        });
        let text = "";
        socket.on("data", (chunk) => {
          text += chunk;
        });
        socket.on("end", () => resolve(text));
        socket.on("error", reject);
      });
      expect(answer).toMatch(/^HTTP\/1\.1 503 /);
      expect(answer).toContain('"code":"HOOK_TIMEOUT"');
      expect(answer).toContain("counted from the request's arrival");
      expect(ran).toBe(0);
      // A prompt call under the same budget runs.
      expect((await postJson(`${base}/hook/sync`, body)).status).toBe(200);
      expect(ran).toBe(1);
    } finally {
      await server.close();
    }
  });
});
