import { request as httpRequest } from "node:http";
import { describe, expect, it } from "vitest";
import { lineWriterOf } from "../src/call-line.js";
import {
  type CompositeHookRequest,
  createHookServer,
  defineCompositeController,
  defineDecoratorController,
  type HookServerOptions,
  retryLater,
} from "../src/index.js";
import { fixture, memoryLogger, postJson, withServer } from "./helpers.js";

const catsetRequest = () =>
  fixture<CompositeHookRequest>("composite-sync-v1-namespaced-catset.request.json");
const labels = { app: "nginx", component: "backend" };

const echo = defineCompositeController({
  sync: ({ parent }) => ({
    status: { seen: parent.metadata.name },
    children: [{ apiVersion: "v1", kind: "Pod", metadata: { name: "p0", labels } }],
  }),
  finalize: () => ({ status: null, children: [], finalized: true }),
});

function rawPost(url: string, body: string, headers: Record<string, string>) {
  return new Promise<{ status: number; text: string }>((resolve, reject) => {
    const req = httpRequest(url, { method: "POST", headers }, (res) => {
      let text = "";
      res.on("data", (c) => {
        text += c;
      });
      res.on("end", () => resolve({ status: res.statusCode ?? 0, text }));
    });
    req.on("error", reject);
    req.end(body);
  });
}

