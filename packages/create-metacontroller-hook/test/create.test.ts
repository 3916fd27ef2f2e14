import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PassThrough, Writable } from "node:stream";
import { readControllers, validateSample } from "@metahook/gen-controller";
import { REFERENCE, REPO_ROOT } from "@metahook/test-support";
import { afterAll, describe, expect, it } from "vitest";
import { parse } from "yaml";
import {
  type Answer,
  buildProject,
  CANCELLED,
  type CreateContext,
  clackPrompts,
  type Exec,
  PROJECT_DEPENDENCIES,
  PROJECT_DEV_DEPENDENCIES,
  PROJECT_OVERRIDES,
  type PromptAdapter,
  parseFlags,
  publishedDependencies,
  run,
  tarballDependencies,
} from "../src/index.js";

const tmp = mkdtempSync(join(tmpdir(), "create-metacontroller-hook-"));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

function freshDir(name: string): string {
  return mkdtempSync(join(tmp, `${name}-`));
}

interface Ran {
  code: number;
  stdout: string;
  stderr: string;
  installs: { command: string; args: readonly string[]; cwd: string }[];
}

async function create(
  argv: string[],
  options: {
    cwd: string;
    env?: NodeJS.ProcessEnv;
    tty?: boolean;
    prompts?: PromptAdapter;
    installExit?: number;
  },
): Promise<Ran> {
  const stdout: string[] = [];
  const stderr: string[] = [];
  const installs: Ran["installs"] = [];
  const exec: Exec = async (command, args, cwd) => {
    installs.push({ command, args, cwd });
    return options.installExit ?? 0;
  };
  const ctx: Partial<CreateContext> = {
    cwd: options.cwd,
    env: options.env ?? {},
    stdinIsTTY: options.tty ?? false,
    out: (l) => void stdout.push(l),
    err: (l) => void stderr.push(l),
    exec,
    ...(options.prompts ? { prompts: options.prompts } : {}),
  };
  const code = await run(argv, ctx);
  return { code, stdout: stdout.join("\n"), stderr: stderr.join("\n"), installs };
}

/** Prompts that must never be shown. */
const NO_PROMPTS: PromptAdapter = {
  intro: () => {
    throw new Error("prompted");
  },
  text: () => Promise.reject(new Error("prompted")),
  multiselect: () => Promise.reject(new Error("prompted")),
  select: () => Promise.reject(new Error("prompted")),
  confirm: () => Promise.reject(new Error("prompted")),
  cancel: () => {
    throw new Error("prompted");
  },
  outro: () => {
    throw new Error("prompted");
  },
};

/** Scripted answers, in order, recording each question (a validator's verdict included). */
// An answer: "" (or [] for a list) is Enter alone, which takes the prompt's default.
type Scripted = string | boolean | readonly string[] | typeof CANCELLED;

function scripted(answers: Scripted[]) {
  const asked: string[] = [];
  const said: string[] = [];
  const next = <T>(
    message: string,
    validate?: (v: T) => string | undefined,
    fallback?: T,
  ): Answer<T> => {
    asked.push(message);
    if (answers.length === 0) throw new Error(`no answer left for "${message}"`);
    const typed = answers.shift() as T | typeof CANCELLED;
    const answer = typed === "" && fallback !== undefined ? fallback : typed;
    if (validate && answer !== CANCELLED) {
      const problem = validate(answer);
      if (problem) throw new Error(`"${String(answer)}" rejected by "${message}": ${problem}`);
    }
    return answer;
  };
  const adapter: PromptAdapter = {
    intro: (t) => void said.push(`intro ${t}`),
    text: async (o) => next<string>(o.message, o.validate, o.defaultValue),
    multiselect: async (o) =>
      next<string[]>(o.message, o.validate, o.initialValues ? [...o.initialValues] : undefined),
    select: async <T extends string>(o: { message: string; initialValue?: T }) =>
      next<T>(o.message, undefined, o.initialValue),
    confirm: async (o) => next<boolean>(o.message, undefined, o.initialValue),
    cancel: (m) => void said.push(`cancel ${m}`),
    outro: (m) => void said.push(`outro ${m}`),
  };
  return { adapter, asked, said, left: answers };
}

const BLOG = ["--group", "example.com", "--kind", "Blog"];

