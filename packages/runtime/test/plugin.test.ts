import Fastify, { type FastifyInstance } from "fastify";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  type CompositeHookRequest,
  defineCompositeController,
  type MetahookPluginOptions,
  metahookPlugin,
} from "../src/index.js";
import { fixture } from "./helpers.js";

const catsetRequest = () =>
  fixture<CompositeHookRequest>("composite-sync-v1-namespaced-catset.request.json");
const labels = { app: "nginx", component: "backend" };

const echo = defineCompositeController({
  sync: ({ parent }) => ({
    status: { seen: parent.metadata?.name },
    children: [{ apiVersion: "v1", kind: "Pod", metadata: { name: "p0", labels } }],
  }),
});

/** A user's own app: its routes, its parsers, its 404; the hooks mounted under a prefix. */
async function userApp(options: Partial<MetahookPluginOptions> = {}): Promise<FastifyInstance> {
  const app = Fastify({ logger: false });
  app.post("/api/echo", async (request) => ({ got: request.body }));
  app.post("/api/text", async (request) => ({ length: String(request.body).length }));
  app.get("/api/hello", async () => ({ hello: "world" }));
  app.setNotFoundHandler((_request, reply) => reply.code(404).send({ mine: true }));
  await app.register(metahookPlugin, { controllers: { echo }, prefix: "/hooks", ...options });
  await app.ready();
  return app;
}

interface Case {
  method: "GET" | "POST" | "PUT";
  url: string;
  contentType?: string;
  body?: string;
  status: number;
  want: (body: string, headers: Record<string, unknown>) => void;
}

describe("metahookPlugin mounted under a prefix beside the user's routes", () => {
  let app: FastifyInstance;
  beforeAll(async () => {
    app = await userApp();
  });
  afterAll(async () => {
    await app.close();
  });

  it.each<[string, Case]>([
    [
      "the hook answers under the prefix",
      {
        method: "POST",
        url: "/hooks/echo/sync",
        contentType: "application/json",
        body: JSON.stringify(catsetRequest()),
        status: 200,
        want: (body) =>
          expect(JSON.parse(body)).toEqual({
            status: { seen: "nginx-backend" },
            children: [{ apiVersion: "v1", kind: "Pod", metadata: { name: "p0", labels } }],
          }),
      },
    ],
    [
      "the hook keeps its guards",
      {
        method: "POST",
        url: "/hooks/echo/sync",
        contentType: "application/json",
        body: JSON.stringify({ bad: true }),
        status: 400,
        want: (body) => expect(JSON.parse(body).error.code).toBe("INVALID_REQUEST"),
      },
    ],
    [
      "the hook refuses text/plain with 415",
      {
        method: "POST",
        url: "/hooks/echo/sync",
        contentType: "text/plain",
        body: "{}",
        status: 415,
        want: (body) => expect(JSON.parse(body).error.code).toBe("UNSUPPORTED_MEDIA_TYPE"),
      },
    ],
    [
      "the hook answers malformed JSON with its own 400",
      {
        method: "POST",
        url: "/hooks/echo/sync",
        contentType: "application/json",
        body: "{nope",
        status: 400,
        want: (body) => expect(JSON.parse(body).error.code).toBe("MALFORMED_REQUEST"),
      },
    ],
    [
      "the user's JSON route still parses JSON with fastify's parser",
      {
        method: "POST",
        url: "/api/echo",
        contentType: "application/json",
        body: '{"a":[1,2]}',
        status: 200,
        want: (body) => expect(JSON.parse(body)).toEqual({ got: { a: [1, 2] } }),
      },
    ],
    [
      "the user's text/plain route still gets its body",
      {
        method: "POST",
        url: "/api/text",
        contentType: "text/plain",
        body: "hello",
        status: 200,
        want: (body) => expect(JSON.parse(body)).toEqual({ length: 5 }),
      },
    ],
    [
      "the user's malformed JSON gets fastify's own error, not the hook's",
      {
        method: "POST",
        url: "/api/echo",
        contentType: "application/json",
        body: "{nope",
        status: 400,
        want: (body) => expect(JSON.parse(body).code).toBe("FST_ERR_CTP_INVALID_JSON_BODY"),
      },
    ],
    [
      "the user's GET route",
      {
        method: "GET",
        url: "/api/hello",
        status: 200,
        want: (body) => expect(JSON.parse(body)).toEqual({ hello: "world" }),
      },
    ],
    [
      "health under the prefix",
      {
        method: "GET",
        url: "/hooks/healthz",
        status: 200,
        want: (body) => expect(JSON.parse(body)).toEqual({ status: "ok" }),
      },
    ],
    [
      "readiness under the prefix",
      {
        method: "GET",
        url: "/hooks/readyz",
        status: 200,
        want: (body) => expect(JSON.parse(body)).toEqual({ status: "ready" }),
      },
    ],
    [
      "metrics under the prefix",
      {
        method: "GET",
        url: "/hooks/metrics",
        status: 200,
        want: (body, headers) => {
          expect(String(headers["content-type"])).toMatch(/^text\/plain/);
          expect(body).toContain("# TYPE metahook_hook_requests_total counter");
        },
      },
    ],
    [
      "an unknown path under the prefix gets the hooks' 404",
      {
        method: "POST",
        url: "/hooks/nope/sync",
        contentType: "application/json",
        body: "{}",
        status: 404,
        want: (body) => {
          const error = JSON.parse(body).error;
          expect(error.code).toBe("NOT_FOUND");
          expect(error.message).toContain("/hooks/echo/sync");
        },
      },
    ],
    [
      "an unknown path outside the prefix gets the user's 404",
      {
        method: "GET",
        url: "/elsewhere",
        status: 404,
        want: (body) => expect(JSON.parse(body)).toEqual({ mine: true }),
      },
    ],
    [
      "another method on a hook gets 405",
      {
        method: "PUT",
        url: "/hooks/echo/sync",
        contentType: "application/json",
        body: "{}",
        status: 405,
        want: (body, headers) => {
          expect(JSON.parse(body).error.code).toBe("METHOD_NOT_ALLOWED");
          expect(headers.allow).toBe("POST");
        },
      },
    ],
  ])("%s", async (_label, c) => {
    const res = await app.inject({
      method: c.method,
      url: c.url,
      ...(c.contentType ? { headers: { "content-type": c.contentType } } : {}),
      ...(c.body === undefined ? {} : { payload: c.body }),
    });
    expect(res.statusCode).toBe(c.status);
    c.want(res.body, res.headers);
  });

  it("counts hook calls in its metrics", async () => {
    await app.inject({
      method: "POST",
      url: "/hooks/echo/sync",
      headers: { "content-type": "application/json" },
      payload: JSON.stringify(catsetRequest()),
    });
    const metrics = (await app.inject({ method: "GET", url: "/hooks/metrics" })).body;
    expect(metrics).toMatch(
      /metahook_hook_requests_total\{controller="echo",hook="sync",outcome="ok",code="200"\} [1-9]/,
    );
    expect(metrics).toMatch(
      /metahook_hook_duration_seconds_count\{controller="echo",hook="sync",outcome="ok"\} [1-9]/,
    );
  });
});