describe("bad input: a JSON error with the right status, and the server keeps serving", () => {
  const big = JSON.stringify({ ...catsetRequest(), padding: "x".repeat(2048) });
  it.each<[string, (base: string) => Promise<{ status: number; text: string }>, number, string]>([
    [
      "malformed JSON",
      (b) => rawPost(`${b}/echo/sync`, "{not json", { "content-type": "application/json" }),
      400,
      "MALFORMED_REQUEST",
    ],
    [
      "non-JSON content type",
      (b) =>
        rawPost(`${b}/echo/sync`, "a=b", { "content-type": "application/x-www-form-urlencoded" }),
      415,
      "UNSUPPORTED_MEDIA_TYPE",
    ],
    [
      "text/plain",
      (b) =>
        rawPost(`${b}/echo/sync`, JSON.stringify(catsetRequest()), {
          "content-type": "text/plain",
        }),
      415,
      "UNSUPPORTED_MEDIA_TYPE",
    ],
    [
      "empty body",
      (b) => rawPost(`${b}/echo/sync`, "", { "content-type": "application/json" }),
      400,
      "MALFORMED_REQUEST",
    ],
    [
      "body over the limit",
      (b) => rawPost(`${b}/echo/sync`, big, { "content-type": "application/json" }),
      413,
      "PAYLOAD_TOO_LARGE",
    ],
    ["JSON null", (b) => postJson(`${b}/echo/sync`, "null"), 400, "INVALID_REQUEST"],
    [
      "missing parent",
      (b) => postJson(`${b}/echo/sync`, { ...catsetRequest(), parent: undefined }),
      400,
      "INVALID_REQUEST",
    ],
    [
      "children of the wrong shape",
      (b) => postJson(`${b}/echo/sync`, { ...catsetRequest(), children: [1, 2] }),
      400,
      "INVALID_REQUEST",
    ],
    [
      "decorator request to a composite hook",
      (b) => postJson(`${b}/echo/sync`, fixture("decorator-sync-v1-pod-name-label.request.json")),
      400,
      "INVALID_REQUEST",
    ],
    ["unknown path", (b) => postJson(`${b}/nope/sync`, catsetRequest()), 404, "NOT_FOUND"],
    [
      "GET on a hook",
      (b) =>
        fetch(`${b}/echo/sync`).then(async (r) => ({ status: r.status, text: await r.text() })),
      405,
      "METHOD_NOT_ALLOWED",
    ],
    ["a hook that throws", (b) => postJson(`${b}/boom/sync`, catsetRequest()), 500, "HOOK_FAILED"],
    [
      "a hook past its budget",
      (b) => postJson(`${b}/slow/sync`, catsetRequest()),
      503,
      "HOOK_TIMEOUT",
    ],
    [
      "a hook answering with a bad response",
      (b) => postJson(`${b}/bad/sync`, catsetRequest()),
      500,
      "INVALID_RESPONSE",
    ],
    ["back-pressure", (b) => postJson(`${b}/busy/sync`, catsetRequest()), 429, "RETRY_LATER"],
  ])("%s", async (_label, send, status, code) => {
    const { logger } = memoryLogger("fatal");
    const controllers = {
      echo,
      boom: defineCompositeController({
        sync: () => {
          throw new Error("kaboom");
        },
      }),
      slow: defineCompositeController({
        timeoutMs: 50,
        sync: () => new Promise<never>(() => {}),
      }),
      bad: defineCompositeController({ sync: () => ({ Children: [] }) as never }),
      busy: defineCompositeController({
        sync: () => {
          throw retryLater(7, "quota");
        },
      }),
    };
    await withServer({ controllers, logger, bodyLimit: big.length - 1 }, async (base) => {
      const res = await send(base);
      expect(res.status).toBe(status);
      const body = JSON.parse(res.text) as { error: { code: string; message: string } };
      expect(body.error.code).toBe(code);
      expect(body.error.message.length).toBeGreaterThan(3);
      // The server keeps serving a good request afterwards, unchanged.
      const ok = await postJson(`${base}/echo/sync`, catsetRequest());
      expect(ok.status).toBe(200);
      expect(ok.json).toEqual({
        status: { seen: "nginx-backend" },
        children: [{ apiVersion: "v1", kind: "Pod", metadata: { name: "p0", labels } }],
      });
    });
  });

  it("answers 429 with Retry-After", async () => {
    const busy = defineCompositeController({
      sync: () => {
        throw retryLater(7.2, "quota");
      },
    });
    await withServer({ controllers: { busy } }, async (base) => {
      const res = await postJson(`${base}/busy/sync`, catsetRequest());
      expect(res.status).toBe(429);
      expect(res.headers.get("retry-after")).toBe("8");
    });
  });

  it("keeps the stack of a throwing hook in the log, not the response", async () => {
    const { logger, lines } = memoryLogger("info");
    const boom = defineCompositeController({
      sync: () => {
        throw new Error("kaboom");
      },
    });
    await withServer({ controllers: { boom }, logger }, async (base) => {
      const res = await postJson(`${base}/boom/sync`, catsetRequest());
      expect(res.text).toContain("kaboom");
      expect(res.text).not.toMatch(/at .*server\.test\.ts/);
    });
    const errorLine = lines()
      .map((l) => JSON.parse(l) as Record<string, unknown>)
      .find((l) => l.level === 50);
    expect(JSON.stringify(errorLine)).toMatch(/server\.test\.ts/);
  });

  it("fits a parent with 5,000 children under the default limit", async () => {
    const request = catsetRequest();
    const template = Object.values(request.children["Pod.v1"] ?? {})[0];
    const pods: Record<string, unknown> = {};
    for (let i = 0; i < 5000; i++) {
      // ~10 KB a pod, like a real Pod with status and managedFields.
      const annotations = { ...template?.metadata?.annotations, padding: "x".repeat(9000) };
      pods[`nginx-backend-${i}`] = {
        ...template,
        metadata: { ...template?.metadata, name: `nginx-backend-${i}`, annotations },
      };
    }
    const body = { ...request, children: { ...request.children, "Pod.v1": pods } };
    expect(JSON.stringify(body).length).toBeGreaterThan(50 * 1000 * 1000);
    await withServer({ controllers: { echo } }, async (base) => {
      const res = await postJson(`${base}/echo/sync`, body);
      expect(res.status).toBe(200);
    });
  });
});