describe("parseFlags", () => {
  const good: { argv: string[]; want: Partial<ReturnType<typeof parseFlags>> }[] = [
    { argv: [], want: { dir: undefined, install: true, yes: false, overwrite: false } },
    {
      argv: ["app", "--crd", "crd.yaml", "--no-install", "--overwrite", "-y"],
      want: { dir: "app", crd: "crd.yaml", install: false, overwrite: true, yes: true },
    },
    {
      argv: ["--template", "decorator", "--hook-version", "v2", "--children", ""],
      want: { template: "decorator", hookVersion: "v2", children: "" },
    },
    {
      argv: ["--package-manager", "pnpm", "--metahook-source", "/tmp/t"],
      want: { packageManager: "pnpm", metahookSource: "/tmp/t" },
    },
  ];
  it.each(good)("$argv", ({ argv, want }) => {
    expect(parseFlags(argv)).toMatchObject(want);
  });

  const bad: { argv: string[]; message: RegExp }[] = [
    { argv: ["--bogus"], message: /Unknown option '--bogus'/ },
    { argv: ["--crd", "a.yaml", "--kind", "Blog"], message: /--crd and --group\/--kind exclude/ },
    {
      argv: ["--template", "operator"],
      message: /--template operator: must be one of composite, decorator/,
    },
    { argv: ["--hook-version", "v3"], message: /--hook-version v3: must be one of v1, v2/ },
    { argv: ["a", "b"], message: /one directory expected, got a b/ },
    { argv: ["--children"], message: /--children/ },
  ];
  it.each(bad)("$argv is a usage error", async ({ argv, message }) => {
    expect(() => parseFlags(argv)).toThrow(message);
    const res = await create(argv, { cwd: freshDir("usage") });
    expect(res.code).toBe(2);
    expect(res.stderr).toMatch(message);
    expect(res.stderr).toContain("Usage: create-metacontroller-hook [dir] [options]");
  });
});

