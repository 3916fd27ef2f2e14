// Schema validation of a hook's answer: the desired children (or attachments) and the parent's
// new status, judged by the schemas the API server will judge them by, before Metacontroller
// applies anything. Built-in kinds use kubernetes-models' classes (the official schemas); custom
// kinds use the models `metahook gen controller` emits. Opt-in: it costs a schema check per
// child, so the server leaves it off unless asked, and tests and `metahook run` turn it on.
import { HookError } from "./errors.js";
import { parseGroupKey } from "./keys.js";
import type { KubeObject } from "./types.js";

/** Anything that validates an object and throws when it is invalid (a generated `*Model`, say). */
export interface SchemaModel {
  validate(value: unknown): void;
}

/** Models of custom kinds by Metacontroller group key (`Kind.group/version`). */
export type SchemaModels = { readonly [groupKey: string]: SchemaModel };

/** One schema violation: which object, where in it, and what is wrong. */
export interface SchemaProblem {
  /** Where in the response, e.g. `children[2]` or `status`. */
  readonly at: string;
  /** The object, e.g. `Deployment.apps/v1 web`, or `status of Blog.example.com/v1 my-blog`. */
  readonly object: string;
  /** JSON path inside the object, e.g. `/spec/replicas` (`""` for the object itself). */
  readonly path: string;
  readonly message: string;
}

type ErrorObject = { instancePath?: unknown; message?: unknown; params?: unknown };

// kubernetes-models and generated models throw @kubernetes-models/validate's ValidationError,
// whose `errors` are ajv's; anything else is reported by its message alone.
function problemsOf(error: unknown): { path: string; message: string }[] {
  const errors = (error as { errors?: unknown } | null)?.errors;
  if (Array.isArray(errors) && errors.length > 0) {
    return errors.map((e: ErrorObject) => {
      const params = e.params as { additionalProperty?: unknown; missingProperty?: unknown };
      const extra =
        typeof params?.additionalProperty === "string"
          ? ` (${params.additionalProperty})`
          : typeof params?.missingProperty === "string"
            ? ` (${params.missingProperty})`
            : "";
      return {
        path: typeof e.instancePath === "string" ? e.instancePath : "",
        message: `${typeof e.message === "string" ? e.message : "is invalid"}${extra}`,
      };
    });
  }
  return [{ path: "", message: error instanceof Error ? error.message : String(error) }];
}

type ModelClass = new (data: unknown) => { validate(): void };
const builtinModels = new Map<string, Promise<ModelClass | undefined>>();

// `Deployment.apps/v1` → kubernetes-models/apps/v1/Deployment; loaded once, on first use, so a
// server that never validates never loads the schemas.
function builtinModel(groupKey: string): Promise<ModelClass | undefined> {
  let found = builtinModels.get(groupKey);
  if (found === undefined) {
    const parsed = parseGroupKey(groupKey);
    found =
      parsed === undefined
        ? Promise.resolve(undefined)
        : // A specifier computed at run time, on purpose: bundlers must not try to resolve it.
          import(/* @vite-ignore */ `kubernetes-models/${parsed.apiVersion}/${parsed.kind}`).then(
            (mod: { [name: string]: unknown }) => {
              const Model = mod[parsed.kind];
              return typeof Model === "function" ? (Model as ModelClass) : undefined;
            },
            () => undefined,
          );
    builtinModels.set(groupKey, found);
  }
  return found;
}

// The error kubernetes-models' class throws for `object`, if it has a class for the kind.
async function validateBuiltin(groupKey: string, object: unknown): Promise<unknown> {
  const Model = await builtinModel(groupKey);
  if (Model === undefined) return undefined;
  try {
    new Model(object).validate();
    return undefined;
  } catch (error) {
    return error;
  }
}

function validateCustom(model: SchemaModel, object: unknown): unknown {
  try {
    model.validate(object);
    return undefined;
  } catch (error) {
    return error;
  }
}

/** What {@link checkSchemas} looks at. */
export interface SchemaCheckInput {
  /** `children` (composite) or `attachments` (decorator), as answered. */
  readonly desired: readonly unknown[];
  readonly desiredField: "children" | "attachments";
  /** The parent (or decorated object) as sent, and the status answered for it, if any. */
  readonly parent?: KubeObject | undefined;
  readonly status?: unknown;
  /** Models of custom kinds by group key. */
  readonly models?: SchemaModels | undefined;
}

/**
 * Validates each desired object against its kind's schema, and the answered status against the
 * parent's (when a model of the parent's kind is given). Returns every problem; kinds with no
 * schema at hand (a custom kind without a model, a built-in kind kubernetes-models lacks) are
 * skipped.
 */
export async function checkSchemas(input: SchemaCheckInput): Promise<SchemaProblem[]> {
  const problems: SchemaProblem[] = [];
  const models = input.models ?? {};
  for (const [i, value] of input.desired.entries()) {
    const object = value as KubeObject;
    const key = `${object.kind}.${object.apiVersion}`;
    const model = models[key];
    const error =
      model !== undefined ? validateCustom(model, object) : await validateBuiltin(key, object);
    if (error === undefined) continue;
    const label = `${key} ${object.metadata?.name ?? "(unnamed)"}`;
    for (const p of problemsOf(error)) {
      problems.push({ at: `${input.desiredField}[${i}]`, object: label, ...p });
    }
  }
  const parent = input.parent;
  if (parent !== undefined && input.status !== undefined && input.status !== null) {
    const key = `${parent.kind}.${parent.apiVersion}`;
    const model = models[key];
    if (model !== undefined) {
      // The status is judged as part of the parent it will be written into.
      const error = validateCustom(model, { ...parent, status: input.status });
      for (const p of error === undefined ? [] : problemsOf(error)) {
        if (p.path !== "/status" && !p.path.startsWith("/status/")) continue;
        problems.push({
          at: "status",
          object: `status of ${key} ${parent.metadata?.name ?? ""}`.trimEnd(),
          path: p.path.slice("/status".length),
          message: p.message,
        });
      }
    }
  }
  return problems;
}

/** The error a schema violation becomes: `INVALID_RESPONSE`, naming each object and path. */
export function schemaError(problems: readonly SchemaProblem[]): HookError {
  const lines = problems.map(
    (p) => `${p.at} (${p.object}): ${p.path === "" ? "" : `${p.path} `}${p.message}`,
  );
  return new HookError(
    "INVALID_RESPONSE",
    `the response does not validate against the schemas the API server would apply:\n  ${lines.join("\n  ")}`,
    { path: problems[0]?.at },
  );
}
