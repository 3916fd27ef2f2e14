import { describe, expect, it } from "vitest";
import { toWire, toWireAt, WireError, type WirePaths } from "../src/wire.js";

class Quantity {
  constructor(readonly value: string) {}
  toJSON() {
    return this.value;
  }
}

const deep = (n: number): unknown => (n === 0 ? { leaf: true } : { next: deep(n - 1) });

const CASES: [string, unknown][] = [
  ["a plain object", { a: 1, b: ["x", true, null], c: { d: "e" } }],
  ["undefined fields dropped", { a: undefined, b: 1, c: { d: undefined } }],
  ["undefined, functions and symbols in arrays become null", [undefined, () => 1, Symbol("s"), 2]],
  ["functions and symbols in objects dropped", { f: () => 1, s: Symbol("s"), k: "v" }],
  [
    "non-finite numbers become null",
    { a: Number.NaN, b: Number.POSITIVE_INFINITY, c: [-Infinity] },
  ],
  ["toJSON applied (kubernetes-models classes, Date)", { q: new Quantity("1Gi"), d: new Date(0) }],
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
];

describe("toWire is what JSON.stringify writes, read back", () => {
  it.each(CASES)("%s", (_label, value) => {
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

// A response shaped like a composite answer, with something to convert at every level.
const response = () => ({
  status: { since: new Date(0), note: undefined },
  resyncAfterSeconds: Number.NaN,
  extra: undefined,
  children: [
    {
      apiVersion: "v1",
      kind: "ConfigMap",
      metadata: {
        name: new Quantity("cm"),
        namespace: undefined,
        labels: { app: new Quantity("web"), gone: undefined },
        annotations: { at: new Date(0) },
        ownerReferences: [undefined],
      },
      data: { q: new Quantity("1Gi"), n: Number.POSITIVE_INFINITY, f: () => 1 },
    },
    new Quantity("not an object"),
    undefined,
  ],
});
const CHILD: WirePaths = {
  fields: { metadata: { fields: { labels: "full", annotations: "full" } } },
};
const COMPOSITE: WirePaths = { fields: { children: { items: CHILD } } };
const ONLY_CHILD: WirePaths = {
  only: { kind: "shallow", metadata: { only: { name: "shallow", labels: "full" } } },
};

describe("toWireAt converts along its paths and leaves the rest to JSON.stringify", () => {
  const specs: [string, WirePaths][] = [
    ["named fields only", { fields: { children: { items: ONLY_CHILD } } }],
    ["only, at the top", { only: { children: "full", status: "shallow", a: "full" } }],
    ["full", "full"],
    ["shallow", "shallow"],
    ["a composite response's guarded paths", COMPOSITE],
    [
      "named fields of plain values",
      { fields: { a: "full", x: { items: "shallow" } }, items: "full" },
    ],
  ];
  const values: [string, unknown][] = [...CASES, ["a composite-like response", response()]];
  for (const [specLabel, paths] of specs) {
    it.each(values)(`${specLabel}: %s serializes as JSON.stringify writes it`, (_label, value) => {
      expect(JSON.stringify(toWireAt(value, paths))).toBe(JSON.stringify(value));
    });
  }

  it("makes the guarded paths plain and leaves the rest untouched", () => {
    const value = response();
    const got = toWireAt(value, COMPOSITE) as {
      status: unknown;
      children: { metadata: { name: unknown; labels: unknown; annotations: unknown } }[];
      resyncAfterSeconds: unknown;
    };
    expect(Object.keys(got)).toEqual(["status", "resyncAfterSeconds", "children"]);
    expect(got.resyncAfterSeconds).toBeNull();
    // status is read only as "an object or null": converted itself, its fields left as they are.
    expect(got.status).toBe(value.status);
    const [first, second, third] = got.children;
    expect(first?.metadata.name).toBe("cm");
    expect(first?.metadata.labels).toEqual({ app: "web" });
    expect(first?.metadata.annotations).toEqual({ at: "1970-01-01T00:00:00.000Z" });
    expect(Object.keys(first?.metadata ?? {})).toEqual([
      "name",
      "labels",
      "annotations",
      "ownerReferences",
    ]);
    // Below the paths nothing is copied.
    expect((first as unknown as { data: unknown }).data).toBe(
      (value.children[0] as { data: unknown }).data,
    );
    expect(second).toBe("not an object");
    expect(third).toBeNull();
  });

  it("with only, converts the named fields and visits nothing else", () => {
    const value = response();
    const got = toWireAt(value, { fields: { children: { items: ONLY_CHILD } } }) as {
      children: { metadata: { name: unknown; labels: unknown; annotations: unknown } }[];
    };
    const [first, second, third] = got.children;
    expect(first?.metadata.name).toBe("cm");
    expect(first?.metadata.labels).toEqual({ app: "web" });
    // Not named: left as the hook returned it, for JSON.stringify.
    expect(first?.metadata.annotations).toBe(
      (value.children[0] as { metadata: { annotations: unknown } }).metadata.annotations,
    );
    expect(second).toBe("not an object");
    expect(third).toBeNull();
    const plain = {
      kind: "Pod",
      metadata: { name: "a", labels: { x: "y" } },
      spec: { f: () => 1 },
    };
    expect(toWireAt(plain, ONLY_CHILD)).toBe(plain);
  });

  it("leaves a value that is plain along the paths as it is, without copying", () => {
    const value = { children: [{ metadata: { name: "a", labels: { x: "y" } }, spec: { n: 1 } }] };
    expect(toWireAt(value, COMPOSITE)).toBe(value);
  });

  it("refuses a cycle or a BigInt along the paths; JSON.stringify refuses the others", () => {
    const cyclic: { self?: unknown } = {};
    cyclic.self = cyclic;
    expect(() => toWireAt({ children: [{ metadata: { labels: cyclic } }] }, COMPOSITE)).toThrow(
      WireError,
    );
    expect(() => toWireAt({ resyncAfterSeconds: 1n }, COMPOSITE)).toThrow(/BigInt/);
    const below = { children: [{ metadata: {}, spec: cyclic }] };
    expect(toWireAt(below, COMPOSITE)).toBe(below);
    expect(() => JSON.stringify(below)).toThrow(/circular/i);
  });
});