describe("non-interactive (no TTY, or CI set)", () => {
  const missing: {
    name: string;
    argv: string[];
    env?: NodeJS.ProcessEnv;
    tty?: boolean;
    names: string;
  }[] = [
    {
      name: "nothing given",
      argv: [],
      names: "--crd <path> (or --group and --kind), [dir], --children",
    },
    {
      name: "group without kind",
      argv: ["app", "--group", "example.com", "--children", ""],
      names: "--kind",
    },
    { name: "kind without group, --yes", argv: ["--kind", "Blog", "--yes"], names: "--group" },
    { name: "no children", argv: ["app", ...BLOG], names: "--children" },
    {
      name: "a TTY but CI set",
      argv: ["app", ...BLOG],
      env: { CI: "true" },
      tty: true,
      names: "--children",
    },
  ];
  it.each(missing)("$name: exit 2 naming $names, with an example, nothing written", async (c) => {
    const cwd = freshDir("missing");
    const res = await create(c.argv, {
      cwd,
      ...(c.env ? { env: c.env } : {}),
      tty: c.tty ?? false,
      prompts: NO_PROMPTS,
    });
    expect(res.code).toBe(2);
    expect(res.stderr).toContain(`missing: ${c.names}`);
    expect(res.stderr).toMatch(/e\.g\. npx create-metacontroller-hook \S+ .*--children /);
    expect(existsSync(join(cwd, "app"))).toBe(false);
  });

  it("--yes takes the defaults: <kind>-controller, configmaps.v1, composite, v1", async () => {
    const cwd = freshDir("yes");
    const res = await create([...BLOG, "--yes", "--no-install"], {
      cwd,
      tty: true,
      prompts: NO_PROMPTS,
    });
    expect(res.code, res.stderr).toBe(0);
    const controller = parse(
      readFileSync(join(cwd, "blog-controller/deploy/controller.yaml"), "utf8"),
    );
    expect(controller.kind).toBe("CompositeController");
    expect(controller.spec.childResources).toEqual([
      { apiVersion: "v1", resource: "configmaps", updateStrategy: { method: "InPlace" } },
    ]);
    expect(controller.spec.hooks.sync.version).toBe("v1");
    expect(res.installs).toEqual([]);
    expect(res.stdout).toContain("  npm install");
  });

  const projects: {
    name: string;
    argv: string[];
    kind: string;
    hooks: string[];
    generated: string;
  }[] = [
    {
      name: "composite v1 from group/kind",
      argv: [...BLOG, "--children", "deployments.apps/v1,services.v1"],
      kind: "CompositeController",
      hooks: ["sync"],
      generated: '"Deployment.apps/v1": IDeployment;',
    },
    {
      name: "decorator v2 with finalize",
      argv: [
        ...BLOG,
        "--children",
        "secrets.v1",
        "--template",
        "decorator",
        "--hook-version",
        "v2",
        "--finalize",
      ],
      kind: "DecoratorController",
      hooks: ["sync", "finalize"],
      generated: '"Secret.v1": ISecret;',
    },
    {
      name: "cluster-scoped parent with customize",
      argv: [
        "--group",
        "ops.example.com",
        "--kind",
        "Fleet",
        "--scope",
        "Cluster",
        "--children",
        "namespaces.v1",
        "--customize",
      ],
      kind: "CompositeController",
      hooks: ["sync", "customize"],
      generated: '"Namespace.v1": INamespace;',
    },
  ];
  it.each(projects)("$name: a complete project, valid controller, fixture for it", async (c) => {
    const cwd = freshDir("project");
    const res = await create(["app", ...c.argv, "--no-install"], { cwd });
    expect(res.code, res.stderr).toBe(0);
    const dir = join(cwd, "app");
    const read = (p: string) => readFileSync(join(dir, p), "utf8");
    const controllers = readControllers({
      path: "controller.yaml",
      content: read("deploy/controller.yaml"),
    });
    expect(controllers[0]?.kind).toBe(c.kind);
    const name = controllers[0]?.metadata.name ?? "";
    expect(Object.keys(controllers[0]?.spec.hooks ?? {})).toEqual(c.hooks);
    expect(read(`src/${name}.generated.ts`)).toContain(c.generated);
    expect(read(`src/${name}.ts`)).toContain(
      c.kind === "CompositeController" ? "defineCompositeController" : "defineDecoratorController",
    );
    const pkg = JSON.parse(read("package.json"));
    expect(Object.keys(pkg.scripts)).toEqual(
      expect.arrayContaining(["build", "test", "start", "dev", "gen"]),
    );
    expect(pkg.scripts.gen).toBe("metahook gen");
    expect(pkg.dependencies["@metahook/runtime"]).toMatch(/^\^\d+\.\d+\.\d+/);
    // Only the transitive pins: the @metahook packages come from the registry.
    expect(pkg.overrides).toEqual(PROJECT_OVERRIDES);
    const request = JSON.parse(read("fixtures/sync-request.json"));
    expect(request.controller.metadata.name).toBe(name);
    expect(request.finalizing).toBe(false);
    expect(c.kind === "CompositeController" ? request.parent : request.object).toMatchObject({
      metadata: { name: "example", uid: expect.any(String) },
    });
    expect(read("README.md")).toContain("kind create cluster");
    expect(parse(read("deploy/kustomization.yaml")).resources).toEqual([
      "crd.yaml",
      "controller.yaml",
      "deployment.yaml",
      "service.yaml",
      "pdb.yaml",
    ]);
  });

  it("installs with the package manager from npm_config_user_agent", async () => {
    const cwd = freshDir("pm");
    const res = await create(["app", ...BLOG, "--children", ""], {
      cwd,
      env: { npm_config_user_agent: "pnpm/10.34.8 npm/? node/v20.20.0 linux x64" },
    });
    expect(res.code, res.stderr).toBe(0);
    expect(res.installs).toEqual([{ command: "pnpm", args: ["install"], cwd: join(cwd, "app") }]);
    expect(readFileSync(join(cwd, "app/README.md"), "utf8")).toContain("pnpm build && pnpm start");
    expect(readFileSync(join(cwd, "app/Dockerfile"), "utf8")).toContain(
      "pnpm install --frozen-lockfile",
    );
    expect(res.stdout).not.toContain("pnpm install");
  });

  it("a failed install is exit 1 with the project kept", async () => {
    const cwd = freshDir("install-fails");
    const res = await create(["app", ...BLOG, "--children", ""], { cwd, installExit: 7 });
    expect(res.code).toBe(1);
    expect(res.stderr).toMatch(/npm install failed \(exit 7\) in app/);
    expect(existsSync(join(cwd, "app/package.json"))).toBe(true);
  });

  it("never writes into a non-empty directory without --overwrite; --overwrite writes", async () => {
    const cwd = freshDir("nonempty");
    mkdirSync(join(cwd, "app"));
    writeFileSync(join(cwd, "app/notes.txt"), "mine\n");
    const argv = ["app", ...BLOG, "--children", "", "--no-install"];
    const refused = await create(argv, { cwd });
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain("app is not empty; nothing was changed");
    expect(existsSync(join(cwd, "app/package.json"))).toBe(false);
    const forced = await create([...argv, "--overwrite"], { cwd });
    expect(forced.code, forced.stderr).toBe(0);
    expect(existsSync(join(cwd, "app/package.json"))).toBe(true);
    expect(readFileSync(join(cwd, "app/notes.txt"), "utf8")).toBe("mine\n");
  });

  const invalid: { name: string; argv: string[]; code: number; message: RegExp }[] = [
    {
      name: "bad kind",
      argv: ["--group", "example.com", "--kind", "blog", "--children", ""],
      code: 2,
      message: /--kind blog: must be PascalCase/,
    },
    {
      name: "unknown child",
      argv: [...BLOG, "--children", "gizmos.v1"],
      code: 2,
      message: /gizmos is not a built-in resource/,
    },
    {
      name: "missing CRD file",
      argv: ["--crd", "nope.yaml", "--children", ""],
      code: 1,
      message: /--crd nope\.yaml: cannot be read/,
    },
    {
      name: "missing tarballs",
      argv: [...BLOG, "--children", "", "--metahook-source", "."],
      code: 1,
      message: /missing metahook-runtime-<version>\.tgz/,
    },
  ];
  it.each(invalid)("$name: exit $code, nothing written", async (c) => {
    const cwd = freshDir("invalid");
    const res = await create(["app", ...c.argv, "--no-install"], { cwd });
    expect(res.code).toBe(c.code);
    expect(res.stderr).toMatch(c.message);
    expect(existsSync(join(cwd, "app"))).toBe(false);
  });
});