describe("metahookPlugin options", () => {
  it.each<[string, Partial<MetahookPluginOptions>, string, number]>([
    ["health off", { health: false }, "/hooks/healthz", 404],
    ["readiness off", { readiness: false }, "/hooks/readyz", 404],
    ["metrics off", { metrics: false }, "/hooks/metrics", 404],
    ["readiness from a function", { readiness: () => false }, "/hooks/readyz", 503],
  ])("%s", async (_label, options, url, status) => {
    const app = await userApp(options);
    try {
      expect((await app.inject({ method: "GET", url })).statusCode).toBe(status);
    } finally {
      await app.close();
    }
  });

  it("leaves 404s to the app with notFound: false", async () => {
    const app = await userApp({ notFound: false });
    try {
      const res = await app.inject({ method: "GET", url: "/hooks/nope" });
      expect(res.statusCode).toBe(404);
      expect(JSON.parse(res.body)).toEqual({ mine: true });
    } finally {
      await app.close();
    }
  });

  it("fails registration for a bad controller name, naming it", async () => {
    const app = Fastify({ logger: false });
    await expect(
      app.register(metahookPlugin, { controllers: { "a/b": echo } }).ready(),
    ).rejects.toThrow(/"a\/b" cannot be a URL path segment/);
    await app.close();
  });

  it("serves two prefixes side by side, each with its own metrics", async () => {
    const app = Fastify({ logger: false });
    await app.register(metahookPlugin, { controllers: { echo }, prefix: "/a" });
    await app.register(metahookPlugin, { controllers: { echo }, prefix: "/b" });
    try {
      const post = (url: string) =>
        app.inject({
          method: "POST",
          url,
          headers: { "content-type": "application/json" },
          payload: JSON.stringify(catsetRequest()),
        });
      expect((await post("/a/echo/sync")).statusCode).toBe(200);
      expect((await post("/a/echo/sync")).statusCode).toBe(200);
      expect((await post("/b/echo/sync")).statusCode).toBe(200);
      const count = async (prefix: string) =>
        /metahook_hook_requests_total\{[^}]*outcome="ok"[^}]*\} (\d+)/.exec(
          (await app.inject({ method: "GET", url: `${prefix}/metrics` })).body,
        )?.[1];
      expect(await count("/a")).toBe("2");
      expect(await count("/b")).toBe("1");
    } finally {
      await app.close();
    }
  });
});
