// What a user tried by hand and must keep holding: a long stream of calls, slow-header clients,
// fuzzed requests. Sized for two shared cores: counts are fixed, not timed.
import { connect, type Socket } from "node:net";
import { describe, expect, it } from "vitest";
import {
  type CompositeHookRequest,
  createHookServer,
  defineCompositeController,
} from "../src/index.js";
import { fixture, fixtureNames, postJson } from "./helpers.js";

const catset = () =>
  fixture<CompositeHookRequest>("composite-sync-v1-namespaced-catset.request.json");

const echo = defineCompositeController({
  sync: ({ parent }) => ({
    status: { seen: parent.metadata.name },
    children: [
      {
        apiVersion: "v1",
        kind: "Pod",
        metadata: {
          name: `${parent.metadata.name}-0`,
          labels: { app: "nginx", component: "backend" },
        },
      },
    ],
  }),
});

describe("soak", () => {
  it("answers 20,000 calls over 64 connections without an error, memory flat", async () => {
    const server = createHookServer({ controllers: { echo }, logger: false });
    const base = await server.listen({ port: 0, host: "127.0.0.1" });
    const body = JSON.stringify(catset());
    const total = 20_000;
    const connections = 64;
    let sent = 0;
    let failed = 0;
    const rss: number[] = [];
    try {
      const worker = async () => {
        while (sent < total) {
          sent++;
          const res = await postJson(`${base}/echo/sync`, body).catch(() => undefined);
          if (res?.status !== 200) failed++;
          if (sent % 2_500 === 0) rss.push(process.memoryUsage().rss);
        }
      };
      await Promise.all(Array.from({ length: connections }, worker));
    } finally {
      await server.close();
    }
    expect(failed).toBe(0);
    expect(sent).toBeGreaterThanOrEqual(total);
    // After warm-up (the first quarter), RSS must not keep climbing: a leak of even 1 KiB per call
    // would add 15 MiB over the last 15,000 calls; allow 64 MiB for GC timing and the client.
    const warm = rss.slice(2);
    const growth = Math.max(...warm) - (warm[0] ?? 0);
    expect(growth).toBeLessThan(64 * 1024 * 1024);
  });
});

describe("slow-header clients", () => {
  it("300 clients trickling headers do not starve a normal call", async () => {
    const server = createHookServer({ controllers: { echo }, logger: false });
    const base = await server.listen({ port: 0, host: "127.0.0.1" });
    const url = new URL(base);
    const sockets: Socket[] = [];
    const timers: NodeJS.Timeout[] = [];
    try {
      await Promise.all(
        Array.from(
          { length: 300 },
          () =>
            new Promise<void>((resolve) => {
              const socket = connect(Number(url.port), url.hostname, () => {
                socket.write("POST /echo/sync HTTP/1.1\r\nhost: x\r\n");
                resolve();
              });
              socket.on("error", () => resolve());
              sockets.push(socket);
              // One header byte every 200 ms: the request never completes during the test.
              timers.push(setInterval(() => socket.writable && socket.write("x"), 200));
            }),
        ),
      );
      const started = performance.now();
      const res = await postJson(`${base}/echo/sync`, catset());
      const ms = performance.now() - started;
      expect(res.status).toBe(200);
      expect(res.json).toMatchObject({ status: { seen: "nginx-backend" } });
      // Generous for a loaded CI machine; starvation would mean waiting on a 60 s header timeout.
      expect(ms).toBeLessThan(5_000);
      expect((await fetch(`${base}/readyz`)).status).toBe(200);
    } finally {
      for (const t of timers) clearInterval(t);
      for (const s of sockets) s.destroy();
      await server.close();
    }
  });
});

// mulberry32: a small seeded generator, so a failure names a seed that reproduces it.
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

const ODD_VALUES: Json[] = [
  null,
  0,
  -1,
  1e308,
  "",
  "x".repeat(10_000),
  [],
  {},
  true,
  "\u0000",
  { a: [[[]]] },
];