describe("interactive (a TTY, CI unset)", () => {
  it("asks what no flag gave, in order, and creates the project", async () => {
    const cwd = freshDir("ask");
    const s = scripted([
      "blog-app",
      "new",
      "example.com",
      "Blog",
      "decorator",
      ["services.v1"],
      "v2",
      true,
      false,
      false,
    ]);
    const res = await create([], { cwd, tty: true, prompts: s.adapter });
    expect(res.code, res.stderr).toBe(0);
    expect(s.asked).toEqual([
      "Where should the project go?",
      "The parent resource",
      "API group (a domain you own)",
      "Kind (PascalCase)",
      "Controller kind",
      "Attachments (type to search, or a <plural>.<apiVersion> of your own)",
      "Hook version",
      "Declare a finalize hook (clean up before a Blog is deleted)?",
      "Declare a customize hook (related objects sent with each sync)?",
      "Install dependencies with npm?",
    ]);
    expect(s.said).toEqual(["intro create-metacontroller-hook", "outro blog-app is ready"]);
    const controller = parse(readFileSync(join(cwd, "blog-app/deploy/controller.yaml"), "utf8"));
    expect(controller.kind).toBe("DecoratorController");
    expect(controller.spec.hooks.sync.version).toBe("v2");
    expect(controller.spec.hooks.finalize).toBeDefined();
    expect(controller.spec.hooks.customize).toBeUndefined();
    expect(res.installs).toEqual([]);
  });

  it("Enter on every prompt takes the default it shows", async () => {
    const cwd = freshDir("enter");
    const s = scripted(["", "", "", "", "", "", "", "", "", false]);
    const res = await create([], { cwd, tty: true, prompts: s.adapter });
    expect(res.code, res.stderr).toBe(0);
    expect(s.left).toEqual([]);
    const controller = parse(
      readFileSync(join(cwd, "blog-controller/deploy/controller.yaml"), "utf8"),
    );
    expect({
      kind: controller.kind,
      parent: controller.spec.parentResource,
      children: controller.spec.childResources,
      hooks: Object.keys(controller.spec.hooks),
      version: controller.spec.hooks.sync.version ?? "v1",
    }).toEqual({
      kind: "CompositeController",
      parent: { apiVersion: "example.com/v1", resource: "blogs" },
      children: [
        { apiVersion: "apps/v1", resource: "deployments", updateStrategy: expect.anything() },
        { apiVersion: "v1", resource: "services", updateStrategy: expect.anything() },
      ],
      hooks: ["sync"],
      version: "v1",
    });
  });

  it("speaks of the answer, not of a flag, when it refuses one", async () => {
    const cases: { answers: Scripted[]; want: RegExp }[] = [
      { answers: ["app", "new", "", "blog"], want: /"blog": must be PascalCase.*e\.g\. Blog\n/ },
      { answers: ["app", "new", "Example.com"], want: /"Example\.com": must be lowercase/ },
      {
        answers: ["app", "new", "", "", "", ["deployments.v1"]],
        want: /"deployments\.v1": /,
      },
    ];
    for (const c of cases) {
      const s = scripted(c.answers);
      const res = await create([], { cwd: freshDir("refuse"), tty: true, prompts: s.adapter });
      expect(res.code).toBe(1);
      expect(res.stderr).toMatch(c.want);
      expect(res.stderr).not.toMatch(/--(kind|group|children)\b/);
    }
  });

  it("skips each prompt whose flag is given", async () => {
    const cwd = freshDir("flags");
    writeFileSync(
      join(cwd, "crd.yaml"),
      readFileSync(join(REPO_ROOT, "generators/controller/test/fixtures/blog-crd.yaml")),
    );
    const s = scripted([true]);
    const res = await create(
      [
        "app",
        "--crd",
        "crd.yaml",
        "--children",
        "configmaps.v1",
        "--template",
        "composite",
        "--hook-version",
        "v1",
        "--finalize",
        "--customize",
      ],
      { cwd, tty: true, prompts: s.adapter },
    );
    expect(res.code, res.stderr).toBe(0);
    expect(s.asked).toEqual(["Install dependencies with npm?"]);
    expect(res.installs).toHaveLength(1);
  });

  it("asks before writing into a non-empty directory, and leaves it alone on no", async () => {
    const cwd = freshDir("ask-nonempty");
    mkdirSync(join(cwd, "app"));
    writeFileSync(join(cwd, "app/keep.txt"), "x");
    const s = scripted([false]);
    const res = await create(["app", ...BLOG, "--children", ""], {
      cwd,
      tty: true,
      prompts: s.adapter,
    });
    expect(res.code).toBe(1);
    expect(s.asked).toEqual([
      "app is not empty. Write into it anyway (files with our names are replaced)?",
    ]);
    expect(existsSync(join(cwd, "app/package.json"))).toBe(false);
  });

  const cancelAt = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9];
  it.each(cancelAt)("cancelling prompt #%i exits 130, says so, writes nothing", async (at) => {
    const cwd = freshDir("cancel");
    const answers: Scripted[] = [
      "app",
      "new",
      "example.com",
      "Blog",
      "composite",
      ["configmaps.v1"],
      "v1",
      false,
      false,
      true,
    ].slice(0, at);
    answers.push(CANCELLED);
    const s = scripted(answers);
    const res = await create([], { cwd, tty: true, prompts: s.adapter });
    expect(res.code).toBe(130);
    expect(s.said).toContain("cancel Cancelled; nothing was written.");
    expect(res.stderr).toBe("");
    expect(existsSync(join(cwd, "app"))).toBe(false);
  });

  it("takes an existing CRD file, checking that it exists", async () => {
    const cwd = freshDir("ask-file");
    writeFileSync(
      join(cwd, "blog-crd.yaml"),
      readFileSync(join(REPO_ROOT, "generators/controller/test/fixtures/blog-crd.yaml")),
    );
    const missing = scripted(["app", "file", "nope.yaml"]);
    const refused = await create(["--no-install"], { cwd, tty: true, prompts: missing.adapter });
    expect(refused.stderr).toMatch(/"nope\.yaml" rejected .*: nope\.yaml: no such file/);
    const offered: string[] = [];
    const s = scripted(["app", "file", "blog-crd.yaml", "composite", [], "v1", false, false]);
    const res = await create(["--no-install"], {
      cwd,
      tty: true,
      prompts: {
        ...s.adapter,
        multiselect: (o) => {
          offered.push(...o.options.map((c) => c.label));
          return s.adapter.multiselect(o);
        },
      },
    });
    expect(res.code, res.stderr).toBe(0);
    // The CRD's own kinds come first, then the common ones.
    expect(offered.slice(0, 3)).toEqual(["Blog", "Deployment", "StatefulSet"]);
    expect(s.asked).toContain("Path of the CRD (YAML or JSON)");
    expect(readFileSync(join(cwd, "app/src/blog-controller.generated.ts"), "utf8")).toContain(
      "export type Parent = Blog;",
    );
  });

  it("validates answers the way the flags are validated", async () => {
    const cwd = freshDir("validate");
    const s = scripted(["app", "new", "example", "Blog"]);
    const res = await create([], { cwd, tty: true, prompts: s.adapter });
    expect(res.code).toBe(1);
    expect(res.stderr).toMatch(
      /"example" rejected by "API group \(a domain you own\)": "example": a CRD group must be a domain with at least one dot/,
    );
  });
});

