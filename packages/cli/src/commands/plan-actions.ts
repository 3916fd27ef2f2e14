// `metahook plan`, loaded only when it runs: the request builder, the hook, and Metacontroller's
// apply semantics in memory (@metahook/runtime/testing's converge), printed for a person or as JSON.
import { readdir, readFile, stat } from "node:fs/promises";
import { join, resolve } from "node:path";
import type { Crd } from "@metahook/crd-types";
import {
  builtinResourceOfKind,
  type ControllerDefinition,
  HookError,
  isControllerDefinition,
  type KubeObject,
} from "@metahook/runtime";
import {
  buildCustomizeRequest,
  type ConvergeResult,
  converge,
  invokeHook,
  type Plan,
} from "@metahook/runtime/testing";
import { parseAllDocuments, stringify } from "yaml";
import type { CommandContext } from "../cli.js";
import { CliError } from "../errors.js";
import { loadModules } from "../load.js";
import type { PlanOptions } from "./plan.js";

type Doc = KubeObject & { [key: string]: unknown };

async function yamlFiles(path: string): Promise<string[]> {
  const info = await stat(path).catch(() => undefined);
  if (info === undefined)
    throw new CliError("INPUT_NOT_FOUND", `${path}: no such file or directory`);
  if (!info.isDirectory()) return [path];
  const out: string[] = [];
  for (const entry of (await readdir(path)).sort()) {
    if (/\.(ya?ml|json)$/.test(entry)) out.push(join(path, entry));
  }
  return out;
}

async function documents(paths: readonly string[], cwd: string): Promise<Doc[]> {
  const out: Doc[] = [];
  for (const input of paths) {
    for (const file of await yamlFiles(resolve(cwd, input))) {
      const text = await readFile(file, "utf8");
      for (const doc of parseAllDocuments(text)) {
        if (doc.errors.length > 0) {
          throw new CliError(
            "INVALID_INPUT",
            `${input}: not valid YAML: ${doc.errors[0]?.message}`,
          );
        }
        const value = doc.toJS() as unknown;
        if (value === null || value === undefined) continue;
        if (typeof value !== "object" || typeof (value as Doc).kind !== "string") {
          throw new CliError(
            "INVALID_INPUT",
            `${input}: every document must be a Kubernetes object with a kind`,
          );
        }
        out.push(value as Doc);
      }
    }
  }
  return out;
}

function one(docs: Doc[], what: string, file: string, test: (d: Doc) => boolean): Doc {
  const found = docs.filter(test);
  if (found.length !== 1) {
    throw new CliError(
      "INVALID_INPUT",
      `${file}: expected one ${what}, found ${found.length}${found.length > 1 ? " (put it in a file of its own)" : ""}`,
    );
  }
  return found[0] as Doc;
}

/** The CRDs of `--crd`, read as `gen types` reads them (multi-document files, directories). */
async function crdsOf(paths: readonly string[], cwd: string): Promise<readonly Crd[]> {
  if (paths.length === 0) return [];
  const { CrdTypesError, readCrds, readInputs } = await import("@metahook/crd-types");
  try {
    return readCrds(await readInputs(paths, { cwd })).crds;
  } catch (error) {
    if (error instanceof CrdTypesError) {
      throw new CliError("INVALID_INPUT", error.message, { cause: error });
    }
    throw error;
  }
}

// kubectl apply -n <namespace> puts a namespaced object that names no namespace there.
function inNamespace(object: Doc, namespace: string, crds: readonly Crd[]): Doc {
  if (object.metadata?.namespace) return object;
  const slash = object.apiVersion.lastIndexOf("/");
  const group = slash === -1 ? "" : object.apiVersion.slice(0, slash);
  const crd = crds.find((c) => c.kind === object.kind && c.group === group);
  const namespaced =
    crd === undefined
      ? (builtinResourceOfKind(object.apiVersion, object.kind)?.namespaced ?? true)
      : crd.scope === "Namespaced";
  return namespaced ? { ...object, metadata: { ...object.metadata, namespace } } : object;
}

function nameOf(object: KubeObject): string {
  const ns = object.metadata?.namespace;
  return `${ns ? `${ns}/` : ""}${object.metadata?.name ?? ""}`;
}

function renderPlan(plan: Plan): string {
  if (plan.children.length === 0) return "  (no children)";
  const width = Math.max(...plan.children.map((c) => c.action.length));
  return plan.children
    .map((c) => {
      const where = `${c.groupKey} ${c.namespace ? `${c.namespace}/` : ""}${c.name}`;
      return `  ${c.action.padEnd(width)}  ${where}${c.reason ? `  (${c.reason})` : ""}`;
    })
    .join("\n");
}

function counts(plan: Plan): string {
  const by = new Map<string, number>();
  for (const c of plan.children) by.set(c.action, (by.get(c.action) ?? 0) + 1);
  return [...by].map(([action, n]) => `${n} ${action}`).join(", ") || "no children";
}

