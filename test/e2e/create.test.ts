// Acceptance of create-metacontroller-hook: from nothing to a running typed controller, with the
// workspace packages packed as tarballs and installed by npm from them.
import { type ChildProcess, spawn } from "node:child_process";
import { createHash } from "node:crypto";
import {
  existsSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join, relative, resolve } from "node:path";
import { buildCompositeRequest } from "@metahook/runtime/testing";
import { REFERENCE, REPO_ROOT } from "@metahook/test-support";
import { Deployment, type IDeployment } from "kubernetes-models/apps/v1/Deployment";
import { type IService, Service } from "kubernetes-models/v1/Service";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parse } from "yaml";

const PACKAGES = ["runtime", "cli", "crd-types", "gen-controller", "scaffold"] as const;
const CREATE_BIN = join(REPO_ROOT, "packages/create-metacontroller-hook/dist/bin.js");
const PNPM = join(REPO_ROOT, "node_modules/.bin/pnpm");

// A blog CRD with a required field and a default, as users write them.
const BLOG_CRD = `apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata:
  name: blogs.example.com
spec:
  group: example.com
  scope: Namespaced
  names: { plural: blogs, singular: blog, kind: Blog, listKind: BlogList }
  versions:
    - name: v1
      served: true
      storage: true
      subresources: { status: {} }
      schema:
        openAPIV3Schema:
          type: object
          properties:
            spec:
              type: object
              required: [title]
              properties:
                title: { type: string, minLength: 1 }
                replicas: { type: integer, minimum: 1, default: 1 }
            status:
              type: object
              properties:
                observedGeneration: { type: integer, format: int64 }
                observedChildren: { type: integer }
                readyReplicas: { type: integer }
`;

const tmp = mkdtempSync(join(tmpdir(), "metahook-create-e2e-"));
const tarballs = join(tmp, "tarballs");
const project = join(tmp, "blog-controller");
let server: ChildProcess | undefined;
// Servers of the other templates, stopped by their tests; afterAll catches any a failure left.
const servers: ChildProcess[] = [];

// A clean environment for npm: nothing inherited from the pnpm that runs the tests.
function childEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (!/^(npm_|pnpm_|PNPM_|INIT_CWD$|VITEST|NODE_OPTIONS$)/i.test(key)) env[key] = value;
  }
  return {
    ...env,
    npm_config_audit: "false",
    npm_config_fund: "false",
    npm_config_update_notifier: "false",
    ...extra,
  };
}