describe("clackPrompts on a terminal", () => {
  // A fake terminal that types each key once its prompt is on screen.
  function terminal(script: [prompt: string, key: string][]) {
    const input = Object.assign(new PassThrough(), { isTTY: true, setRawMode: () => input });
    let screen = "";
    let typedAt = 0;
    const output = Object.assign(
      new Writable({
        write(chunk, _encoding, done) {
          screen += String(chunk);
          const next = script[0];
          if (next && screen.indexOf(next[0], typedAt) !== -1) {
            script.shift();
            typedAt = screen.length;
            setTimeout(() => input.write(next[1]), 20);
          }
          done();
        },
      }),
      { isTTY: true, columns: 100, rows: 40 },
    );
    return { input, output, screen: () => screen };
  }

  it("answers through the real @clack/prompts with keystrokes, and Ctrl-C cancels cleanly", async () => {
    const cwd = freshDir("clack");
    const t = terminal([
      ["Where should the project go?", "\r"],
      ["The parent resource", "\r"],
      ["API group", "\r"],
      ["Kind (PascalCase)", "Post\r"],
      ["Controller kind", "\x03"],
    ]);
    const res = await create([], {
      cwd,
      tty: true,
      prompts: clackPrompts({ input: t.input, output: t.output }),
    });
    expect(res.code).toBe(130);
    expect(t.screen()).toContain("Where should the project go?");
    expect(t.screen()).toContain("Kind (PascalCase)");
    expect(t.screen()).toContain("Controller kind");
    expect(t.screen()).toContain("Cancelled; nothing was written.");
    expect(existsSync(join(cwd, "blog-controller"))).toBe(false);
  });
});