function renderAnswer(
  response: { [key: string]: unknown },
  field: "children" | "attachments",
): string {
  const lines: string[] = [];
  const { [field]: desired, ...rest } = response;
  lines.push(stringify(rest).trimEnd());
  const list = Array.isArray(desired) ? desired : [];
  lines.push(`${field}: ${list.length}`);
  for (const object of list) lines.push("---", stringify(object).trimEnd());
  return lines.join("\n");
}

async function loadDefinition(module: string, cwd: string): Promise<ControllerDefinition> {
  const { modules } = await loadModules([module], cwd);
  const loaded = modules[0];
  if (!loaded || !isControllerDefinition(loaded.value)) {
    throw new CliError(
      "LOAD_FAILED",
      `${module}: plan needs a controller definition as default export`,
    );
  }
  return loaded.value;
}

function refused(error: unknown): never {
  if (error instanceof HookError) {
    throw new CliError(
      "HOOK_REFUSED",
      `the server would answer ${error.statusCode} ${error.code}${error.path ? ` at ${error.path}` : ""}: ${error.message}`,
      { cause: error },
    );
  }
  throw error;
}

/** `metahook plan`: one sync (or a converge loop), printed. */
export async function plan(
  controllerFile: string,
  options: PlanOptions,
  ctx: CommandContext,
): Promise<void> {
  const { output } = ctx;
  const manifest = one(
    await documents([controllerFile], ctx.cwd),
    "CompositeController or DecoratorController",
    controllerFile,
    (d) => d.kind === "CompositeController" || d.kind === "DecoratorController",
  );
  const crds = await crdsOf(options.crd, ctx.cwd);
  // `resource.group` → Kind, for the rules of custom kinds.
  const kinds = Object.fromEntries(crds.map((c) => [`${c.plural}.${c.group}`, c.kind]));
  const place = (o: Doc) => inNamespace(o, options.namespace, crds);
  const parent = place(
    one(await documents([options.parent], ctx.cwd), "object", options.parent, () => true),
  );
  const observed = (await documents(options.observed, ctx.cwd)).map(place);
  const related = (await documents(options.related, ctx.cwd)).map(place);
  const definition = await loadDefinition(options.module, ctx.cwd);
  if (definition.kind !== manifest.kind) {
    throw new CliError(
      "INVALID_INPUT",
      `${options.module} defines a ${definition.kind}, ${controllerFile} is a ${manifest.kind}`,
    );
  }
  const composite = definition.kind === "CompositeController";
  const field = composite ? "children" : "attachments";

  if (options.hook === "customize") {
    if (!definition.customize)
      throw new CliError("INVALID_INPUT", `${options.module} has no customize hook`);
    const request = buildCustomizeRequest({ controller: manifest, parent });
    const response = await invokeHook(definition, request).catch(refused);
    output.out(
      options.json ? JSON.stringify({ request, response }, null, 2) : stringify(response).trimEnd(),
    );
    return;
  }

  let result: ConvergeResult;
  try {
    result = await converge(definition, {
      controller: manifest,
      parent,
      observed,
      related,
      kinds,
      maxRounds: options.converge ? options.maxRounds : 1,
      ...(options.hook === "finalize" ? { finalizing: true } : {}),
      ...(options.hook === "sync" ? { finalizing: false } : {}),
    });
  } catch (error) {
    refused(error);
  }
  const last = result.rounds[result.rounds.length - 1];
  if (options.json) {
    output.out(
      JSON.stringify(
        options.converge
          ? {
              settled: result.settled,
              difference: result.difference,
              rounds: result.rounds,
              parent: result.parent,
              observed: result.observed,
            }
          : last,
        null,
        2,
      ),
    );
  } else if (!options.converge) {
    output.out(`# ${parent.kind} ${nameOf(parent)}: ${counts(last?.plan ?? { children: [] })}`);
    output.out(renderAnswer((last?.response ?? {}) as { [key: string]: unknown }, field));
    output.out("--- # plan");
    output.out(renderPlan(last?.plan ?? { children: [] }));
  } else {
    result.rounds.forEach((round, i) => {
      output.out(`# round ${i + 1}: ${counts(round.plan)}`);
      output.out(renderPlan(round.plan));
    });
    output.out(
      `# ${result.settled ? "settled" : "not settled"} after ${result.rounds.length} round(s)`,
    );
    output.out(renderAnswer((last?.response ?? {}) as { [key: string]: unknown }, field));
  }
  if (options.converge && !result.settled) {
    throw new CliError(
      "NOT_SETTLED",
      `the answer still changes after ${result.rounds.length} rounds; the last two differ at:\n  ${result.difference.join("\n  ")}`,
    );
  }
}
