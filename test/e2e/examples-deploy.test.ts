/**
 * Every example deploys as its manifests say: each document under `manifests/` validates (built-in
 * kinds with kubernetes-models, CRDs and controllers as `metahook scaffold` checks them, custom
 * objects with the example's generated model), the controller calls the Service of its own
 * `deploy.yaml`, and the package's `start` script, run as pnpm runs it, serves every path the
 * controller manifest names on `PORT` (loopback only).
 */
import { type ChildProcess, spawn } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import { createServer } from "node:net";
import { delimiter, join } from "node:path";
import { pathToFileURL } from "node:url";
import { checkSchemas, type SchemaModels } from "@metahook/runtime";
import { HOOK_SERVER_NODE_OPTIONS, validateManifest } from "@metahook/scaffold";
import { type Document, REPO_ROOT, yamlDocuments } from "@metahook/test-support";
import { afterEach, describe, expect, it } from "vitest";

const EXAMPLES = join(REPO_ROOT, "examples");
const names = readdirSync(EXAMPLES, { withFileTypes: true })
  .filter((entry) => entry.isDirectory())
  .map((entry) => entry.name)
  .sort();

const manifestsOf = (name: string) =>
  readdirSync(join(EXAMPLES, name, "manifests"))
    .filter((file) => /\.ya?ml$/.test(file))
    .sort();

const docs = (name: string, file: string): Document[] =>
  yamlDocuments(join(EXAMPLES, name, "manifests", file));

/** The problems of one document (empty: valid). */
async function problemsOf(name: string, doc: Document, label: string): Promise<string[]> {
  const apiVersion = String(doc.apiVersion);
  const kind = String(doc.kind);
  if (kind === "CustomResourceDefinition" || apiVersion.startsWith("metacontroller.k8s.io/")) {
    return validateManifest(doc, label);
  }
  const generated = (await import(
    pathToFileURL(join(EXAMPLES, name, "src", `${name}.generated.ts`)).href
  )) as { models: SchemaModels };
  // The runtime's own schema check: the example's generated models for its custom kinds,
  // kubernetes-models' official schemas for built-in ones.
  const problems = await checkSchemas({
    desired: [doc],
    desiredField: "children",
    models: generated.models,
  });
  return problems.map((p) => `${label}: ${p.object}: ${p.path} ${p.message}`);
}

const documents = names.flatMap((name) =>
  manifestsOf(name).flatMap((file) =>
    docs(name, file).map((doc, i) => ({
      label: `${name}/manifests/${file}#${i} ${String(doc.kind)}`,
      name,
      doc,
    })),
  ),
);

describe("every example's manifests validate", () => {
  it("each example has a controller, a sample and a deploy.yaml", () => {
    for (const name of names) {
      expect(manifestsOf(name), name).toEqual(
        expect.arrayContaining(["controller.yaml", "deploy.yaml"]),
      );
      expect(manifestsOf(name).length, name).toBeGreaterThanOrEqual(3);
    }
  });

  it.each(documents)("$label", async ({ name, doc, label }) => {
    expect(await problemsOf(name, doc, label)).toStrictEqual([]);
  });

  it.each(names)("%s runs its hook server with the scaffold's NODE_OPTIONS", (name) => {
    const deployment = docs(name, "deploy.yaml").find((doc) => doc.kind === "Deployment");
    const containers = (
      deployment?.spec as
        | { template: { spec: { containers: { env?: { name: string; value?: string }[] }[] } } }
        | undefined
    )?.template.spec.containers;
    const env = containers?.[0]?.env ?? [];
    expect(env.find((e) => e.name === "NODE_OPTIONS")?.value).toBe(HOOK_SERVER_NODE_OPTIONS);
  });

  it("a broken document is caught", async () => {
    const [deployment] = docs("blog", "deploy.yaml");
    const broken = { ...deployment, spec: { replicas: "two" } };
    expect(await problemsOf("blog", broken, "broken")).not.toStrictEqual([]);
    const [blog] = docs("blog", "blog.yaml");
    const badBlog = { ...blog, spec: { image: "", replicas: 0 } };
    expect((await problemsOf("blog", badBlog, "bad blog")).join("\n")).toMatch(/replicas|minimum/);
  });
});

interface Hooks {
  [hook: string]: { webhook?: { url?: string } } | undefined;
}

/** The URL of every hook of the example's controller manifest. */
function hookUrls(name: string): URL[] {
  const [controller] = docs(name, "controller.yaml");
  const hooks = ((controller?.spec as { hooks?: Hooks } | undefined)?.hooks ?? {}) as Hooks;
  return Object.values(hooks).map((hook) => new URL(String(hook?.webhook?.url)));
}