describe("clackPrompts: the searchable child list", () => {
  function terminal(script: [prompt: string, key: string][]) {
    const input = Object.assign(new PassThrough(), { isTTY: true, setRawMode: () => input });
    let screen = "";
    let typedAt = 0;
    const output = Object.assign(
      new Writable({
        write(chunk, _encoding, done) {
          screen += String(chunk);
          const next = script[0];
          if (next && screen.indexOf(next[0], typedAt) !== -1) {
            script.shift();
            typedAt = screen.length;
            setTimeout(() => input.write(next[1]), 20);
          }
          done();
        },
      }),
      { isTTY: true, columns: 100, rows: 40 },
    );
    return { input, output, screen: () => screen, left: script };
  }

  it("Enter keeps the defaults; typing filters, Tab picks, a typed <plural>.<apiVersion> is free entry", async () => {
    const cwd = freshDir("clack-children");
    const t = terminal([
      ["Where should the project go?", "\r"],
      ["The parent resource", "\r"],
      ["API group", "\r"],
      ["Kind (PascalCase)", "\r"],
      ["Controller kind", "\r"],
      ["Child resources", "ingr"],
      ["networking.k8s.io", "\t"],
      ["Ingress", "\u007f\u007f\u007f\u007f"],
      ["Deployment", "pods.v1"],
      ["typed", "\t"],
      ["pods.v1", "\r"],
      ["Hook version", "\r"],
      ["finalize hook", "\r"],
      ["customize hook", "\r"],
    ]);
    const res = await create(["--no-install"], {
      cwd,
      tty: true,
      prompts: clackPrompts({ input: t.input, output: t.output }),
    });
    expect(res.code, `${res.stderr}\n${t.screen()}`).toBe(0);
    expect(t.left).toEqual([]);
    const controller = parse(
      readFileSync(join(cwd, "blog-controller/deploy/controller.yaml"), "utf8"),
    );
    expect(
      controller.spec.childResources.map(
        (r: { apiVersion: string; resource: string }) => `${r.resource}.${r.apiVersion}`,
      ),
    ).toEqual(["deployments.apps/v1", "services.v1", "ingresses.networking.k8s.io/v1", "pods.v1"]);
  }, 30_000);
});

