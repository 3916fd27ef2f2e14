// create-metacontroller-hook on a real pseudo-terminal (util-linux `script`): the prompts show,
// keystrokes answer them, and Ctrl-C cancels with exit 130 and nothing written.
import { spawn, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { REPO_ROOT } from "@metahook/test-support";
import { afterAll, describe, expect, it } from "vitest";
import { parse } from "yaml";

const CREATE_BIN = join(REPO_ROOT, "packages/create-metacontroller-hook/dist/bin.js");
const hasScript = spawnSync("script", ["--version"], { stdio: "ignore" }).status === 0;
const tmp = mkdtempSync(join(tmpdir(), "metahook-create-tty-"));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

// ANSI sequences out, so prompts can be matched as text.
function plain(text: string): string {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: stripping terminal escapes
  return text.replace(/\u001b\[[0-9;?]*[A-Za-z]/g, "").replace(/\r/g, "");
}

/** Runs the command on a pty; types each key once its prompt text has appeared. */
function onTerminal(
  args: string[],
  cwd: string,
  script: [prompt: string, keys: string][],
): Promise<{ code: number; screen: string }> {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (!/^(CI|npm_|pnpm_|VITEST)/i.test(key)) env[key] = value;
  }
  const command = `stty cols 120 rows 40; exec ${[process.execPath, CREATE_BIN, ...args].map((a) => `'${a}'`).join(" ")}`;
  const child = spawn("script", ["-qefc", command, "/dev/null"], {
    cwd,
    env: { ...env, TERM: "xterm-256color" },
    stdio: ["pipe", "pipe", "pipe"],
  });
  let screen = "";
  let typedAt = 0;
  const onData = (d: Buffer) => {
    screen += d.toString();
    const next = script[0];
    const text = plain(screen);
    if (next && text.indexOf(next[0], typedAt) !== -1) {
      script.shift();
      typedAt = text.length;
      setTimeout(() => child.stdin.write(next[1]), 100);
    }
  };
  child.stdout.on("data", onData);
  child.stderr.on("data", onData);
  return new Promise((done) => {
    child.on("exit", (code) => done({ code: code ?? 1, screen: plain(screen) }));
  });
}

describe.skipIf(!hasScript)("create-metacontroller-hook on a pseudo-terminal", () => {
  it("prompts, takes keystrokes, and creates the project", async () => {
    const cwd = mkdtempSync(join(tmp, "answers-"));
    const res = await onTerminal(["--no-install"], cwd, [
      ["Where should the project go?", "\u0015tty-app\r"],
      ["The parent resource", "\r"],
      ["API group", "\r"],
      ["Kind (PascalCase)", "Note\r"],
      ["Controller kind", "\u001b[B\r"],
      ["Attachments", "secr"],
      ["secrets.v1", "\t"],
      ["Secret", "\r"],
      ["Hook version", "\u001b[B\r"],
      ["finalize hook", "y\r"],
      ["customize hook", "\r"],
    ]);
    expect(res.code, res.screen).toBe(0);
    expect(res.screen).toContain("created tty-app: DecoratorController note-controller for Note");
    const controller = parse(readFileSync(join(cwd, "tty-app/deploy/controller.yaml"), "utf8"));
    expect(controller.kind).toBe("DecoratorController");
    expect(controller.spec.hooks.sync.version).toBe("v2");
    expect(Object.keys(controller.spec.hooks)).toEqual(["sync", "finalize"]);
    expect(controller.spec.attachments.map((a: { resource: string }) => a.resource)).toEqual([
      "configmaps",
      "secrets",
    ]);
    expect(existsSync(join(cwd, "tty-app/src/note-controller.ts"))).toBe(true);
  }, 60_000);

  it("Enter on every prompt accepts the default it shows", async () => {
    const cwd = mkdtempSync(join(tmp, "enter-"));
    const res = await onTerminal(["--no-install"], cwd, [
      ["Where should the project go?", "\r"],
      ["The parent resource", "\r"],
      ["API group", "\r"],
      ["Kind (PascalCase)", "\r"],
      ["Controller kind", "\r"],
      ["Child resources", "\r"],
      ["Hook version", "\r"],
      ["finalize hook", "\r"],
      ["customize hook", "\r"],
    ]);
    expect(res.code, res.screen).toBe(0);
    expect(res.screen).not.toMatch(/--kind|--group|--children/);
    expect(res.screen).toContain(
      "created blog-controller: CompositeController blog-controller for Blog, children Deployment, Service",
    );
    const controller = parse(
      readFileSync(join(cwd, "blog-controller/deploy/controller.yaml"), "utf8"),
    );
    expect(controller.spec.parentResource).toEqual({
      apiVersion: "example.com/v1",
      resource: "blogs",
    });
    expect(Object.keys(controller.spec.hooks)).toEqual(["sync"]);
  }, 60_000);

  it("Ctrl-C at a prompt cancels cleanly: exit 130, nothing written", async () => {
    const cwd = mkdtempSync(join(tmp, "ctrl-c-"));
    const res = await onTerminal([], cwd, [
      ["Where should the project go?", "\r"],
      ["The parent resource", "\u0003"],
    ]);
    expect(res.code).toBe(130);
    expect(res.screen).toContain("Cancelled; nothing was written.");
    expect(res.screen).not.toContain("internal error");
    expect(readdirSync(cwd)).toEqual([]);
  }, 60_000);
});