describe("every controller calls the hook server its deploy.yaml runs", () => {
  it.each(names)("%s", (name) => {
    const [deployment, service] = docs(name, "deploy.yaml") as [Document, Document];
    const meta = service.metadata as { name: string; namespace: string };
    for (const url of hookUrls(name)) {
      expect(url.host).toBe(`${meta.name}.${meta.namespace}`);
    }
    const spec = service.spec as {
      selector: unknown;
      ports: { port: number; targetPort: string }[];
    };
    expect(spec.ports.map((p) => p.port)).toStrictEqual([80]);
    const template = (
      deployment.spec as { template: { metadata: { labels: unknown }; spec: unknown } }
    ).template;
    expect(template.metadata.labels).toStrictEqual(spec.selector);
    const [container] = (
      template.spec as {
        containers: {
          command: string[];
          env: { name: string; value: string }[];
          ports: { name: string; containerPort: number }[];
        }[];
      }
    ).containers;
    expect(container?.command).toStrictEqual([
      "node_modules/.bin/metahook",
      "serve",
      `src/${name}.ts`,
    ]);
    const port = Number(container?.env.find((e) => e.name === "PORT")?.value);
    expect(container?.ports).toContainEqual({
      name: spec.ports[0]?.targetPort,
      containerPort: port,
      protocol: "TCP",
    });
  });
});

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() =>
        typeof address === "object" && address !== null
          ? resolve(address.port)
          : reject(new Error("no port")),
      );
    });
  });
}

let child: ChildProcess | undefined;
afterEach(async () => {
  const running = child;
  child = undefined;
  if (running?.pid === undefined || running.exitCode !== null) return;
  const exited = new Promise((resolve) => running.once("exit", resolve));
  // The script runs under sh in its own process group: end the group, not just the shell.
  process.kill(-running.pid, "SIGTERM");
  await exited;
});

/** Runs the package's start script as pnpm would (sh, its node_modules/.bin first on PATH). */
function start(name: string, port: number, paths: readonly string[]): Promise<string> {
  const dir = join(EXAMPLES, name);
  const pkg = JSON.parse(readFileSync(join(dir, "package.json"), "utf8")) as {
    scripts: { start: string };
  };
  expect(pkg.scripts.start).toBe(`metahook serve src/${name}.ts --port \${PORT:-8080}`);
  child = spawn("sh", ["-c", pkg.scripts.start], {
    cwd: dir,
    env: {
      ...process.env,
      PORT: String(port),
      NO_COLOR: "1",
      PATH: `${join(dir, "node_modules/.bin")}${delimiter}${process.env.PATH ?? ""}`,
    },
    stdio: ["ignore", "pipe", "pipe"],
    detached: true,
  });
  const running = child;
  return new Promise((resolve, reject) => {
    let stdout = "";
    let stderr = "";
    const timer = setTimeout(
      () =>
        reject(
          new Error(`${name}: not serving ${paths.join(", ")} after 20 s\n${stdout}${stderr}`),
        ),
      20_000,
    );
    // The route list (stdout) and "serving ... on" (stderr) race each other: wait for both, and
    // time out (naming what is missing) if a path never shows up.
    const ready = () => {
      const listed = paths.every((path) => new RegExp(`^POST ${path}\t`, "m").test(stdout));
      if (/serving \d+ module\(s\) on /.test(stderr) && listed) {
        clearTimeout(timer);
        resolve(stdout);
      }
    };
    running.stdout?.on("data", (chunk: Buffer) => {
      stdout += chunk.toString();
      ready();
    });
    running.stderr?.on("data", (chunk: Buffer) => {
      stderr += chunk.toString();
      ready();
    });
    running.once("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`${name}: start exited with ${String(code)}\n${stderr}`));
    });
  });
}

describe("every example's start script serves the paths its manifest names", () => {
  it.each(names)(
    "%s",
    async (name) => {
      const port = await freePort();
      const routes = await start(
        name,
        port,
        hookUrls(name).map((url) => url.pathname),
      );
      for (const url of hookUrls(name)) {
        expect(routes, `${name}: ${url.pathname}`).toMatch(
          new RegExp(`^POST ${url.pathname}\\t`, "m"),
        );
        // An empty body is refused (400), not unknown (404): the route is there.
        const response = await fetch(`http://127.0.0.1:${port}${url.pathname}`, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: "{}",
          signal: AbortSignal.timeout(5_000),
        });
        expect(response.status, `${name}: POST ${url.pathname}`).not.toBe(404);
        expect(response.status).toBeGreaterThanOrEqual(400);
      }
    },
    30_000,
  );
});
