import type { HookVersion, KubeObject } from "@metahook/runtime";
import { buildCompositeRequest, converge, invokeHook } from "@metahook/runtime/testing";
import { exampleManifests } from "@metahook/test-support";
import { describe, expect, it } from "vitest";
import {
  type Children,
  controllerManifest as controller,
  type Keying,
  type Parent,
  type Related,
  type SyncResponse,
} from "../src/blog.generated.js";
import blogController, { createBlogController, type RandomBytes } from "../src/blog.js";
import table from "./fixtures/cases.json" with { type: "json" };

const { manifestOf } = exampleManifests(import.meta.url);

interface Case {
  name: string;
  parent: Parent;
  observed: KubeObject[];
  want: unknown;
}

/** 0, 1, 2, ... across calls, so generated passwords are known in advance. */
function counting(): RandomBytes & { drawn: number } {
  const source = Object.assign(
    (size: number) => {
      const bytes = Uint8Array.from({ length: size }, (_, i) => (source.drawn + i) % 256);
      source.drawn += size;
      return bytes;
    },
    { drawn: 0 },
  );
  return source;
}

const request = (parent: Parent, observed: readonly KubeObject[], version: HookVersion) =>
  buildCompositeRequest<Parent, Children, Related, Keying>({
    controller: {
      ...controller,
      spec: { ...controller.spec, hooks: { sync: { ...controller.spec.hooks.sync, version } } },
    },
    parent,
    observed,
  });

const cases = (table.cases as unknown as Case[]).flatMap((c) =>
  (["v1", "v2"] as const).map((version) => ({ ...c, version })),
);

describe("blog answers as the Metatron guide's controller", () => {
  it.each(cases)("$name ($version)", async ({ parent, observed, want, version }) => {
    const blog = createBlogController({ randomBytes: counting() });
    await expect(invokeHook(blog, request(parent, observed, version))).resolves.toStrictEqual(want);
  });

  it("draws nothing random once the Secret holds both passwords", async () => {
    const kept = (table.cases as unknown as Case[]).find((c) =>
      c.name.startsWith("the DB Secret exists"),
    );
    if (kept === undefined) throw new Error("the fixture lost its case of an existing Secret");
    const random = counting();
    await invokeHook(
      createBlogController({ randomBytes: random }),
      request(kept.parent, kept.observed, "v1"),
    );
    expect(random.drawn).toBe(0);
  });
});

describe("the passwords survive every later sync", () => {
  it("the sample Blog settles with crypto's passwords, generated once", async () => {
    const sample = manifestOf<Parent>("blog.yaml", "Blog");
    sample.metadata = { ...sample.metadata, namespace: "blog-test" };
    const result = await converge(blogController, {
      controller,
      parent: sample,
      maxRounds: 4,
    });
    expect(result.settled, result.difference.join("\n")).toBe(true);
    const secrets = result.rounds.map((round) =>
      (round.response as SyncResponse).children?.find(
        (c) => c.kind === "Secret" && c.metadata.name === "testdb",
      ),
    );
    expect(secrets.every((secret) => secret !== undefined)).toBe(true);
    expect(new Set(secrets.map((secret) => JSON.stringify(secret))).size).toBe(1);
  });
});
