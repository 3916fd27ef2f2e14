// The command: flags → (prompts) → project → files → install → next steps.
import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { readdir, readFile } from "node:fs/promises";
import { basename, relative, resolve } from "node:path";
import {
  checkGroup,
  checkKind,
  packageManagerFromUserAgent,
  parseChildren,
  ScaffoldError,
  writeScaffold,
} from "@metahook/scaffold";
import { type CreateFlags, parseFlags, type Template, USAGE } from "./args.js";
import { CreateError } from "./errors.js";
import { COMMON_CHILDREN, crdChoices, typedChild } from "./kinds.js";
import {
  buildProject,
  type ControllerChoices,
  type NewParent,
  type Project,
  runCommand,
} from "./project.js";
import { type Answer, CANCELLED, clackPrompts, type PromptAdapter } from "./prompts.js";
import { type MetahookDependencies, publishedDependencies, tarballDependencies } from "./source.js";
import { ownVersion } from "./versions.js";

/** Runs a command in a directory; resolves to its exit code. */
export type Exec = (command: string, args: readonly string[], cwd: string) => Promise<number>;

/** Where create-metacontroller-hook reads and writes; every field has a process default. */
export interface CreateContext {
  readonly cwd: string;
  readonly env: NodeJS.ProcessEnv;
  /** Whether stdin is a terminal: prompts are shown only then (and never with `CI` set). */
  readonly stdinIsTTY: boolean;
  /** A result line (stdout). */
  readonly out: (line: string) => void;
  /** A diagnostic line (stderr). */
  readonly err: (line: string) => void;
  /** The prompts (default: @clack/prompts on the terminal). */
  readonly prompts?: PromptAdapter;
  /** How the install runs (default: spawn with output on stderr). */
  readonly exec?: Exec;
}

/** The answers, complete: what {@link createProject} needs. */
export interface CreateOptions extends ControllerChoices {
  readonly dir: string;
  /** The parent: a CRD file to read, or names for a new one. */
  readonly parent: { readonly crd: string } | NewParent;
  /** Directory of packed @metahook tarballs; default: the published packages. */
  readonly metahookSource?: string;
  readonly overwrite: boolean;
  readonly install: boolean;
}

/** What {@link createProject} did. */
export interface CreateResult {
  /** Absolute project directory. */
  readonly dir: string;
  readonly project: Project;
  readonly written: readonly string[];
  readonly installed: boolean;
}

const DEFAULT_CHILDREN = "configmaps.v1";

function isCI(env: NodeJS.ProcessEnv): boolean {
  const ci = env.CI;
  return ci !== undefined && ci !== "" && ci !== "0" && ci.toLowerCase() !== "false";
}

/** Whether `dir` exists and holds anything (a `.git` alone counts as empty). */
async function isNonEmpty(dir: string): Promise<boolean> {
  const entries = await readdir(dir).catch(() => undefined);
  return entries?.some((e) => e !== ".git") ?? false;
}

const spawnExec: Exec = (command, args, cwd) =>
  new Promise((done) => {
    // Install output is a diagnostic: stderr, leaving stdout to results.
    const child = spawn(command, [...args], {
      cwd,
      stdio: ["ignore", 2, 2],
      shell: process.platform === "win32",
    });
    child.on("error", () => done(127));
    child.on("exit", (code) => done(code ?? 1));
  });

/**
 * Creates the project: resolves the @metahook dependencies, builds every file, refuses a
 * non-empty directory without `overwrite`, writes all or nothing, and installs.
 *
 * @throws {@link CreateError}
 */
export async function createProject(
  options: CreateOptions,
  ctx: Pick<CreateContext, "cwd" | "err"> & { readonly exec?: Exec },
): Promise<CreateResult> {
  const dir = resolve(ctx.cwd, options.dir);
  if (!options.overwrite && (await isNonEmpty(dir))) {
    throw new CreateError(
      "TARGET_NOT_EMPTY",
      `${options.dir} is not empty; nothing was changed (pass --overwrite to write into it, or pick another directory)`,
    );
  }
  const dependencies: MetahookDependencies =
    options.metahookSource !== undefined
      ? await tarballDependencies(resolve(ctx.cwd, options.metahookSource))
      : publishedDependencies();
  let parent: Parameters<typeof buildProject>[0]["parent"];
  if ("crd" in options.parent) {
    const path = options.parent.crd;
    const content = await readFile(resolve(ctx.cwd, path), "utf8").catch((cause: unknown) => {
      throw new CreateError(
        "INVALID_INPUT",
        `--crd ${path}: cannot be read: ${(cause as Error).message}`,
        {
          cause,
        },
      );
    });
    parent = { crd: { path, content } };
  } else {
    parent = options.parent;
  }
  const project = buildProject({
    name: basename(dir),
    parent,
    children: options.children,
    template: options.template,
    hookVersion: options.hookVersion,
    finalize: options.finalize === true,
    customize: options.customize === true,
    ...(options.auth !== undefined ? { auth: options.auth } : {}),
    packageManager: options.packageManager,
    dependencies,
    ...(options.namespace !== undefined ? { namespace: options.namespace } : {}),
  });
  for (const note of project.notes) ctx.err(`note: ${note}`);
  let written: string[];
  try {
    written = await writeScaffold(dir, project.files, { force: options.overwrite });
  } catch (error) {
    if (error instanceof ScaffoldError) {
      throw new CreateError("INVALID_INPUT", error.message, { cause: error });
    }
    throw error;
  }
  let installed = false;
  if (options.install) {
    ctx.err(`installing dependencies with ${options.packageManager}…`);
    const code = await (ctx.exec ?? spawnExec)(options.packageManager, ["install"], dir);
    if (code !== 0) {
      throw new CreateError(
        "INSTALL_FAILED",
        `${options.packageManager} install failed (exit ${code}) in ${options.dir}; the project is written — fix the cause and run it again there`,
      );
    }
    installed = true;
  }
  return { dir, project, written, installed };
}

