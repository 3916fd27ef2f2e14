import { describe, expect, it } from "vitest";
import {
  type CompositeHookRequest,
  defineCompositeController,
  type HookContext,
  HookError,
} from "../src/index.js";
import { invokeHook } from "../src/testing.js";
import { fixture } from "./helpers.js";

const request = () =>
  fixture<CompositeHookRequest>("composite-sync-v1-namespaced-catset.request.json");
const never = () => new Promise<never>(() => {});
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe("the time budget and context.signal", () => {
  it.each<[string, (context: HookContext) => Promise<unknown>]>([
    [
      "a signal read before the budget runs out is aborted when it does",
      async (context) => {
        const signal = context.signal;
        await new Promise((_, reject) =>
          signal.addEventListener("abort", () => reject(signal.reason)),
        );
      },
    ],
    [
      "a signal first read after the budget ran out is already aborted",
      async (context) => {
        await sleep(60);
        if (!context.signal.aborted) throw new Error("signal not aborted");
        return never();
      },
    ],
    ["a hook that never settles", () => never()],
  ])("%s: HOOK_TIMEOUT", async (_label, sync) => {
    let seen: AbortSignal | undefined;
    const controller = defineCompositeController({
      timeoutMs: 20,
      sync: (_request, context) =>
        sync({
          ...context,
          controller: context.controller,
          hook: context.hook,
          hookVersion: context.hookVersion,
          log: context.log,
          get signal() {
            seen = context.signal;
            return seen;
          },
        }) as never,
    });
    const error = await invokeHook(controller, request()).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(HookError);
    expect((error as HookError).code).toBe("HOOK_TIMEOUT");
    if (seen) {
      await sleep(70);
      expect(seen.aborted).toBe(true);
      expect((seen.reason as HookError).code).toBe("HOOK_TIMEOUT");
    }
  });

  it.each<[string, (context: HookContext) => unknown]>([
    ["a synchronous hook", () => ({ children: [] })],
    ["an asynchronous hook within its budget", async () => ({ children: [] })],
    [
      "a hook that reads the signal and finishes in time",
      (context) => ({ children: [], status: { aborted: context.signal.aborted } }),
    ],
  ])("%s: answered, with the context's fields set", async (_label, sync) => {
    let context: HookContext | undefined;
    const controller = defineCompositeController({
      timeoutMs: 1000,
      sync: (_request, c) => {
        context = c;
        return sync(c) as never;
      },
    });
    const response = await invokeHook(controller, request());
    expect(response.children).toEqual([]);
    expect(context?.controller).toBe("test");
    expect(context?.hook).toBe("sync");
    expect(context?.hookVersion).toBe("v1");
    expect(typeof context?.log.info).toBe("function");
  });
});

// What the guards read is converted before they check it; the rest is serialized by the one
// JSON.stringify. Both paths (guarded parts only, and everything when validating) must answer
// alike: the body JSON.stringify would write, or one INVALID_RESPONSE.
describe("responses that are not plain JSON", () => {
  class Name {
    constructor(readonly value: string) {}
    toJSON() {
      return this.value;
    }
  }
  const cyclic = () => {
    const a: { self?: unknown } = {};
    a.self = a;
    return a;
  };
  // The fixture's parent selects app=nginx,component=backend.
  const pod = (metadata: { name: unknown; labels?: object }, spec: object = {}) => ({
    apiVersion: "v1",
    kind: "Pod",
    metadata: { ...metadata, labels: { app: "nginx", component: "backend", ...metadata.labels } },
    spec: { containers: [{ name: "web", image: "nginx" }], ...spec },
  });
  it.each<[string, () => unknown, string | RegExp]>([
    [
      "toJSON in metadata is what the guards check",
      () => ({
        status: {},
        children: [pod({ name: new Name("web-0"), labels: { app: new Name("nginx") } })],
      }),
      '{"status":{},"children":[{"apiVersion":"v1","kind":"Pod","metadata":{"name":"web-0","labels":{"app":"nginx","component":"backend"}},"spec":{"containers":[{"name":"web","image":"nginx"}]}}]}',
    ],
    [
      "undefined, Dates and NaN below the metadata are serialized as JSON.stringify does",
      () => ({
        status: { since: new Date(0), gone: undefined, ratio: Number.NaN },
        children: [pod({ name: "web-0" }, { hostname: undefined, at: new Date(0) })],
      }),
      '{"status":{"since":"1970-01-01T00:00:00.000Z","ratio":null},"children":[{"apiVersion":"v1","kind":"Pod","metadata":{"name":"web-0","labels":{"app":"nginx","component":"backend"}},"spec":{"containers":[{"name":"web","image":"nginx"}],"at":"1970-01-01T00:00:00.000Z"}}]}',
    ],
    [
      "a label whose toJSON is not a string is refused",
      () => ({
        status: {},
        children: [pod({ name: "web-0", labels: { n: { toJSON: () => 1 } } })],
      }),
      /metadata\.labels\["n"\]: must be a string/,
    ],
    [
      "a cycle deep in a spec is refused",
      () => ({ status: {}, children: [pod({ name: "web-0" }, { loop: cyclic() })] }),
      /cannot be serialized as JSON: .*circular/i,
    ],
    [
      "a BigInt in the status is refused",
      () => ({ status: { count: 1n }, children: [] }),
      /cannot be serialized as JSON: .*BigInt/,
    ],
    [
      "a BigInt in the metadata is refused",
      () => ({ status: {}, children: [pod({ name: "web-0", labels: { n: 1n } })] }),
      /cannot be serialized as JSON: .*BigInt/,
    ],
  ])("%s", async (_label, answer, want) => {
    const controller = defineCompositeController({ sync: () => answer() as never });
    for (const validate of [false, true]) {
      const got = await invokeHook(controller, request(), { validate }).then(
        (response) => JSON.stringify(response),
        (error: unknown) => error,
      );
      if (typeof want === "string") {
        expect(got, `validate: ${validate}`).toBe(want);
      } else {
        expect(got, `validate: ${validate}`).toBeInstanceOf(HookError);
        expect((got as HookError).code).toBe("INVALID_RESPONSE");
        expect((got as HookError).message).toMatch(want);
      }
    }
  });
});