describe("routing", () => {
  it("serves sync/finalize/customize per controller and /<name> per function", async () => {
    const server = createHookServer({
      logger: false,
      controllers: {
        echo,
        deco: defineDecoratorController({
          sync: () => ({ attachments: [] }),
          customize: () => ({ relatedResources: [] }),
        }),
        fn: () => ({ children: [] }),
      },
    });
    expect(server.routes.map((r) => `${r.path} ${r.hook}`)).toEqual([
      "/deco/sync sync",
      "/deco/customize customize",
      "/echo/sync sync",
      "/echo/finalize finalize",
      "/fn function",
    ]);
    await server.app.close();
  });

  it("dispatches finalizing requests on /sync to finalize (shared webhook URL)", async () => {
    await withServer({ controllers: { echo } }, async (base) => {
      const res = await postJson(
        `${base}/echo/sync`,
        fixture("composite-finalize-v1-namespaced-catset.request.json"),
      );
      expect(res.json).toEqual({ status: null, children: [], finalized: true });
      const direct = await postJson(
        `${base}/echo/finalize`,
        fixture("composite-finalize-v1-namespaced-catset.request.json"),
      );
      expect(direct.json).toEqual({ status: null, children: [], finalized: true });
    });
  });

  it("applies the guards to bare functions by the request's shape", async () => {
    await withServer(
      {
        controllers: {
          fn: () => ({ children: [{ apiVersion: "v1", kind: "Secret", metadata: { name: "s" } }] }),
        },
      },
      async (base) => {
        const res = await postJson(`${base}/fn`, catsetRequest());
        expect(res.status).toBe(500);
        expect(res.text).toMatch(/Secret.v1, which is not among the controller's childResources/);
      },
    );
  });

  it("refuses controller names that cannot be a path segment", () => {
    expect(() => createHookServer({ logger: false, controllers: { "a/b": echo } })).toThrow(
      /cannot be a URL path segment/,
    );
  });
});

describe("ETag", () => {
  const tagged = defineCompositeController({ ...echo, etag: true });
  it("tags 200 responses and answers 304 with no body when If-None-Match matches", async () => {
    await withServer({ controllers: { tagged, echo } }, async (base) => {
      const first = await postJson(`${base}/tagged/sync`, catsetRequest());
      const tag = first.headers.get("etag");
      expect(tag).toMatch(/^"[A-Za-z0-9_-]{43}"$/);
      const again = await postJson(`${base}/tagged/sync`, catsetRequest(), {
        "if-none-match": tag ?? "",
      });
      expect(again.status).toBe(304);
      expect(again.text).toBe("");
      const changed = catsetRequest();
      if (changed.parent.metadata) changed.parent.metadata.name = "other";
      const differs = await postJson(`${base}/tagged/sync`, changed, {
        "if-none-match": tag ?? "",
      });
      expect(differs.status).toBe(200);
      expect(differs.headers.get("etag")).not.toBe(tag);
      const untagged = await postJson(`${base}/echo/sync`, catsetRequest());
      expect(untagged.headers.get("etag")).toBeNull();
    });
  });
});

describe("health, readiness, metrics, logs", () => {
  it("serves /healthz, /readyz and Prometheus /metrics", async () => {
    await withServer({ controllers: { echo } }, async (base) => {
      expect((await fetch(`${base}/healthz`)).status).toBe(200);
      expect((await fetch(`${base}/readyz`)).status).toBe(200);
      await postJson(`${base}/echo/sync`, catsetRequest());
      await postJson(`${base}/echo/sync`, { bad: true });
      const metrics = await (await fetch(`${base}/metrics`)).text();
      expect(metrics).toContain(
        'metahook_hook_requests_total{controller="echo",hook="sync",outcome="ok",code="200"} 1',
      );
      expect(metrics).toContain(
        'metahook_hook_requests_total{controller="echo",hook="sync",outcome="invalid_request",code="400"} 1',
      );
      expect(metrics).toMatch(
        /metahook_hook_duration_seconds_bucket\{le="0.1",controller="echo",hook="sync",outcome="ok"\} 1/,
      );
      expect(metrics).toContain("process_cpu_seconds_total");
    });
  });

  it("logs one line per hook call with controller, hook, parent, counts, status and duration", async () => {
    const { logger, lines } = memoryLogger("info");
    await withServer({ controllers: { echo }, logger }, async (base) => {
      await postJson(`${base}/echo/sync`, catsetRequest());
    });
    const calls = lines()
      .map((l) => JSON.parse(l) as Record<string, unknown>)
      .filter((l) => l.msg === "hook call");
    expect(calls).toHaveLength(1);
    expect(calls[0]).toMatchObject({
      controller: "echo",
      hook: "sync",
      parent: "default/nginx-backend",
      observed: 2,
      desired: 1,
      statusCode: 200,
      outcome: "ok",
    });
    expect(typeof calls[0]?.durationMs).toBe("number");
  });

  it.each<[string, HookServerOptions["logger"], boolean]>([
    ["the server's own logger", undefined, true],
    ["the server's own logger at a level of the caller's", { level: "warn" }, true],
    ["pino options of the caller's (they may change the format)", { messageKey: "message" }, false],
    ["a logger of the caller's", memoryLogger("info").logger, false],
  ])("call lines of %s are written directly (or through pino)", async (_label, logger, direct) => {
    const server = createHookServer({ controllers: { echo }, logger });
    try {
      // The server hands its logger to the plugin, which looks the writer up on it.
      expect(lineWriterOf(server.log) !== undefined).toBe(direct);
    } finally {
      await server.close();
    }
  });

  it("never logs Secret data, at any level", async () => {
    const { logger, lines } = memoryLogger("trace");
    const request = fixture<CompositeHookRequest>(
      "composite-sync-v1-cluster-globalconfigmap.request.json",
    );
    request.controller.spec.childResources?.push({ apiVersion: "v1", resource: "secrets" });
    request.children["Secret.v1"] = {
      "first/creds": {
        apiVersion: "v1",
        kind: "Secret",
        metadata: {
          name: "creds",
          namespace: "first",
          annotations: {
            "metacontroller.k8s.io/last-applied-configuration":
              '{"stringData":{"password":"hunter2-observed"}}',
          },
        },
        data: { password: Buffer.from("hunter2-observed").toString("base64") },
      } as never,
    };
    const secrets = defineCompositeController({
      sync: () => ({
        status: null,
        children: [
          {
            apiVersion: "v1",
            kind: "Secret",
            metadata: { name: "creds", namespace: "first" },
            stringData: { password: "hunter2-desired" },
          },
        ],
      }),
    });
    await withServer({ controllers: { secrets }, logger }, async (base) => {
      const res = await postJson(`${base}/secrets/sync`, request);
      expect(res.status).toBe(200);
      expect(res.text).toContain("hunter2-desired");
    });
    const all = lines().join("\n");
    expect(all).toContain("hook payloads");
    expect(all).toContain("[REDACTED]");
    for (const secret of [
      "hunter2-observed",
      "hunter2-desired",
      Buffer.from("hunter2-observed").toString("base64"),
    ]) {
      expect(all).not.toContain(secret);
    }
  });
});

describe("graceful shutdown", () => {
  it("stops being ready, finishes in-flight calls, then closes", async () => {
    let release: () => void = () => {};
    const gate = new Promise<void>((r) => {
      release = r;
    });
    let entered: () => void = () => {};
    const started = new Promise<void>((r) => {
      entered = r;
    });
    const slow = defineCompositeController({
      async sync() {
        entered();
        await gate;
        return { status: null, children: [] };
      },
    });
    const server = createHookServer({ controllers: { slow }, logger: false, shutdownDelayMs: 100 });
    const base = await server.listen({ port: 0, host: "127.0.0.1" });
    const inFlight = postJson(`${base}/slow/sync`, catsetRequest());
    await started;
    const closed = server.close();
    const ready = await fetch(`${base}/readyz`);
    expect(ready.status).toBe(503);
    release();
    const res = await inFlight;
    expect(res.status).toBe(200);
    expect(res.json).toEqual({ status: null, children: [] });
    await closed;
    await expect(fetch(`${base}/healthz`)).rejects.toThrow();
  });
});
