import { Writable } from "node:stream";
import { pino } from "pino";
import { describe, expect, it } from "vitest";
import { type CallLineFields, callBindings, callLine } from "../src/call-line.js";

const TIME = ',"time":"2026-12-01T00:00:00.000Z"';

// What pino itself writes for the same call, with the hook server's logger options.
function pinoLine(controller: string, hook: string, fields: object, msg: string): string {
  let out = "";
  const stream = new Writable({
    write(chunk, _enc, cb) {
      out += String(chunk);
      cb();
    },
  });
  const log = pino({ level: "info", base: undefined, timestamp: () => TIME }, stream);
  log.child({ controller, hook }).info(fields, msg);
  return out;
}

describe("callLine writes the line pino would", () => {
  it.each<[string, string, string, CallLineFields]>([
    [
      "an answered sync",
      "blogs",
      "sync",
      {
        parent: "blogs/tech-blog",
        observed: 0,
        desired: 7,
        statusCode: 200,
        outcome: "ok",
        durationMs: 0.123,
      },
    ],
    [
      "a 304 with whole milliseconds",
      "cats",
      "finalize",
      {
        parent: "ns/x",
        observed: 3,
        desired: 3,
        statusCode: 304,
        outcome: "not_modified",
        durationMs: 12,
      },
    ],
    [
      "a parent name that needs escaping",
      "fn",
      "function",
      {
        parent: 'odd "name"\\ with ü and \u0001',
        observed: 1,
        desired: 0,
        statusCode: 200,
        outcome: "ok",
        durationMs: 1.5,
      },
    ],
    [
      "fields left out when unknown",
      "fn",
      "customize",
      {
        parent: undefined,
        observed: undefined,
        desired: undefined,
        statusCode: 200,
        outcome: "ok",
        durationMs: 0,
      },
    ],
  ])("%s", (_label, controller, hook, fields) => {
    const want = pinoLine(controller, hook, fields, "hook call");
    expect(callLine(TIME, callBindings(controller, hook), fields, "hook call")).toBe(want);
    expect(JSON.parse(want)).toMatchObject({ controller, hook, msg: "hook call" });
  });
});