describe("dependencies", () => {
  it("third-party versions match the monorepo catalog", () => {
    const catalog = parse(readFileSync(join(REPO_ROOT, "pnpm-workspace.yaml"), "utf8")).catalog;
    for (const [name, range] of Object.entries({
      ...PROJECT_DEPENDENCIES,
      ...PROJECT_DEV_DEPENDENCIES,
    })) {
      expect(range.replace(/^[\^~]/, ""), name).toBe(catalog[name]);
    }
  });

  it("transitive pins match the monorepo's overrides", () => {
    const { overrides } = parse(readFileSync(join(REPO_ROOT, "pnpm-workspace.yaml"), "utf8"));
    expect(PROJECT_OVERRIDES).toEqual(overrides);
  });

  it("--metahook-source turns packed tarballs into file: specs and overrides", async () => {
    const dir = freshDir("tarballs");
    for (const f of [
      "metahook-runtime-0.1.0.tgz",
      "metahook-cli-0.1.0.tgz",
      "metahook-crd-types-0.1.0.tgz",
      "metahook-gen-controller-0.1.0.tgz",
      "metahook-scaffold-0.1.0.tgz",
      "metahook-cli-extra.txt",
    ]) {
      writeFileSync(join(dir, f), "");
    }
    const deps = await tarballDependencies(dir);
    expect(deps.specs["@metahook/cli"]).toBe(`file:${join(dir, "metahook-cli-0.1.0.tgz")}`);
    expect(deps.overrides?.["@metahook/crd-types"]).toBe(
      `file:${join(dir, "metahook-crd-types-0.1.0.tgz")}`,
    );
    const cwd = freshDir("source-env");
    const res = await create(["app", ...BLOG, "--children", "", "--no-install"], {
      cwd,
      env: { METAHOOK_SOURCE: dir },
    });
    expect(res.code, res.stderr).toBe(0);
    const pkg = JSON.parse(readFileSync(join(cwd, "app/package.json"), "utf8"));
    expect(pkg.dependencies["@metahook/runtime"]).toBe(
      `file:${join(dir, "metahook-runtime-0.1.0.tgz")}`,
    );
    expect(pkg.pnpm.overrides).toEqual(pkg.overrides);
  });
});

describe("--help and --version", () => {
  it.each([["--help"], ["-h"]])("%s prints the usage on stdout", async (flag) => {
    const res = await create([flag], { cwd: tmp });
    expect(res.code).toBe(0);
    expect(res.stdout).toContain("--metahook-source <dir>");
  });
  it("--version prints the version", async () => {
    const res = await create(["--version"], { cwd: tmp });
    expect(res.stdout).toBe(
      JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8")).version,
    );
  });
});

describe("buildProject over Metacontroller's upstream example CRDs", () => {
  const examples = join(REFERENCE, "metacontroller/examples");
  const crdFiles = readdirSync(examples, { recursive: true, encoding: "utf8" })
    .filter((f) => /\.ya?ml$/.test(f))
    .filter((f) =>
      /^kind: CustomResourceDefinition$/m.test(readFileSync(join(examples, f), "utf8")),
    )
    .sort();
  const cases = crdFiles.flatMap((file) =>
    (["composite", "decorator"] as const).map((template) => ({ file, template })),
  );

  it("finds the CRDs", () => {
    expect(crdFiles.length).toBeGreaterThanOrEqual(10);
  });

  it.each(cases)("$file as a $template parent", ({ file, template }) => {
    const content = readFileSync(join(examples, file), "utf8");
    const project = buildProject({
      name: "upstream",
      parent: { crd: { path: file, content } },
      children: "configmaps.v1,secrets.v1",
      template,
      hookVersion: "v1",
      packageManager: "npm",
      dependencies: publishedDependencies(),
    });
    const byPath = new Map(project.files.map((f) => [f.path, f.content]));
    const controllers = readControllers({
      path: "controller.yaml",
      content: byPath.get("deploy/controller.yaml") ?? "",
    });
    expect(controllers[0]?.kind).toBe(
      template === "composite" ? "CompositeController" : "DecoratorController",
    );
    const name = project.controller.name;
    expect(byPath.get(`src/${name}.ts`)).toContain(`Served at /${name}/sync`);
    const request = JSON.parse(byPath.get("fixtures/sync-request.json") ?? "{}");
    const parent = template === "composite" ? request.parent : request.object;
    expect(parent.kind).toBe(project.controller.parent.kind);
    expect(Object.keys(template === "composite" ? request.children : request.attachments)).toEqual([
      "ConfigMap.v1",
      "Secret.v1",
    ]);
  });
});

