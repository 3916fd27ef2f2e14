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