/** Every path to a value in a JSON document. */
function paths(value: Json, prefix: (string | number)[] = [], out: (string | number)[][] = []) {
  out.push(prefix);
  if (Array.isArray(value)) {
    for (const [i, v] of value.entries()) paths(v, [...prefix, i], out);
  } else if (value && typeof value === "object")
    for (const [k, v] of Object.entries(value)) paths(v, [...prefix, k], out);
  return out;
}

function mutate(doc: Json, random: () => number): { text: string; contentType: string } {
  const pick = <T>(list: readonly T[]): T => list[Math.floor(random() * list.length)] as T;
  const copy = structuredClone(doc);
  const all = paths(copy).filter((p) => p.length > 0);
  const operations = 1 + Math.floor(random() * 3);
  for (let i = 0; i < operations; i++) {
    const path = pick(all);
    // Paths found before earlier operations of this round may be gone: walk while there is a way.
    let parent: Json | undefined = copy;
    for (const key of path.slice(0, -1)) {
      if (parent === null || typeof parent !== "object") break;
      parent = (parent as { [key: string]: Json })[key as string];
    }
    if (parent === null || parent === undefined || typeof parent !== "object") continue;
    const last = path.at(-1) as string;
    const op = random();
    if (op < 0.4) (parent as { [key: string]: Json })[last] = pick(ODD_VALUES);
    else if (op < 0.7) {
      if (Array.isArray(parent)) parent.splice(Number(last), 1);
      else delete parent[last];
    } else (parent as { [key: string]: Json })[`${last}_${i}`] = pick(ODD_VALUES);
  }
  let text = JSON.stringify(copy);
  const byteOp = random();
  if (byteOp < 0.1) text = text.slice(0, Math.floor(random() * text.length));
  else if (byteOp < 0.15) {
    const at = Math.floor(random() * text.length);
    text = `${text.slice(0, at)}${pick(["{", "}", '"', "\\", "\u00ff", ","])}${text.slice(at + 1)}`;
  }
  const contentType =
    random() < 0.03
      ? pick(["text/plain", "application/x-www-form-urlencoded", ""])
      : "application/json";
  return { text, contentType };
}

describe("fuzz", () => {
  const SEED = 0x12c0ffee;
  it(`1,500 mutated fixture requests (seed ${SEED}): no crash, every answer JSON with a known status`, async () => {
    const requests = fixtureNames()
      .filter((f) => f.endsWith(".request.json"))
      .map((f) => fixture<Json>(f));
    expect(requests.length).toBeGreaterThan(5);
    const decorate = (request: { [key: string]: unknown }) =>
      "object" in request
        ? { labels: {}, attachments: [], status: null }
        : "children" in request || "finalizing" in request
          ? { status: null, children: [] }
          : { relatedResources: [] };
    const server = createHookServer({
      controllers: { echo, fn: (request: never) => decorate(request) },
      logger: false,
    });
    const base = await server.listen({ port: 0, host: "127.0.0.1" });
    const random = rng(SEED);
    const statuses = new Map<number, number>();
    try {
      for (let i = 0; i < 1_500; i++) {
        const original = requests[Math.floor(random() * requests.length)] as Json;
        const { text, contentType } = mutate(original, random);
        const path = random() < 0.5 ? "/echo/sync" : "/fn";
        const res = await fetch(`${base}${path}`, {
          method: "POST",
          headers: contentType ? { "content-type": contentType } : {},
          body: text,
        });
        const answer = await res.text();
        statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
        const context = `seed ${SEED}, request ${i} to ${path}: ${res.status} ${answer.slice(0, 200)}`;
        expect([200, 400, 413, 415, 500], context).toContain(res.status);
        const parsed = JSON.parse(answer) as { error?: { code: string; message: string } };
        if (res.status === 200) expect(parsed.error, context).toBeUndefined();
        else {
          expect(typeof parsed.error?.code, context).toBe("string");
          expect(parsed.error?.message.length, context).toBeGreaterThan(0);
        }
      }
      expect((await postJson(`${base}/echo/sync`, catset())).status).toBe(200);
    } finally {
      await server.close();
    }
    // Both accepted and refused requests were exercised.
    expect(statuses.get(200)).toBeGreaterThan(0);
    expect(statuses.get(400)).toBeGreaterThan(0);
  });
});
