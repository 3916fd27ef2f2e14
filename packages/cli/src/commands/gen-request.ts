// `metahook gen request`: the sync request Metacontroller would send for a parent, from the
// controller manifest, so a project's request fixture follows its manifest instead of drifting.
import { mkdir, readFile, writeFile } from "node:fs/promises";
import { dirname, resolve } from "node:path";
import type { KubeObject } from "@metahook/runtime";
import type { CustomResourceNames } from "@metahook/scaffold";
import type { Command } from "commander";
import { parse } from "yaml";
import type { CommandContext } from "../cli.js";
import { CliError } from "../errors.js";

interface GenRequestOptions {
  readonly parent: string;
  readonly crd: string[];
  readonly out?: string;
  readonly check?: boolean;
}

/**
 * Registers `metahook gen request <controller.yaml> --parent <object.yaml> [--crd ...] [-o file] [--check]`.
 *
 * @example
 * ```sh
 * metahook gen request deploy/controller.yaml --crd deploy/crd.yaml --parent examples/blog.yaml -o fixtures/sync-request.json
 * ```
 */
export function registerGenRequest(gen: Command, ctx: CommandContext): void {
  gen
    .command("request")
    .description(
      "write the sync request Metacontroller would send for a parent under a controller manifest (a fixture for `metahook run`, tests and curl)",
    )
    .argument("<controller>", "the CompositeController or DecoratorController manifest")
    .requiredOption("--parent <file>", "the parent (or decorated object) as YAML or JSON")
    .option("--crd <files or dirs...>", "CRDs of the parent and of custom children", [])
    .option("-o, --out <file>", "write the request here instead of stdout")
    .option("--check", "write nothing; exit 1 if the --out file differs from the request")
    .action(async (controller: string, options: GenRequestOptions) => {
      await genRequest(controller, options, ctx);
    });
}

async function readYaml(path: string, ctx: CommandContext, what: string): Promise<unknown> {
  const text = await readFile(resolve(ctx.cwd, path), "utf8").catch((cause: unknown) => {
    throw new CliError("INPUT_NOT_FOUND", `${path}: cannot be read: ${(cause as Error).message}`, {
      cause,
    });
  });
  try {
    return parse(text);
  } catch (cause) {
    throw new CliError(
      "INVALID_INPUT",
      `${path}: not valid YAML or JSON (${what}): ${(cause as Error).message}`,
      {
        cause,
      },
    );
  }
}

function isObject(value: unknown): value is KubeObject {
  return (
    typeof value === "object" &&
    value !== null &&
    typeof (value as { apiVersion?: unknown }).apiVersion === "string" &&
    typeof (value as { kind?: unknown }).kind === "string"
  );
}

/**
 * The request file's content (JSON, 2-space indented, final newline) for a controller manifest
 * file, a parent file and CRD inputs, read relative to the command's directory.
 */
export async function renderRequest(
  controllerPath: string,
  parentPath: string,
  crdPaths: readonly string[],
  ctx: CommandContext,
): Promise<string> {
  const controller = await readYaml(controllerPath, ctx, "the controller manifest");
  const parent = await readYaml(parentPath, ctx, "the parent");
  if (!isObject(parent)) {
    throw new CliError(
      "INVALID_INPUT",
      `${parentPath}: not a Kubernetes object (it needs apiVersion and kind); give the parent as you would apply it`,
    );
  }
  const { CrdTypesError, readCrds, readInputs } = await import("@metahook/crd-types");
  let crds: CustomResourceNames[] = [];
  try {
    if (crdPaths.length > 0) crds = readCrds(await readInputs(crdPaths, { cwd: ctx.cwd })).crds;
  } catch (error) {
    if (error instanceof CrdTypesError)
      throw new CliError("INVALID_INPUT", error.message, { cause: error });
    throw error;
  }
  // Loaded on use, like the other commands' heavy parts.
  const { requestFixture, ScaffoldError } = await import("@metahook/scaffold");
  try {
    return `${JSON.stringify(requestFixture({ controller, parent, crds }), null, 2)}\n`;
  } catch (error) {
    if (error instanceof ScaffoldError) {
      throw new CliError("INVALID_INPUT", error.message, { cause: error });
    }
    throw new CliError(
      "INVALID_INPUT",
      `${controllerPath} with ${parentPath}: ${(error as Error).message}`,
      { cause: error },
    );
  }
}

/**
 * Compares (`check`) or writes a request file. Resolves to what happened; a check that finds
 * the file different prints `changed <path>` (or `missing`) on stdout and resolves `drift`.
 */
export async function putRequest(
  path: string,
  content: string,
  check: boolean,
  ctx: CommandContext,
): Promise<"drift" | "unchanged" | "written"> {
  const target = resolve(ctx.cwd, path);
  const current = await readFile(target, "utf8").catch(() => undefined);
  if (current === content) return "unchanged";
  if (check) {
    ctx.output.out(`${current === undefined ? "missing" : "changed"} ${path}`);
    return "drift";
  }
  try {
    await mkdir(dirname(target), { recursive: true });
    await writeFile(target, content);
  } catch (cause) {
    throw new CliError(
      "GENERATION_FAILED",
      `${path}: cannot be written: ${(cause as Error).message}`,
      { cause },
    );
  }
  return "written";
}

async function genRequest(
  controllerPath: string,
  options: GenRequestOptions,
  ctx: CommandContext,
): Promise<void> {
  if (options.out === undefined && options.check) {
    throw new CliError("USAGE", "--check needs -o <file> to compare with");
  }
  const content = await renderRequest(controllerPath, options.parent, options.crd, ctx);
  if (options.out === undefined) {
    ctx.output.out(content.trimEnd());
    return;
  }
  const done = await putRequest(options.out, content, options.check === true, ctx);
  if (done === "drift") {
    throw new CliError(
      "DRIFT",
      `${options.out} is not the request for ${controllerPath} and ${options.parent}; regenerate it without --check`,
    );
  }
  ctx.output.out(
    done === "written"
      ? `wrote ${options.out}`
      : `${options.out} ${options.check ? "is up to date" : "unchanged"}`,
  );
}
