import { spawnSync } from "node:child_process";
import { closeSync, mkdtempSync, openSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { pino } from "pino";
import { describe, expect, it } from "vitest";
import { bufferedDestination, LOG_FLUSH_MS } from "../src/server.js";

const DIST = pathToFileURL(join(import.meta.dirname, "..", "dist", "index.js")).href;
const later = () => new Promise((resolve) => setTimeout(resolve, LOG_FLUSH_MS * 3));

function logTo(file: string) {
  const fd = openSync(file, "w");
  const destination = bufferedDestination(fd);
  const log = pino({ base: undefined, timestamp: false }, destination);
  return { log, destination, read: () => readFileSync(file, "utf8"), close: () => closeSync(fd) };
}

describe("bufferedDestination", () => {
  const dir = mkdtempSync(join(tmpdir(), "metahook-log-"));

  it(`writes lines together within ${LOG_FLUSH_MS} ms, in order`, async () => {
    const { log, read, close } = logTo(join(dir, "turn.log"));
    for (let i = 0; i < 5; i++) log.info({ i }, "line");
    expect(read()).toBe("");
    await later();
    expect(
      read()
        .trim()
        .split("\n")
        .map((l) => JSON.parse(l).i),
    ).toEqual([0, 1, 2, 3, 4]);
    close();
  });

  it("writes at once past 8 KiB pending, losing no line", async () => {
    const { log, read, close } = logTo(join(dir, "big.log"));
    const text = "x".repeat(1000);
    for (let i = 0; i < 20; i++) log.info({ i, text }, "line");
    expect(read().length).toBeGreaterThan(8 * 1024);
    await later();
    expect(read().trim().split("\n")).toHaveLength(20);
    close();
  });

  it("flushSync writes what is pending", async () => {
    const { log, destination, read, close } = logTo(join(dir, "sync.log"));
    log.info("pending");
    destination.flushSync();
    expect(JSON.parse(read()).msg).toBe("pending");
    await later();
    close();
  });

  it("writes the lines logged right before process.exit()", () => {
    const script = `
      const { bufferedDestination } = await import(${JSON.stringify(DIST)});
      const { pino } = await import("pino");
      const log = pino({ base: undefined }, bufferedDestination(1));
      log.info("first");
      log.error("last words");
      process.exit(3);
    `;
    const ran = spawnSync(process.execPath, ["--input-type=module", "-e", script], {
      cwd: join(import.meta.dirname, ".."),
      encoding: "utf8",
      timeout: 30_000,
    });
    expect(ran.status, ran.stderr).toBe(3);
    expect(
      ran.stdout
        .trim()
        .split("\n")
        .map((l) => JSON.parse(l).msg),
    ).toEqual(["first", "last words"]);
  });
});