function plain(text: string): string {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: stripping terminal colours
  return text.replace(/\u001b\[[0-9;]*m/g, "");
}

interface Ran {
  code: number;
  stdout: string;
  stderr: string;
}

function exec(command: string, args: string[], cwd: string, env = childEnv()): Promise<Ran> {
  return new Promise((done, fail) => {
    const child = spawn(command, args, { cwd, env, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d: Buffer) => {
      stdout += d.toString();
    });
    child.stderr.on("data", (d: Buffer) => {
      stderr += d.toString();
    });
    child.on("error", fail);
    child.on("exit", (code) => done({ code: code ?? 1, stdout, stderr }));
  });
}

// Every file under dir by content, keyed by path relative to it.
function snapshotContent(dir: string): Map<string, string> {
  const out = new Map<string, string>();
  const walk = (d: string) => {
    for (const entry of readdirSync(d, { withFileTypes: true })) {
      const path = join(d, entry.name);
      if (entry.isDirectory()) walk(path);
      else out.set(relative(dir, path), readFileSync(path, "utf8"));
    }
  };
  walk(dir);
  return out;
}

// Every file under dir (node_modules included, by name, size and mtime; the rest by content).
function snapshot(dir: string): Map<string, string> {
  const out = new Map<string, string>();
  const walk = (d: string, deep: boolean) => {
    for (const entry of readdirSync(d, { withFileTypes: true })) {
      const path = join(d, entry.name);
      const rel = relative(dir, path);
      if (entry.isDirectory()) {
        out.set(`${rel}/`, String(statSync(path).mtimeMs));
        if (deep && entry.name !== "node_modules") walk(path, deep);
      } else {
        const s = statSync(path);
        out.set(
          rel,
          `${s.mtimeMs}:${createHash("sha256").update(readFileSync(path)).digest("hex")}`,
        );
      }
    }
  };
  walk(dir, true);
  return out;
}

beforeAll(async () => {
  for (const dir of [
    "packages/runtime",
    "packages/cli",
    "generators/crd-types",
    "generators/controller",
    "generators/scaffold",
    "packages/create-metacontroller-hook",
  ]) {
    const dist = join(REPO_ROOT, dir, "dist");
    if (!existsSync(dist)) throw new Error(`${dist} is missing: build first (pnpm build)`);
  }
  const pack = await exec(
    PNPM,
    [
      "-r",
      ...PACKAGES.flatMap((p) => ["--filter", `@metahook/${p}`]),
      "pack",
      "--pack-destination",
      tarballs,
    ],
    REPO_ROOT,
    childEnv(),
  );
  expect(pack.code, pack.stderr).toBe(0);
  const crd = join(tmp, "blog-crd.yaml");
  await import("node:fs/promises").then((fs) => fs.writeFile(crd, BLOG_CRD));
}, 120_000);

afterAll(() => {
  // The servers' process groups (npm and the node it started), if a failed test left one running.
  for (const s of [server, ...servers]) {
    if (s?.pid !== undefined && s.exitCode === null && s.signalCode === null) {
      try {
        process.kill(-s.pid, "SIGTERM");
      } catch {
        // already gone
      }
    }
  }
  rmSync(tmp, { recursive: true, force: true });
});

describe("npx create-metacontroller-hook, end to end", () => {
  let created: Ran;

  it("scaffolds non-interactively (CI set, stdin not a TTY) and installs from the packed packages", async () => {
    created = await exec(
      process.execPath,
      [
        CREATE_BIN,
        "blog-controller",
        "--crd",
        "blog-crd.yaml",
        "--children",
        "deployments.apps/v1,services.v1",
        "--metahook-source",
        tarballs,
        "--package-manager",
        "npm",
      ],
      tmp,
      childEnv({ CI: "1" }),
    );
    expect(created.code, created.stderr).toBe(0);
    // npm's install output is on stderr: every dependency is Node 20-clean (light-my-request pin).
    expect(created.stderr).not.toMatch(/EBADENGINE/);
    expect(created.stdout).toMatch(
      /^created blog-controller: CompositeController blog-controller for Blog, children Deployment, Service/,
    );
    const pkg = JSON.parse(readFileSync(join(project, "package.json"), "utf8"));
    expect(pkg.dependencies["@metahook/runtime"]).toMatch(/^file:.*metahook-runtime-.*\.tgz$/);
    expect(pkg.overrides["@metahook/gen-controller"]).toMatch(/^file:.*\.tgz$/);
    expect(existsSync(join(project, "node_modules/@metahook/cli/dist/bin.js"))).toBe(true);
    for (const file of [
      "deploy/crd.yaml",
      "deploy/controller.yaml",
      "deploy/deployment.yaml",
      "deploy/service.yaml",
      "deploy/pdb.yaml",
      "deploy/kustomization.yaml",
      "src/blog-controller.ts",
      "src/blog-controller.test.ts",
      "src/blog-controller.generated.ts",
      "src/types/example.com/v1/Blog.ts",
      "fixtures/sync-request.json",
      "Dockerfile",
      ".gitignore",
      "README.md",
    ]) {
      expect(existsSync(join(project, file)), file).toBe(true);
    }
  }, 150_000);

  it("`test` passes in the new project", async () => {
    const res = await exec("npm", ["test"], project);
    expect(res.code, `${res.stdout}\n${res.stderr}`).toBe(0);
    // The skeleton's two sync cases: it settles, and two Blogs in one namespace do not collide.
    expect(plain(res.stdout)).toMatch(/Tests\s+2 passed/);
  }, 60_000);

  it("`build` passes and compiles the controller to dist/", async () => {
    const res = await exec("npm", ["run", "build"], project);
    expect(res.code, `${res.stdout}\n${res.stderr}`).toBe(0);
    expect(existsSync(join(project, "dist/blog-controller.js"))).toBe(true);
  }, 60_000);

  it("`gen types <crd>` works through the gen script", async () => {
    const res = await exec(
      "npm",
      ["run", "gen", "--", "types", "deploy/crd.yaml", "-o", "gen-check"],
      project,
    );
    expect(res.code, `${res.stdout}\n${res.stderr}`).toBe(0);
    const blog = readFileSync(join(project, "gen-check/example.com/v1/Blog.ts"), "utf8");
    // The banner names the input relative to the project and not the output directory.
    expect(blog.split("\n")[0]).toBe(
      "// Code generated by `metahook gen types deploy/crd.yaml`. DO NOT EDIT.",
    );
    expect(blog).toMatch(/title: string/);
    rmSync(join(project, "gen-check"), { recursive: true });
  }, 60_000);

  it("`generate -- --check` and `gen -- types ... --check` both pass on the new project, after each other", async () => {
    const generate = await exec("npm", ["run", "generate", "--", "--check"], project);
    expect(generate.code, `${generate.stdout}\n${generate.stderr}`).toBe(0);
    const types = await exec(
      "npm",
      ["run", "gen", "--", "types", "deploy/crd.yaml", "-o", "src/types", "--check"],
      project,
    );
    expect(types.code, `${types.stdout}\n${types.stderr}`).toBe(0);
  }, 60_000);

  it("the same generation from two working directories into two output paths is byte-identical", async () => {
    const metahook = join(project, "node_modules/.bin/metahook");
    const from = [
      { cwd: project, args: ["deploy/controller.yaml", "--crd", "deploy/crd.yaml", "-o", "out-a"] },
      {
        cwd: join(project, "deploy"),
        args: [
          "controller.yaml",
          "--crd",
          join(project, "deploy/crd.yaml"),
          "-o",
          "../nested/out-b",
        ],
      },
    ];
    const trees = [];
    for (const { cwd, args } of from) {
      const res = await exec(metahook, ["gen", "controller", ...args], cwd);
      expect(res.code, res.stderr).toBe(0);
      const out = resolve(cwd, args.at(-1) ?? "");
      trees.push(snapshotContent(out));
      rmSync(out, { recursive: true });
    }
    expect(trees[0]?.size).toBeGreaterThan(3);
    expect(trees[1]).toEqual(trees[0]);
    // And identical to what create wrote into src/.
    expect(trees[0]?.get("blog-controller.generated.ts")).toBe(
      readFileSync(join(project, "src/blog-controller.generated.ts"), "utf8"),
    );
  }, 60_000);

  it("`start` serves, and a sync request built for its controller gets 200 with typed children", async () => {
    server = spawn("npm", ["start"], {
      cwd: project,
      env: childEnv({ PORT: "0", HOST: "127.0.0.1", LOG_LEVEL: "warn" }),
      stdio: ["ignore", "pipe", "pipe"],
      detached: true,
    });
    let stdout = "";
    let stderr = "";
    server.stdout?.on("data", (d: Buffer) => {
      stdout += d.toString();
    });
    const base = await new Promise<string>((done, fail) => {
      const timer = setTimeout(
        () => fail(new Error(`no server after 30 s:\n${stdout}\n${stderr}`)),
        30_000,
      );
      server?.stderr?.on("data", (d: Buffer) => {
        stderr += d.toString();
        const m = /serving \d+ module\(s\) on (http:\/\/[^\s]+)/.exec(stderr);
        if (m?.[1]) {
          clearTimeout(timer);
          done(m[1]);
        }
      });
      server?.on("exit", (code) => fail(new Error(`npm start exited ${code}:\n${stderr}`)));
    });
    expect(stdout).toContain("POST /blog-controller/sync\tsync\tdist/blog-controller.js");
    expect((await fetch(`${base}/readyz`)).status).toBe(200);

    // A request built now, for a parent the scaffold never saw, from the project's own manifest.
    const controller = parse(readFileSync(join(project, "deploy/controller.yaml"), "utf8"));
    const request = buildCompositeRequest({
      controller,
      parent: {
        apiVersion: "example.com/v1",
        kind: "Blog",
        metadata: {
          name: "hello",
          namespace: "blogs",
          uid: "11111111-2222-4333-8444-555555555555",
          generation: 3,
        },
        spec: { title: "Hello", replicas: 2 },
      },
      kinds: { "blogs.example.com": "Blog" },
    });
    const answered = await fetch(`${base}/blog-controller/sync`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(request),
    });
    expect(answered.status).toBe(200);
    const response = (await answered.json()) as {
      status: { [field: string]: unknown };
      children: { apiVersion: string; kind: string; metadata: { name: string } }[];
    };
    // Computed from the observed children (none yet); Metacontroller adds observedGeneration.
    expect(response.status).toEqual({ observedChildren: 0, readyReplicas: 0 });
    expect(response.children.length).toBeGreaterThan(0);
    for (const child of response.children) {
      // Typed children: each is a declared child kind and valid against the official schema.
      expect(["apps/v1/Deployment", "v1/Service"]).toContain(`${child.apiVersion}/${child.kind}`);
      if (child.kind === "Deployment") new Deployment(child as IDeployment).validate();
      else new Service(child as IService).validate();
      expect(child.metadata.name.startsWith("hello")).toBe(true);
    }

    // The fixture the scaffold wrote is answered too.
    const fixture = await fetch(`${base}/blog-controller/sync`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: readFileSync(join(project, "fixtures/sync-request.json")),
    });
    expect(fixture.status).toBe(200);

    if (server.pid !== undefined) process.kill(-server.pid, "SIGTERM");
    await new Promise((done) => server?.once("exit", done));
  }, 60_000);

  it("a child added to the manifest: `run` refuses it until `generate`, then accepts it", async () => {
    const manifestPath = join(project, "deploy/controller.yaml");
    const manifest = readFileSync(manifestPath, "utf8");
    const withConfigMap = manifest.replace(
      "  childResources:\n",
      "  childResources:\n    - apiVersion: v1\n      resource: configmaps\n      updateStrategy:\n        method: InPlace\n",
    );
    expect(withConfigMap).not.toBe(manifest);
    writeFileSync(manifestPath, withConfigMap);
    // The user returns the new child from sync.
    const controllerPath = join(project, "src/blog-controller.ts");
    const source = readFileSync(controllerPath, "utf8");
    const returning = source.replace(
      "      children: [\n",
      '      children: [\n        { apiVersion: "v1", kind: "ConfigMap", metadata: { name: name + "-config" }, data: {} },\n',
    );
    expect(returning).not.toBe(source);
    writeFileSync(controllerPath, returning);
    const metahook = join(project, "node_modules/.bin/metahook");
    const run = ["run", "src/blog-controller.ts", "fixtures/sync-request.json"];

    const stale = await exec(metahook, run, project);
    expect(stale.code).toBe(1);
    expect(stale.stderr).toMatch(
      /ConfigMap\.v1, which is not among the controller's childResources/,
    );

    const generate = await exec("npm", ["run", "generate"], project);
    expect(generate.code, `${generate.stdout}\n${generate.stderr}`).toBe(0);
    expect(generate.stdout).toContain("wrote fixtures/sync-request.json");
    const fresh = await exec(metahook, run, project);
    expect(fresh.code, fresh.stderr).toBe(0);
    const response = JSON.parse(fresh.stdout) as { children: { kind: string }[] };
    expect(response.children.map((c) => c.kind)).toContain("ConfigMap");
    const typecheck = await exec("npm", ["run", "typecheck"], project);
    expect(typecheck.code, `${typecheck.stdout}\n${typecheck.stderr}`).toBe(0);
  }, 90_000);

  it("a second run into the same directory without --overwrite fails and changes nothing", async () => {
    const before = snapshot(project);
    const again = await exec(
      process.execPath,
      [
        CREATE_BIN,
        "blog-controller",
        "--group",
        "example.com",
        "--kind",
        "Post",
        "--children",
        "configmaps.v1",
        "--metahook-source",
        tarballs,
      ],
      tmp,
      childEnv({ CI: "true" }),
    );
    expect(again.code).toBe(1);
    expect(again.stderr).toContain("blog-controller is not empty; nothing was changed");
    expect(again.stdout).toBe("");
    expect(snapshot(project)).toEqual(before);
  }, 30_000);
});

