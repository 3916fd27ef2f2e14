import { writeFileSync } from "node:fs";
import { request as httpRequest } from "node:http";
import { Agent, request as httpsRequest } from "node:https";
import { join } from "node:path";
import type { TLSSocket } from "node:tls";
import { makePki, type Pem, type TestPki } from "@metahook/test-support/pki";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  type CompositeHookRequest,
  createHookServer,
  defineCompositeController,
  type HookServerOptions,
} from "../src/index.js";
import { fixture, memoryLogger } from "./helpers.js";

const TOKEN = "tok-3f9a1c77e2b04d51";
const USER = "metacontroller";
const PASSWORD = "pw-8c1e55d0a9";
const BASIC = Buffer.from(`${USER}:${PASSWORD}`).toString("base64");

const body = JSON.stringify(
  fixture<CompositeHookRequest>("composite-sync-v1-namespaced-catset.request.json"),
);
const echo = defineCompositeController({
  sync: ({ parent }) => ({ status: { seen: parent.metadata.name }, children: [] }),
});

interface Call {
  method?: string;
  path: string;
  headers?: Record<string, string>;
  client?: Pem;
  agent?: Agent;
}
interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
  serial: string | undefined;
}

let pki: TestPki;
const logs = memoryLogger("trace");

function call(base: string, pkiCa: string, c: Call): Promise<Answer> {
  const url = new URL(c.path, base);
  const method = c.method ?? "POST";
  return new Promise((resolve, reject) => {
    const req = httpsRequest(
      url,
      {
        method,
        ca: pkiCa,
        ...(c.client ? { cert: c.client.cert, key: c.client.key } : {}),
        ...(c.agent ? { agent: c.agent } : { agent: false }),
        headers: { "content-type": "application/json", ...c.headers },
      },
      (res) => {
        const serial = (res.socket as TLSSocket).getPeerCertificate?.()?.serialNumber;
        let text = "";
        res.on("data", (chunk) => {
          text += chunk;
        });
        res.on("end", () =>
          resolve({ status: res.statusCode ?? 0, headers: res.headers, text, serial }),
        );
      },
    );
    req.on("error", reject);
    req.end(method === "POST" ? body : undefined);
  });
}

/** Writes `content` to a file of the PKI directory and returns its path. */
function file(name: string, content: string): string {
  const path = join(pki.dir, name);
  writeFileSync(path, content);
  return path;
}

async function withSecureServer<T>(
  options: Omit<HookServerOptions, "controllers">,
  fn: (base: string) => Promise<T>,
): Promise<T> {
  const server = createHookServer({ controllers: { echo }, logger: logs.logger, ...options });
  const base = await server.listen({ port: 0, host: "127.0.0.1" });
  try {
    return await fn(base);
  } finally {
    await server.close();
  }
}

beforeAll(() => {
  pki = makePki();
});
afterAll(() => pki?.cleanup());

const until = async (what: () => Promise<boolean>, ms: number) => {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (await what()) return true;
    await new Promise((r) => setTimeout(r, 25));
  }
  return false;
};

