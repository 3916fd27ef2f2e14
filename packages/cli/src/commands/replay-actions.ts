// `metahook replay`, loaded only when it runs.
import { readdir, readFile } from "node:fs/promises";
import { join, resolve } from "node:path";
import { type ControllerDefinition, isControllerDefinition } from "@metahook/runtime";
import { type RecordedExchange, replayExchange } from "@metahook/runtime/testing";
import type { CommandContext } from "../cli.js";
import { CliError } from "../errors.js";
import { loadModules } from "../load.js";

function isExchange(value: unknown): value is RecordedExchange {
  const v = value as Partial<RecordedExchange> | null;
  return (
    typeof v === "object" &&
    v !== null &&
    typeof v.controller === "string" &&
    (v.hook === "sync" || v.hook === "finalize" || v.hook === "customize") &&
    typeof v.response?.status === "number"
  );
}

/** `metahook replay`: every recorded exchange of `dir`, in file order. */
export async function replay(
  dir: string,
  options: { module?: string },
  ctx: CommandContext,
): Promise<void> {
  const root = resolve(ctx.cwd, dir);
  const files = (
    await readdir(root).catch(() => {
      throw new CliError("INPUT_NOT_FOUND", `${dir}: no such directory`);
    })
  )
    .filter((f) => f.endsWith(".json"))
    .sort();
  if (files.length === 0) {
    throw new CliError(
      "INPUT_NOT_FOUND",
      `${dir}: no recorded exchanges (*.json); record some with metahook dev --record ${dir}`,
    );
  }
  const definitions = new Map<string, ControllerDefinition>();
  const definitionOf = async (module: string): Promise<ControllerDefinition> => {
    const known = definitions.get(module);
    if (known) return known;
    const { modules } = await loadModules([module], ctx.cwd);
    const value = modules[0]?.value;
    if (!isControllerDefinition(value)) {
      throw new CliError(
        "LOAD_FAILED",
        `${module}: its default export is not a controller definition`,
      );
    }
    definitions.set(module, value);
    return value;
  };
  let different = 0;
  for (const file of files) {
    let exchange: unknown;
    try {
      exchange = JSON.parse(await readFile(join(root, file), "utf8"));
    } catch (cause) {
      throw new CliError(
        "INVALID_INPUT",
        `${dir}/${file}: not valid JSON: ${(cause as Error).message}`,
      );
    }
    if (!isExchange(exchange)) {
      throw new CliError(
        "INVALID_INPUT",
        `${dir}/${file}: not a recorded exchange ({controller, hook, request, response: {status, body}})`,
      );
    }
    const module = options.module ?? exchange.module;
    if (module === undefined) {
      throw new CliError(
        "USAGE",
        `${dir}/${file} does not say which module answered it; pass --module`,
      );
    }
    const result = await replayExchange(await definitionOf(module), exchange);
    if (result.same) {
      ctx.output.out(`same       ${file}`);
      continue;
    }
    different++;
    ctx.output.out(`different  ${file}`);
    for (const line of result.difference) ctx.output.out(`  ${line}`);
  }
  ctx.output.out(`${files.length - different} same, ${different} different`);
  if (different > 0) {
    throw new CliError(
      "REPLAY_DIFFERS",
      `${different} of ${files.length} recorded exchanges are answered differently now`,
    );
  }
}