/**
 * `npm start` in dir on a free loopback port, one POST of a request file to path, then the
 * server is stopped (its whole process group, npm and node).
 */
async function serveOnce(
  dir: string,
  path: string,
  requestFile: string,
): Promise<{ status: number; body: string }> {
  const started = spawn("npm", ["start"], {
    cwd: dir,
    env: childEnv({ PORT: "0", HOST: "127.0.0.1", LOG_LEVEL: "warn" }),
    stdio: ["ignore", "pipe", "pipe"],
    detached: true,
  });
  servers.push(started);
  try {
    let stderr = "";
    const base = await new Promise<string>((done, fail) => {
      const timer = setTimeout(() => fail(new Error(`no server after 30 s:\n${stderr}`)), 30_000);
      started.stderr?.on("data", (d: Buffer) => {
        stderr += d.toString();
        const m = /serving \d+ module\(s\) on (http:\/\/[^\s]+)/.exec(stderr);
        if (m?.[1]) {
          clearTimeout(timer);
          done(m[1]);
        }
      });
      started.on("exit", (code) => fail(new Error(`npm start exited ${code}:\n${stderr}`)));
    });
    const res = await fetch(`${base}${path}`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: readFileSync(requestFile),
    });
    return { status: res.status, body: await res.text() };
  } finally {
    if (started.pid !== undefined && started.exitCode === null) {
      const exited = new Promise((done) => started.once("exit", done));
      process.kill(-started.pid, "SIGTERM");
      await exited;
    }
  }
}