describe("every auth mode with right, wrong and missing credentials", () => {
  type Mode = "bearer" | "basic" | "mtls";
  const options = (mode: Mode): Omit<HookServerOptions, "controllers"> => {
    const server = pki.server(1);
    const tls = { certFile: file("s.crt", server.cert), keyFile: file("s.key", server.key) };
    if (mode === "mtls")
      return { tls: { ...tls, clientCaFile: file("client-ca.crt", pki.ca.cert) } };
    if (mode === "bearer") return { tls, auth: { bearerTokenFile: file("token", `${TOKEN}\n`) } };
    return { tls, auth: { basicAuthFile: file("basic", `${USER}:${PASSWORD}\n`) } };
  };
  it.each<[Mode, string, Omit<Call, "path">, number, string | undefined]>([
    ["bearer", "right token", { headers: { authorization: `Bearer ${TOKEN}` } }, 200, undefined],
    [
      "bearer",
      "scheme in lower case",
      { headers: { authorization: `bearer ${TOKEN}` } },
      200,
      undefined,
    ],
    [
      "bearer",
      "wrong token",
      { headers: { authorization: `Bearer ${TOKEN}x` } },
      401,
      'Bearer realm="metahook"',
    ],
    [
      "bearer",
      "token prefix",
      { headers: { authorization: `Bearer ${TOKEN.slice(0, 5)}` } },
      401,
      'Bearer realm="metahook"',
    ],
    ["bearer", "missing", {}, 401, 'Bearer realm="metahook"'],
    [
      "bearer",
      "basic instead",
      { headers: { authorization: `Basic ${BASIC}` } },
      401,
      'Bearer realm="metahook"',
    ],
    [
      "basic",
      "right user and password",
      { headers: { authorization: `Basic ${BASIC}` } },
      200,
      undefined,
    ],
    [
      "basic",
      "wrong password",
      { headers: { authorization: `Basic ${Buffer.from(`${USER}:nope`).toString("base64")}` } },
      401,
      'Basic realm="metahook", charset="UTF-8"',
    ],
    ["basic", "missing", {}, 401, 'Basic realm="metahook", charset="UTF-8"'],
    [
      "basic",
      "bearer instead",
      { headers: { authorization: `Bearer ${TOKEN}` } },
      401,
      'Basic realm="metahook", charset="UTF-8"',
    ],
    ["mtls", "client certificate from the CA", { client: undefined as never }, 200, undefined],
    ["mtls", "certificate from another CA", { client: "stranger" as never }, 401, undefined],
    ["mtls", "no certificate", {}, 401, undefined],
  ])("%s, %s: %s", async (mode, _name, given, status, challenge) => {
    const client =
      mode !== "mtls" || !("client" in given)
        ? undefined
        : (given.client as unknown) === "stranger"
          ? pki.strangerClient
          : pki.client;
    await withSecureServer(options(mode), async (base) => {
      expect(base.startsWith("https://")).toBe(true);
      const res = await call(base, pki.ca.cert, { ...given, client, path: "/echo/sync" });
      expect(res.status).toBe(status);
      expect(res.headers["www-authenticate"]).toBe(challenge);
      const json = JSON.parse(res.text);
      if (status === 200) expect(json).toEqual({ status: { seen: "nginx-backend" }, children: [] });
      else expect(json.error.code).toBe("UNAUTHORIZED");
      // Probes and Prometheus need no credentials.
      for (const path of ["/healthz", "/readyz", "/metrics"]) {
        expect((await call(base, pki.ca.cert, { method: "GET", path })).status).toBe(200);
      }
    });
  });

  it("refuses plain HTTP on the HTTPS port", async () => {
    await withSecureServer(options("bearer"), async (base) => {
      const plain = base.replace("https://", "http://");
      const outcome = await new Promise<string>((resolve) => {
        const req = httpRequest(`${plain}/healthz`, (res) => resolve(`status ${res.statusCode}`));
        req.on("error", (error) => resolve(`error ${error.message}`));
        req.end();
      });
      expect(outcome).not.toBe("status 200");
      expect(outcome.startsWith("error") || outcome === "status 400").toBe(true);
    });
  });

  it("protects /metrics when asked", async () => {
    const base = options("bearer");
    await withSecureServer(
      { ...base, auth: { ...base.auth, protectMetrics: true } },
      async (url) => {
        expect((await call(url, pki.ca.cert, { method: "GET", path: "/metrics" })).status).toBe(
          401,
        );
        const ok = await call(url, pki.ca.cert, {
          method: "GET",
          path: "/metrics",
          headers: { authorization: `Bearer ${TOKEN}` },
        });
        expect(ok.status).toBe(200);
        expect(ok.text).toContain("metahook_hook_requests_total");
      },
    );
  });

  it.each<[string, () => HookServerOptions["auth"] | HookServerOptions["tls"], string]>([
    ["an empty token file", () => ({ bearerTokenFile: file("empty", "\n") }), "is empty"],
    ["a missing token file", () => ({ bearerTokenFile: join(pki.dir, "nope") }), "cannot be read"],
    ["basic without a colon", () => ({ basicAuthFile: file("b2", "justuser") }), "user:password"],
    [
      "both bearer and basic",
      () => ({ bearerTokenFile: file("t2", TOKEN), basicAuthFile: file("b3", "a:b") }),
      "not both",
    ],
  ])("refuses %s at start-up, saying what to fix", (_name, auth, message) => {
    expect(() =>
      createHookServer({ controllers: { echo }, logger: false, auth: auth() as never }),
    ).toThrow(message);
  });
});