describe("the sample parent is valid against its own CRD", () => {
  const crd = (spec: string) => `apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata: { name: sites.example.com }
spec:
  group: example.com
  scope: Namespaced
  names: { plural: sites, singular: site, kind: Site }
  versions:
    - name: v1
      served: true
      storage: true
      schema:
        openAPIV3Schema:
          type: object
          properties:
            spec:
${spec}
`;
  // Every field constrained, as the issue's `domain: example` was: none of them accepts "example".
  const constrained = crd(`              type: object
              required: [domain, tier, owner, replicas, token, since]
              properties:
                domain: { type: string, pattern: '^[a-z0-9-]+(\\.[a-z0-9-]+)+$' }
                tier: { type: string, enum: [gold, silver] }
                owner: { type: string, minLength: 12, maxLength: 20 }
                replicas: { type: integer, minimum: 3, maximum: 7 }
                token: { type: string, format: uuid }
                since: { type: string, format: date }
                ratio: { type: number, minimum: 0.5, default: 0.75 }`);
  const impossible = crd(`              type: object
              required: [code]
              properties:
                code: { type: string, pattern: '^x$', minLength: 3 }`);

  const build = (content: string) =>
    buildProject({
      name: "sites",
      parent: { crd: { path: "crd.yaml", content } },
      children: "configmaps.v1",
      template: "composite",
      hookVersion: "v1",
      packageManager: "npm",
      dependencies: publishedDependencies(),
    });
  const schemaOf = (content: string) =>
    (parse(content) as { spec: { versions: { schema: { openAPIV3Schema: unknown } }[] } }).spec
      .versions[0]?.schema.openAPIV3Schema;

  it("honours pattern, enum, format, bounds, lengths and required: the example, the fixture and the test agree", () => {
    const project = build(constrained);
    const byPath = new Map(project.files.map((f) => [f.path, f.content]));
    const text = byPath.get("examples/site.yaml") ?? "";
    const example = parse(text) as { spec: { [key: string]: unknown } };
    expect(validateSample(schemaOf(constrained), example)).toEqual([]);
    expect(text).not.toContain("TODO");
    expect(Object.keys(example.spec).sort()).toEqual(
      ["domain", "owner", "ratio", "replicas", "since", "tier", "token"].sort(),
    );
    const request = JSON.parse(byPath.get("fixtures/sync-request.json") ?? "{}");
    expect(request.parent.spec).toEqual(example.spec);
    expect(byPath.get("src/site-controller.test.ts")).toContain(
      JSON.stringify(example.spec.domain),
    );
    expect(project.notes.filter((n) => n.includes("TODO"))).toEqual([]);
  });

  it("writes a marked placeholder and a TODO where no valid value exists", () => {
    const project = build(impossible);
    const text = project.files.find((f) => f.path === "examples/site.yaml")?.content ?? "";
    const example = parse(text) as { spec: { code: string } };
    expect(example.spec.code.startsWith("TODO")).toBe(true);
    expect(text).toMatch(
      /code: .* # TODO: set a value that must match \^x\$, have at least 3 characters/,
    );
    expect(project.notes).toContainEqual(
      expect.stringMatching(/^examples\/site\.yaml: spec\.code: TODO /),
    );
  });
});

describe("--auth: the project calls its hooks over HTTPS with Metacontroller's credentials", () => {
  it.each([
    ["bearer", "authorization"],
    ["basic", "basicAuth"],
    ["mtls", "clientTLS"],
  ] as const)("--auth %s", async (mode, credential) => {
    const cwd = freshDir(`auth-${mode}`);
    const res = await create(
      [
        "blog-controller",
        "--group",
        "example.com",
        "--kind",
        "Blog",
        "--children",
        "configmaps.v1",
        "--auth",
        mode,
        "--no-install",
      ],
      { cwd, prompts: NO_PROMPTS },
    );
    expect(res.code, res.stderr).toBe(0);
    const deploy = (f: string) => readFileSync(join(cwd, "blog-controller/deploy", f), "utf8");
    const webhook = parse(deploy("controller.yaml")).spec.hooks.sync.webhook;
    expect(webhook.url).toBe("https://blog-controller.default.svc/blog-controller/sync");
    expect(webhook.caBundle).toBeDefined();
    expect(webhook[credential]).toBeDefined();
    expect(parse(deploy("kustomization.yaml")).resources).toContain("tls.yaml");
    expect(deploy("AUTH.md")).toMatch(/kind/);
  });

  it("refuses an unknown mode as a usage error", async () => {
    const res = await create(["x", "--group", "a.b", "--kind", "X", "--auth", "token"], {
      cwd: freshDir("auth-bad"),
      prompts: NO_PROMPTS,
    });
    expect(res.code).toBe(2);
    expect(res.stderr).toMatch(/--auth token: must be one of bearer, basic, mtls/);
  });
});