function exampleCommand(flags: CreateFlags): string {
  const parts = ["npx create-metacontroller-hook", flags.dir ?? "blog-controller"];
  if (flags.crd) parts.push("--crd", flags.crd);
  else parts.push("--group", flags.group ?? "example.com", "--kind", flags.kind ?? "Blog");
  parts.push("--children", flags.children ?? "deployments.apps/v1,services.v1");
  if (flags.template) parts.push("--template", flags.template);
  return parts.join(" ");
}

/** Non-interactive: every answer must come from a flag (or a default with `--yes`). */
function fromFlags(flags: CreateFlags, env: NodeJS.ProcessEnv): CreateOptions {
  const missing: string[] = [];
  const hasParent =
    flags.crd !== undefined || (flags.group !== undefined && flags.kind !== undefined);
  if (!hasParent) {
    if (flags.group !== undefined) missing.push("--kind");
    else if (flags.kind !== undefined) missing.push("--group");
    else missing.push("--crd <path> (or --group and --kind)");
  }
  if (!flags.yes) {
    if (flags.dir === undefined) missing.push("[dir]");
    if (flags.children === undefined) missing.push("--children");
  }
  if (missing.length > 0) {
    throw new CreateError(
      "MISSING_OPTIONS",
      `not a terminal (or CI is set), so nothing is asked; missing: ${missing.join(", ")}\n  e.g. ${exampleCommand(flags)}\n  (--yes takes the defaults for [dir], --children, --template and --hook-version)`,
    );
  }
  const kindName = flags.kind ?? "hook";
  return {
    dir: flags.dir ?? `${kindName.toLowerCase()}-controller`,
    parent:
      flags.crd !== undefined
        ? { crd: flags.crd }
        : {
            group: flags.group ?? "",
            kind: flags.kind ?? "",
            ...(flags.scope ? { scope: flags.scope } : {}),
            ...(flags.plural ? { plural: flags.plural } : {}),
          },
    children: flags.children ?? DEFAULT_CHILDREN,
    template: flags.template ?? "composite",
    hookVersion: flags.hookVersion ?? "v1",
    finalize: flags.finalize === true,
    customize: flags.customize === true,
    ...(flags.auth !== undefined ? { auth: flags.auth } : {}),
    ...(flags.namespace !== undefined ? { namespace: flags.namespace } : {}),
    packageManager: flags.packageManager ?? packageManagerFromUserAgent(env.npm_config_user_agent),
    ...(flags.metahookSource !== undefined
      ? { metahookSource: flags.metahookSource }
      : env.METAHOOK_SOURCE
        ? { metahookSource: env.METAHOOK_SOURCE }
        : {}),
    overwrite: flags.overwrite,
    install: flags.install,
  };
}

function given<T>(value: Answer<T>, prompts: PromptAdapter): T {
  if (value === CANCELLED) {
    prompts.cancel("Cancelled; nothing was written.");
    throw new CreateError("CANCELLED", "cancelled");
  }
  return value;
}

/**
 * What is wrong with an answer, in words about the answer: the checks are shared with the flags
 * and name them (`--kind blog: must be PascalCase, e.g. --kind Blog`); a prompt says
 * `"blog" must be PascalCase, e.g. Blog`.
 */
function problem(answer: string, check: () => unknown): string | undefined {
  try {
    check();
    return undefined;
  } catch (error) {
    const reason = (error as Error).message
      .replace(/^--[a-z-]+(?: [^:]*)?: /, "")
      .replace(/--[a-z-]+ /g, "");
    return answer === "" ? reason : `"${answer}": ${reason}`;
  }
}