describe("rotation", () => {
  it("re-reads the token file: the new token is taken, the old one refused", async () => {
    const server = pki.server(1);
    const tokenFile = file("rotating-token", TOKEN);
    await withSecureServer(
      {
        tls: { certFile: file("r.crt", server.cert), keyFile: file("r.key", server.key) },
        auth: { bearerTokenFile: tokenFile, reloadIntervalMs: 20 },
      },
      async (base) => {
        const with_ = (token: string) =>
          call(base, pki.ca.cert, {
            path: "/echo/sync",
            headers: { authorization: `Bearer ${token}` },
          });
        expect((await with_(TOKEN)).status).toBe(200);
        writeFileSync(tokenFile, "tok-rotated-2\n");
        expect(await until(async () => (await with_("tok-rotated-2")).status === 200, 5_000)).toBe(
          true,
        );
        expect((await with_(TOKEN)).status).toBe(401);
      },
    );
  });

  it("takes a new certificate during a stream of calls without a failed call", async () => {
    const first = pki.server(11);
    const second = pki.server(12);
    const certFile = file("stream.crt", first.cert);
    const keyFile = file("stream.key", first.key);
    await withSecureServer({ tls: { certFile, keyFile, reloadIntervalMs: 20 } }, async (base) => {
      const keepAlive = new Agent({ keepAlive: true, maxSockets: 4, ca: pki.ca.cert });
      const serials = new Set<string | undefined>();
      let failed = 0;
      let calls = 0;
      let rotated = false;
      const stream = async (agent: Agent | undefined) => {
        while (!rotated || calls < 400) {
          const res = await call(base, pki.ca.cert, {
            path: "/echo/sync",
            ...(agent ? { agent } : {}),
          }).catch(() => undefined);
          calls++;
          if (res?.status !== 200) failed++;
          else if (!agent) serials.add(res.serial);
          if (calls > 3_000) break;
        }
      };
      const streams = [stream(keepAlive), stream(keepAlive), stream(undefined)];
      await new Promise((r) => setTimeout(r, 100));
      // The order cert-manager's Secret volume cannot guarantee: the key first, then the cert.
      writeFileSync(keyFile, second.key);
      writeFileSync(certFile, second.cert);
      const seen = await until(async () => serials.has("0C"), 5_000);
      rotated = true;
      await Promise.all(streams);
      keepAlive.destroy();
      expect(seen).toBe(true);
      expect(serials).toEqual(new Set(["0B", "0C"]));
      expect(failed).toBe(0);
      expect(calls).toBeGreaterThanOrEqual(400);
    });
  });
});

describe("logs", () => {
  it("never carry a credential, token or key, at any level", () => {
    const text = logs.lines().join("\n");
    // Written by the tests above, at trace level: refusals and reloads are in there.
    expect(text).toContain(`"code":"UNAUTHORIZED"`);
    expect(text).toContain("TLS certificate reloaded");
    expect(text).toContain("credentials reloaded");
    for (const secret of [
      TOKEN,
      "tok-rotated-2",
      PASSWORD,
      BASIC,
      "PRIVATE KEY",
      TOKEN.slice(0, 5) + TOKEN.slice(5),
    ]) {
      expect(text).not.toContain(secret);
    }
  });
});
