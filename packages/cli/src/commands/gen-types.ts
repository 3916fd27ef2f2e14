import { resolve } from "node:path";
import type { CrdTypesErrorCode } from "@metahook/crd-types";
import type { Command } from "commander";
import { typesBanner } from "../banner.js";
import type { CommandContext } from "../cli.js";
import { CliError, type CliErrorCode } from "../errors.js";
import { shellQuote } from "../shell.js";

interface GenTypesOptions {
  readonly out: string;
  readonly check?: boolean;
}

const DEFAULT_OUT = "src/__generated__";

/**
 * Registers `metahook gen types <inputs...> [-o <dir>] [--check]`: CRDs (files, directories,
 * `-` for stdin) → `<dir>/<group>/<version>/<Kind>.ts` plus `index.ts`, via `@metahook/crd-types`.
 *
 * @example
 * ```sh
 * pnpm metahook gen types crds/ -o src/__generated__
 * pnpm metahook gen types crds/ -o src/__generated__ --check   # CI drift check
 * ```
 */
export function registerGenTypes(gen: Command, ctx: CommandContext): void {
  gen
    .command("types")
    .description("generate TypeScript types and validating models from CustomResourceDefinitions")
    .argument(
      "<inputs...>",
      "CRD files (YAML or JSON, multi-document), directories (recursive), or - for stdin",
    )
    .option("-o, --out <dir>", "output directory", DEFAULT_OUT)
    .option(
      "--check",
      "write nothing; exit 1 and list the files that differ from what would be generated",
    )
    .action(async (inputs: string[], options: GenTypesOptions) => {
      await genTypes(inputs, options, ctx);
    });
}

async function genTypes(
  inputs: readonly string[],
  options: GenTypesOptions,
  ctx: CommandContext,
): Promise<void> {
  const { output } = ctx;
  const started = performance.now();
  const outDir = resolve(ctx.cwd, options.out);
  // Loaded on use so other commands do not pay for the generator at startup.
  const { CrdTypesError, checkFiles, generateTypes, readInputs, writeFiles } = await import(
    "@metahook/crd-types"
  );
  try {
    const files = await readInputs(inputs, { cwd: ctx.cwd });
    // Named by the files read, relative to the project, never by where they were written: the
    // same on every machine, from any directory, and the same as `gen controller` writes.
    const command = typesBanner(
      files.map((f) => f.path),
      ctx.cwd,
      outDir,
    );
    const result = generateTypes(files, {
      command,
      onProgress: output.isTTY
        ? (p) =>
            output.err(
              output.style("dim", `[${p.index}/${p.total}] ${p.crd} ${p.versions.join(", ")}`),
            )
        : undefined,
    });
    for (const note of result.notes) output.err(`${output.style("yellow", "note")} ${note}`);
    const { crds, versions } = result.summary;
    const counts = `${crds} CRD${crds === 1 ? "" : "s"}, ${versions} version${versions === 1 ? "" : "s"}, ${result.files.length} files`;
    const where = options.out;
    if (crds === 0) {
      throw new CliError(
        "INVALID_INPUT",
        "no apiextensions.k8s.io/v1 CustomResourceDefinition found in the inputs",
      );
    }
    if (options.check) {
      const drift = await checkFiles(outDir, result.files);
      for (const d of drift) output.out(`${d.reason.padEnd(7)} ${where}/${d.path}`);
      if (drift.length > 0) {
        throw new CliError(
          "DRIFT",
          `${drift.length} generated file${drift.length === 1 ? "" : "s"} in ${where} differ from the CRDs; run: ${rerun(inputs, options.out)}`,
        );
      }
      output.out(`${where} is up to date (${counts}) — checked in ${seconds(started)}`);
      return;
    }
    const report = await writeFiles(outDir, result.files);
    output.out(
      `${counts} → ${where} (${report.written.length} written, ${report.unchanged.length} unchanged, ${report.removed.length} removed) in ${seconds(started)}`,
    );
  } catch (error) {
    if (error instanceof CrdTypesError)
      throw new CliError(cliCode(error.code), error.message, { cause: error });
    throw error;
  }
}

function rerun(inputs: readonly string[], out: string): string {
  return ["metahook gen types", ...inputs.map(shellQuote), "-o", shellQuote(out)].join(" ");
}

function cliCode(code: CrdTypesErrorCode): CliErrorCode {
  if (code === "INPUT_NOT_FOUND") return "INPUT_NOT_FOUND";
  if (code === "WRITE_FAILED") return "GENERATION_FAILED";
  return "INVALID_INPUT";
}

function seconds(started: number): string {
  return `${((performance.now() - started) / 1000).toFixed(2)} s`;
}