// The other templates and options: created without installing, then type-checked and tested
// against the first project's node_modules (same dependencies, same tarballs).
describe("every template compiles, its generated test passes, and it serves its sync hook", () => {
  const variants: { name: string; args: string[]; controller: string }[] = [
    {
      name: "composite, new CRD, hook v1, Deployment + Service + Ingress, finalize + customize",
      args: [
        "--group",
        "example.com",
        "--kind",
        "Site",
        "--finalize",
        "--customize",
        "--children",
        "deployments.apps/v1,services.v1,ingresses.networking.k8s.io/v1",
      ],
      controller: "CompositeController",
    },
    {
      name: "decorator, hook v2, finalize + customize",
      args: [
        "--group",
        "example.com",
        "--kind",
        "Note",
        "--template",
        "decorator",
        "--hook-version",
        "v2",
        "--finalize",
        "--customize",
        "--children",
        "services.v1,configmaps.v1",
      ],
      controller: "DecoratorController",
    },
    {
      name: "cluster-scoped parent, customize, v2, cluster-scoped child",
      args: [
        "--group",
        "ops.example.com",
        "--kind",
        "Fleet",
        "--scope",
        "Cluster",
        "--customize",
        "--hook-version",
        "v2",
        "--children",
        "namespaces.v1,configmaps.v1,clusterroles.rbac.authorization.k8s.io/v1",
      ],
      controller: "CompositeController",
    },
    {
      name: "upstream CatSet CRD, pods + PVCs, finalize",
      args: [
        "--crd",
        join(REFERENCE, "metacontroller/examples/catset/v1/crdv1.yaml"),
        "--children",
        "pods.v1,persistentvolumeclaims.v1",
        "--finalize",
      ],
      controller: "CompositeController",
    },
    {
      name: "no children",
      args: ["--group", "example.com", "--kind", "Empty", "--children", ""],
      controller: "CompositeController",
    },
  ];

  it.each(variants)(
    "$name",
    async ({ name, args, controller }) => {
      const dir = join(tmp, name.replace(/[^a-z0-9]+/gi, "-"));
      const created = await exec(
        process.execPath,
        [CREATE_BIN, dir, ...args, "--no-install", "--metahook-source", tarballs],
        tmp,
        childEnv({ CI: "1" }),
      );
      expect(created.code, created.stderr).toBe(0);
      expect(created.stdout).toContain(`: ${controller} `);
      symlinkSync(join(project, "node_modules"), join(dir, "node_modules"), "dir");
      const typecheck = await exec("npm", ["run", "typecheck"], dir);
      expect(typecheck.code, `${typecheck.stdout}\n${typecheck.stderr}`).toBe(0);
      const test = await exec("npm", ["test"], dir);
      expect(test.code, `${test.stdout}\n${test.stderr}`).toBe(0);
      expect(plain(test.stdout)).toMatch(/Tests\s+\d+ passed/);
      const build = await exec("npm", ["run", "build"], dir);
      expect(build.code, `${build.stdout}\n${build.stderr}`).toBe(0);
      const module = /: \w+Controller (\S+) for /.exec(created.stdout)?.[1] ?? "";
      const answer = await serveOnce(
        dir,
        `/${module}/sync`,
        join(dir, "fixtures/sync-request.json"),
      );
      expect(answer.status, answer.body).toBe(200);
      const body = JSON.parse(answer.body) as { children?: unknown[]; attachments?: unknown[] };
      expect(Array.isArray(body.children ?? body.attachments)).toBe(true);
    },
    120_000,
  );
});

// The README's way to use the generator before it is published: Node and npm alone.
describe("npm run create -- <dir> (from the clone)", () => {
  it("builds, packs and runs create-metacontroller-hook where npm was run, on the packed packages", async () => {
    const res = await exec(
      "npm",
      [
        "--prefix",
        REPO_ROOT,
        "run",
        "create",
        "--",
        "scripted",
        "--group",
        "example.com",
        "--kind",
        "Demo",
        "--children",
        "configmaps.v1",
        "--no-install",
      ],
      tmp,
      childEnv({ CI: "1" }),
    );
    expect(res.code, res.stderr).toBe(0);
    expect(res.stdout).toMatch(/created scripted: CompositeController demo-controller for Demo/);
    const pkg = JSON.parse(readFileSync(join(tmp, "scripted/package.json"), "utf8"));
    const { version } = JSON.parse(
      readFileSync(join(REPO_ROOT, "packages/cli/package.json"), "utf8"),
    ) as { version: string };
    expect(pkg.dependencies["@metahook/cli"]).toBe(
      `file:${join(REPO_ROOT, ".packs", `metahook-cli-${version}.tgz`)}`,
    );
  }, 120_000);
});
