import { describe, expect, it } from "vitest";
import { toWire, WireError } from "../src/wire.js";

class Quantity {
  constructor(readonly value: string) {}
  toJSON() {
    return this.value;
  }
}

const deep = (n: number): unknown => (n === 0 ? { leaf: true } : { next: deep(n - 1) });

describe("toWire is what JSON.stringify writes, read back", () => {
  it.each<[string, unknown]>([
    ["a plain object", { a: 1, b: ["x", true, null], c: { d: "e" } }],
    ["undefined fields dropped", { a: undefined, b: 1, c: { d: undefined } }],
    [
      "undefined, functions and symbols in arrays become null",
      [undefined, () => 1, Symbol("s"), 2],
    ],
    ["functions and symbols in objects dropped", { f: () => 1, s: Symbol("s"), k: "v" }],
    [
      "non-finite numbers become null",
      { a: Number.NaN, b: Number.POSITIVE_INFINITY, c: [-Infinity] },
    ],
    [
      "toJSON applied (kubernetes-models classes, Date)",
      { q: new Quantity("1Gi"), d: new Date(0) },
    ],
    [
      "toJSON gets its key",
      { k: { toJSON: (key: string) => `key=${key}` }, l: [{ toJSON: (key: string) => key }] },
    ],
    ["boxed primitives unwrapped", { n: Object(1), s: Object("x"), b: Object(false) }],
    ["a Map and a Set are empty objects", { m: new Map([[1, 2]]), s: new Set([1]) }],
    [
      "shared (not cyclic) references",
      (() => {
        const x = { a: 1 };
        return { x, y: x, z: [x, x] };
      })(),
    ],
    ["nesting deeper than the walk's limit", deep(150)],
    ["a top-level undefined", undefined],
    ["a top-level primitive", "text"],
    ["a changed field after unchanged ones keeps order", { a: 1, b: 2, c: undefined, d: 4 }],
  ])("%s", (_label, value) => {
    const text = JSON.stringify(value);
    const want = text === undefined ? undefined : JSON.parse(text);
    const got = toWire(value);
    expect(got).toEqual(want);
    expect(JSON.stringify(got)).toBe(text);
  });

  it("returns plain JSON as it is, without copying", () => {
    const value = { a: [1, { b: "c" }], d: { e: null } };
    expect(toWire(value)).toBe(value);
  });

  it.each<[string, () => unknown, RegExp]>([
    [
      "a cycle",
      () => {
        const a: { self?: unknown } = {};
        a.self = a;
        return { a };
      },
      /circular/i,
    ],
    ["a BigInt", () => ({ n: 10n }), /BigInt/],
  ])("refuses %s with JSON.stringify's reason", (_label, make, reason) => {
    const value = make();
    expect(() => JSON.stringify(value)).toThrow(reason);
    expect(() => toWire(value)).toThrow(WireError);
    expect(() => toWire(value)).toThrow(reason);
  });
});
