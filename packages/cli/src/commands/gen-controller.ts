import { readFile } from "node:fs/promises";
import { resolve } from "node:path";
import type { Command } from "commander";
import { sourcePath, sourceRoot, typesBanner } from "../banner.js";
import type { CommandContext } from "../cli.js";
import { CliError } from "../errors.js";
import { shellQuote } from "../shell.js";
import { putRequest, renderRequest } from "./gen-request.js";

interface GenControllerOptions {
  readonly crd: string[];
  readonly out: string;
  readonly check?: boolean;
  readonly name?: string;
  readonly related?: string;
  /** commander: `--no-skeleton` sets it false. */
  readonly skeleton: boolean;
  readonly request?: string;
  readonly parent?: string;
}

/**
 * Registers `metahook gen controller <controller.yaml> [--crd <files or dirs>...] [-o <dir>] [--check]`.
 *
 * @example
 * ```sh
 * pnpm metahook gen controller deploy/controller.yaml --crd deploy/crd.yaml -o src
 * pnpm metahook gen controller deploy/controller.yaml --crd deploy/crd.yaml -o src --check
 * ```
 */
export function registerGenController(gen: Command, ctx: CommandContext): void {
  gen
    .command("controller")
    .description(
      "generate parent/children/related and hook request/response types from a CompositeController or DecoratorController manifest, plus (once) an editable controller skeleton and its test",
    )
    .argument("<controller>", "the controller manifest (YAML or JSON; one or more controllers)")
    .option("--crd <files or dirs...>", "CRDs of the parent and of custom children", [])
    .option("-o, --out <dir>", "output directory", "src")
    .option("--name <name>", "module name (default: the controller's metadata.name)")
    .option(
      "--related <rules>",
      "related kinds of the customize hook, e.g. configmaps.v1,namespaces.v1",
    )
    .option(
      "--request <file>",
      "also write the sync request Metacontroller would send for --parent (as `metahook gen request` does)",
    )
    .option("--parent <file>", "the sample parent of --request, as YAML or JSON")
    .option(
      "--check",
      "write nothing; exit 1 and list generated files that differ (the skeleton is yours and never drifts)",
    )
    .option("--no-skeleton", "generate the types only: no controller skeleton or test")
    .action(async (controller: string, options: GenControllerOptions) => {
      await genController(controller, options, ctx);
    });
}

async function genController(
  controllerPath: string,
  options: GenControllerOptions,
  ctx: CommandContext,
): Promise<void> {
  const { output } = ctx;
  const started = performance.now();
  const outDir = resolve(ctx.cwd, options.out);
  if ((options.request === undefined) !== (options.parent === undefined)) {
    throw new CliError(
      "USAGE",
      "--request and --parent go together: --request fixtures/sync-request.json --parent examples/<kind>.yaml",
    );
  }
  // What the user would type again (for messages), and what banners name: the same command
  // with paths relative to the project and without the output directory, so that generated
  // files are identical wherever they are generated from and to.
  const rerun = [
    "metahook gen controller",
    shellQuote(controllerPath),
    ...(options.crd.length > 0 ? ["--crd", ...options.crd.map(shellQuote)] : []),
    ...(options.name ? ["--name", shellQuote(options.name)] : []),
    ...(options.related ? ["--related", shellQuote(options.related)] : []),
    ...(options.skeleton ? [] : ["--no-skeleton"]),
    "-o",
    shellQuote(options.out),
    ...(options.request && options.parent
      ? ["--request", shellQuote(options.request), "--parent", shellQuote(options.parent)]
      : []),
  ].join(" ");
  const root = sourceRoot(outDir);
  // Loaded on use: ts-morph alone takes most of a second to import.
  const { CrdTypesError, readInputs } = await import("@metahook/crd-types");
  const {
    checkGenerated,
    GenControllerError,
    generateController,
    readControllers,
    readExisting,
    writeResult,
  } = await import("@metahook/gen-controller");
  try {
    const content = await readFile(resolve(ctx.cwd, controllerPath), "utf8").catch(
      (cause: unknown) => {
        throw new CliError(
          "INPUT_NOT_FOUND",
          `${controllerPath}: cannot be read: ${(cause as Error).message}`,
        );
      },
    );
    const controller = { path: controllerPath, content };
    const crds = options.crd.length > 0 ? await readInputs(options.crd, { cwd: ctx.cwd }) : [];
    const names = options.name
      ? [options.name]
      : readControllers(controller).map((c) => c.metadata.name ?? "");
    const existing = await readExisting(outDir, names);
    const command = [
      "metahook gen controller",
      sourcePath(controllerPath, ctx.cwd, root),
      ...(crds.length > 0 ? ["--crd", ...crds.map((c) => sourcePath(c.path, ctx.cwd, root))] : []),
      ...(options.name ? ["--name", shellQuote(options.name)] : []),
      ...(options.related ? ["--related", shellQuote(options.related)] : []),
      ...(options.skeleton ? [] : ["--no-skeleton"]),
    ].join(" ");
    const result = generateController(controller, crds, {
      command,
      typesCommand: (paths) => typesBanner(paths, ctx.cwd, outDir),
      existing,
      ...(options.name ? { name: options.name } : {}),
      ...(options.related ? { related: options.related } : {}),
      skeleton: options.skeleton,
    });
    for (const note of result.notes) output.err(`${output.style("yellow", "note")} ${note}`);
    const request =
      options.request && options.parent
        ? {
            path: options.request,
            content: await renderRequest(controllerPath, options.parent, options.crd, ctx),
          }
        : undefined;
    if (options.check) {
      const drift = await checkGenerated(outDir, result);
      for (const d of drift) output.out(`${d.reason.padEnd(7)} ${options.out}/${d.path}`);
      const requestDrift =
        request && (await putRequest(request.path, request.content, true, ctx)) === "drift";
      const count = drift.length + (requestDrift ? 1 : 0);
      if (count > 0) {
        throw new CliError(
          "DRIFT",
          `${count} generated file(s) differ from the manifest; run: ${rerun}`,
        );
      }
      output.out(`${options.out} is up to date (${result.generated.length} generated files)`);
      return;
    }
    const report = await writeResult(outDir, result);
    if (request && (await putRequest(request.path, request.content, false, ctx)) === "written")
      output.out(`wrote ${request.path}`);
    for (const file of result.owned) {
      if (file.action === "create") output.out(`created ${options.out}/${file.path}`);
      else if (file.action === "update")
        output.out(`updated ${options.out}/${file.path} (added ${file.added.join(", ")})`);
    }
    output.out(
      `${result.models.map((m) => `${m.kind} ${m.controllerName}`).join(", ")} → ${options.out} (${report.written.length} written, ${report.unchanged.length} unchanged) in ${((performance.now() - started) / 1000).toFixed(2)} s`,
    );
  } catch (error) {
    if (error instanceof GenControllerError) {
      throw new CliError(
        error.code === "UNRESOLVED_RULE" ||
          error.code === "INVALID_MANIFEST" ||
          error.code === "NO_CONTROLLER"
          ? "INVALID_INPUT"
          : "GENERATION_FAILED",
        error.message,
        {
          cause: error,
        },
      );
    }
    if (error instanceof CrdTypesError) {
      throw new CliError(
        error.code === "INPUT_NOT_FOUND" ? "INPUT_NOT_FOUND" : "INVALID_INPUT",
        error.message,
        { cause: error },
      );
    }
    throw error;
  }
}
