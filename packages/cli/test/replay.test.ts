import { spawn } from "node:child_process";
import { once } from "node:events";
import { mkdtempSync, readdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { buildCompositeRequest } from "@metahook/runtime/testing";
import { describe, expect, it } from "vitest";
import { BIN, runMain } from "./helpers.js";

const fixtures = join(dirname(fileURLToPath(import.meta.url)), "fixtures/plan");
const manifest = {
  apiVersion: "metacontroller.k8s.io/v1alpha1",
  kind: "CompositeController",
  metadata: { name: "configs" },
  spec: {
    generateSelector: true,
    parentResource: { apiVersion: "example.com/v1", resource: "configs" },
    childResources: [{ apiVersion: "v1", resource: "configmaps" }],
    hooks: { sync: { webhook: { url: "http://h/configs/sync" } } },
  },
};
const request = buildCompositeRequest({
  controller: manifest,
  parent: {
    apiVersion: "example.com/v1",
    kind: "Configs",
    metadata: { name: "c", namespace: "default" },
    spec: { names: ["a"], value: "v" },
  },
  kinds: { "configs.example.com": "Configs" },
});
const answer = (value: string) => ({
  status: { count: 1 },
  children: [{ apiVersion: "v1", kind: "ConfigMap", metadata: { name: "a" }, data: { value } }],
});

function recorded(values: string[]): string {
  const dir = mkdtempSync(join(tmpdir(), "metahook-replay-"));
  values.forEach((value, i) => {
    writeFileSync(
      join(dir, `000${i + 1}-configs-sync.json`),
      JSON.stringify({
        controller: "configs",
        hook: "sync",
        module: join(fixtures, "configs.ts"),
        request,
        response: { status: 200, body: answer(value) },
      }),
    );
  });
  return dir;
}

describe("metahook replay", () => {
  it("answers every recorded exchange the same: exit 0", async () => {
    const { code, stdout } = await runMain(["replay", recorded(["v", "v"])], fixtures);
    expect(code).toBe(0);
    expect(stdout.split("\n")).toEqual([
      "same       0001-configs-sync.json",
      "same       0002-configs-sync.json",
      "2 same, 0 different",
    ]);
  });

  it("a different answer is shown as a diff per exchange: exit 1", async () => {
    const { code, stdout, stderr } = await runMain(["replay", recorded(["v", "old"])], fixtures);
    expect(code).toBe(1);
    expect(stdout.split("\n")).toEqual([
      "same       0001-configs-sync.json",
      "different  0002-configs-sync.json",
      '  children[0].data.value: "old" → "v"',
      "1 same, 1 different",
    ]);
    expect(stderr).toMatch(/1 of 2 recorded exchanges are answered differently now/);
  });

  it("--module replays against another module", async () => {
    const { code, stdout } = await runMain(
      ["replay", recorded(["v"]), "--module", join(fixtures, "flapping.ts")],
      fixtures,
    );
    expect(code).toBe(1);
    expect(stdout).toMatch(/different {2}0001-configs-sync\.json/);
  });
});

describe("metahook dev --record, then metahook replay", () => {
  it("records what dev answered, and replays it against the same code as the same", async () => {
    const dir = mkdtempSync(join(tmpdir(), "metahook-record-"));
    const child = spawn(
      process.execPath,
      [
        BIN,
        "dev",
        join(fixtures, "configs.ts"),
        "--port",
        "0",
        "--host",
        "127.0.0.1",
        "--record",
        dir,
      ],
      { cwd: fixtures, env: { ...process.env, NO_COLOR: "1" } },
    );
    try {
      let stderr = "";
      const base = await new Promise<string>((resolveBase, reject) => {
        child.stderr.on("data", (c) => {
          stderr += c;
          const m = /serving \d+ module\(s\) on (http:\/\/\S+)/.exec(stderr);
          if (m?.[1]) resolveBase(m[1]);
        });
        child.once("exit", (code) => reject(new Error(`dev exited ${code}: ${stderr}`)));
      });
      const res = await fetch(`${base}/configs/sync`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify(request),
      });
      expect(res.status).toBe(200);
    } finally {
      child.kill("SIGTERM");
      await once(child, "exit");
    }
    expect(readdirSync(dir)).toEqual(["0001-configs-sync.json"]);
    const { code, stdout } = await runMain(["replay", dir], fixtures);
    expect(code).toBe(0);
    expect(stdout).toBe("same       0001-configs-sync.json\n1 same, 0 different");
  });
});