function parentKind(parent: CreateOptions["parent"]): string {
  return "kind" in parent ? parent.kind : "parent";
}

// Interactive default children: what a controller of a new kind usually runs.
const DEFAULT_CHOSEN: { readonly [template in Template]: readonly string[] } = {
  composite: ["deployments.apps/v1", "services.v1"],
  decorator: [DEFAULT_CHILDREN],
};

/** The child resources, from a searchable list with free entry; the `--children` syntax. */
async function askChildren(
  template: Template,
  parent: CreateOptions["parent"],
  prompts: PromptAdapter,
  ctx: Pick<CreateContext, "cwd">,
): Promise<string> {
  const fromCrd =
    "crd" in parent
      ? crdChoices(parent.crd, await readFile(resolve(ctx.cwd, parent.crd), "utf8").catch(() => ""))
      : [];
  const choices = [
    ...fromCrd,
    ...COMMON_CHILDREN.filter((c) => !fromCrd.some((f) => f.value === c.value)),
  ];
  const chosen = given(
    await prompts.multiselect({
      message:
        template === "composite"
          ? "Child resources (type to search, or a <plural>.<apiVersion> of your own)"
          : "Attachments (type to search, or a <plural>.<apiVersion> of your own)",
      options: choices,
      initialValues: DEFAULT_CHOSEN[template],
      other: typedChild,
      // Built-in kinds are checked now; custom ones once the CRD is read.
      validate: (values) => {
        const builtin = values.filter((v) => !/^[a-z0-9-]+\.[a-z0-9-]+\.[a-z0-9.-]+\//.test(v));
        for (const value of builtin) {
          const found = problem(value, () => parseChildren([value], []));
          if (found) return found;
        }
        return undefined;
      },
    }),
    prompts,
  );
  return chosen.join(",");
}

/** Interactive: ask for what no flag gave, one prompt per missing answer. */
async function fromPrompts(
  flags: CreateFlags,
  prompts: PromptAdapter,
  ctx: Pick<CreateContext, "cwd" | "env">,
): Promise<CreateOptions> {
  prompts.intro("create-metacontroller-hook");
  const dirAnswer =
    flags.dir ??
    given(
      await prompts.text({
        message: "Where should the project go?",
        defaultValue: "blog-controller",
        validate: (v) => (v.trim() === "" ? "a directory name, e.g. blog-controller" : undefined),
      }),
      prompts,
    );
  const dir = dirAnswer.trim();
  if (!flags.overwrite && (await isNonEmpty(resolve(ctx.cwd, dir)))) {
    const replace = given(
      await prompts.confirm({
        message: `${dir} is not empty. Write into it anyway (files with our names are replaced)?`,
        initialValue: false,
      }),
      prompts,
    );
    if (!replace) {
      prompts.cancel(`${dir} is not empty; nothing was changed.`);
      throw new CreateError("TARGET_NOT_EMPTY", `${dir} is not empty; nothing was changed`);
    }
  }
  const overwrite = flags.overwrite || (await isNonEmpty(resolve(ctx.cwd, dir)));

  let parent: CreateOptions["parent"];
  if (flags.crd !== undefined) parent = { crd: flags.crd };
  else {
    let source: "new" | "file" = "new";
    if (flags.group === undefined && flags.kind === undefined) {
      source = given(
        await prompts.select<"new" | "file">({
          message: "The parent resource",
          options: [
            { value: "new", label: "A new CRD", hint: "group and kind" },
            { value: "file", label: "An existing CRD file" },
          ],
          initialValue: "new",
        }),
        prompts,
      );
    }
    if (source === "file") {
      const path = given(
        await prompts.text({
          message: "Path of the CRD (YAML or JSON)",
          validate: (v) =>
            v.trim() === ""
              ? "the path of a CRD file, e.g. deploy/crd.yaml"
              : existsSync(resolve(ctx.cwd, v.trim()))
                ? undefined
                : `${v.trim()}: no such file`,
        }),
        prompts,
      );
      parent = { crd: path.trim() };
    } else {
      const group =
        flags.group ??
        given(
          await prompts.text({
            message: "API group (a domain you own)",
            defaultValue: "example.com",
            validate: (v) => problem(v.trim(), () => checkGroup(v.trim())),
          }),
          prompts,
        ).trim();
      const kind =
        flags.kind ??
        given(
          await prompts.text({
            message: "Kind (PascalCase)",
            defaultValue: "Blog",
            validate: (v) => problem(v.trim(), () => checkKind(v.trim())),
          }),
          prompts,
        ).trim();
      parent = {
        group,
        kind,
        ...(flags.scope ? { scope: flags.scope } : {}),
        ...(flags.plural ? { plural: flags.plural } : {}),
      };
    }
  }
  const template =
    flags.template ??
    given(
      await prompts.select<Template>({
        message: "Controller kind",
        options: [
          { value: "composite", label: "CompositeController", hint: "the parent owns children" },
          {
            value: "decorator",
            label: "DecoratorController",
            hint: "attachments, labels, annotations",
          },
        ],
        initialValue: "composite",
      }),
      prompts,
    );
  const children = flags.children ?? (await askChildren(template, parent, prompts, ctx));
  const hookVersion =
    flags.hookVersion ??
    given(
      await prompts.select<"v1" | "v2">({
        message: "Hook version",
        options: [
          { value: "v1", label: "v1", hint: "every Metacontroller" },
          { value: "v2", label: "v2", hint: "Metacontroller ≥ 4.15: namespace/name keys" },
        ],
        initialValue: "v1",
      }),
      prompts,
    );
  // The flags only switch a hook on: without one, ask.
  const finalize =
    flags.finalize ??
    given(
      await prompts.confirm({
        message: `Declare a finalize hook (clean up before a ${parentKind(parent)} is deleted)?`,
        initialValue: false,
      }),
      prompts,
    );
  const customize =
    flags.customize ??
    given(
      await prompts.confirm({
        message: "Declare a customize hook (related objects sent with each sync)?",
        initialValue: false,
      }),
      prompts,
    );
  const packageManager =
    flags.packageManager ?? packageManagerFromUserAgent(ctx.env.npm_config_user_agent);
  const install = !flags.install
    ? false
    : given(
        await prompts.confirm({
          message: `Install dependencies with ${packageManager}?`,
          initialValue: true,
        }),
        prompts,
      );
  const source = flags.metahookSource ?? ctx.env.METAHOOK_SOURCE;
  return {
    dir,
    parent,
    children,
    template,
    hookVersion,
    finalize,
    customize,
    ...(flags.auth !== undefined ? { auth: flags.auth } : {}),
    ...(flags.namespace !== undefined ? { namespace: flags.namespace } : {}),
    packageManager,
    ...(source ? { metahookSource: source } : {}),
    overwrite,
    install,
  };
}

function nextSteps(result: CreateResult, options: CreateOptions, cwd: string): string[] {
  const pm = options.packageManager;
  const where = relative(cwd, result.dir) || ".";
  const c = result.project.controller;
  return [
    `created ${where}: ${c.kind} ${c.name} for ${c.parent.kind}, ${c.children.length === 0 ? "no children" : `children ${c.children.map((k) => k.kind).join(", ")}`} (${result.written.length} files)`,
    "next:",
    ...(where === "." ? [] : [`  cd ${where}`]),
    ...(result.installed ? [] : [`  ${pm} install`]),
    `  ${runCommand(pm, "test")}`,
    `  ${runCommand(pm, "dev")}`,
    `  ${runCommand(pm, "build")} && ${runCommand(pm, "start")}`,
    "  then see README.md to run it on a kind cluster",
  ];
}

/**
 * Runs `create-metacontroller-hook` with `argv` (without `node` and the script) and resolves to
 * the exit code: 0, 1 (failed), 2 (usage or missing flags) or 130 (cancelled).
 */
export async function run(
  argv: readonly string[],
  partial: Partial<CreateContext> = {},
): Promise<number> {
  const ctx: CreateContext = {
    cwd: partial.cwd ?? process.cwd(),
    env: partial.env ?? process.env,
    stdinIsTTY: partial.stdinIsTTY ?? Boolean(process.stdin.isTTY),
    out: partial.out ?? ((line) => void process.stdout.write(`${line}\n`)),
    err: partial.err ?? ((line) => void process.stderr.write(`${line}\n`)),
    ...(partial.prompts ? { prompts: partial.prompts } : {}),
    ...(partial.exec ? { exec: partial.exec } : {}),
  };
  try {
    const flags = parseFlags(argv);
    if (flags.help) {
      ctx.out(USAGE);
      return 0;
    }
    if (flags.version) {
      ctx.out(ownVersion());
      return 0;
    }
    const interactive = !flags.yes && ctx.stdinIsTTY && !isCI(ctx.env);
    let options: CreateOptions;
    let prompts: PromptAdapter | undefined;
    if (interactive) {
      prompts = ctx.prompts ?? clackPrompts();
      options = await fromPrompts(flags, prompts, ctx);
    } else {
      options = fromFlags(flags, ctx.env);
    }
    const result = await createProject(options, ctx);
    prompts?.outro(`${relative(ctx.cwd, result.dir) || "."} is ready`);
    for (const line of nextSteps(result, options, ctx.cwd)) ctx.out(line);
    return 0;
  } catch (error) {
    if (error instanceof CreateError) {
      if (error.code !== "CANCELLED") ctx.err(`error: ${error.message}`);
      if (error.code === "USAGE") ctx.err(USAGE);
      return error.exitCode;
    }
    ctx.err(
      `internal error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`,
    );
    return 1;
  }
}
