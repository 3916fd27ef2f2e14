// Stage 1 — parse and validate the controller manifest against Metacontroller's own CRD schema.
import { type InputFile, parseDocuments } from "@metahook/crd-types";
import {
  type CompositeController,
  type DecoratorController,
  isCompositeController,
  isDecoratorController,
  validateCompositeController,
  validateDecoratorController,
} from "@metahook/runtime/metacontroller";
import { GenControllerError } from "./errors.js";

export type { CompositeController, DecoratorController };

/** A controller manifest that passed Metacontroller's CRD schema. */
export type ControllerManifest = CompositeController | DecoratorController;

interface AjvLikeError {
  instancePath?: string;
  message?: string;
  params?: { missingProperty?: string; additionalProperty?: string; allowedValues?: unknown[] };
}

// `/spec/childResources/0/resource` → `spec.childResources[0].resource`
function fieldPath(pointer: string, extra?: string): string {
  const parts = pointer.split("/").filter(Boolean);
  if (extra) parts.push(extra);
  let out = "";
  for (const part of parts) out += /^\d+$/.test(part) ? `[${part}]` : out ? `.${part}` : part;
  return out || "(root)";
}

function describeErrors(error: unknown): string {
  const errors = (error as { errors?: AjvLikeError[] }).errors;
  if (!Array.isArray(errors) || errors.length === 0) return (error as Error).message;
  return errors
    .map((e) => {
      const missing = e.params?.missingProperty;
      const path = fieldPath(e.instancePath ?? "", missing);
      if (missing) return `${path}: is required`;
      const allowed = e.params?.allowedValues;
      return `${path}: ${e.message ?? "is invalid"}${allowed ? ` (${allowed.map((v) => JSON.stringify(v)).join(", ")})` : ""}`;
    })
    .join("; ");
}

/**
 * Finds the CompositeController and DecoratorController documents of a manifest file and
 * checks each against Metacontroller's CRD schema (v1alpha1).
 *
 * @throws {@link GenControllerError} `NO_CONTROLLER` or `INVALID_MANIFEST` naming file and field.
 */
export function readControllers(input: InputFile): ControllerManifest[] {
  let docs: { value: unknown }[];
  try {
    docs = parseDocuments(input);
  } catch (cause) {
    throw new GenControllerError("INVALID_INPUT", `${input.path}: ${(cause as Error).message}`, {
      cause,
    });
  }
  const out: ControllerManifest[] = [];
  for (const { value } of docs) {
    const kind = (value as { kind?: unknown } | null)?.kind;
    if (kind !== "CompositeController" && kind !== "DecoratorController") continue;
    const name = (value as { metadata?: { name?: unknown } }).metadata?.name;
    const label = `${input.path}: ${kind} ${typeof name === "string" ? name : "(unnamed)"}`;
    if ((value as { apiVersion?: unknown }).apiVersion !== "metacontroller.k8s.io/v1alpha1") {
      throw new GenControllerError(
        "INVALID_MANIFEST",
        `${label}: apiVersion must be metacontroller.k8s.io/v1alpha1`,
      );
    }
    try {
      if (kind === "CompositeController") validateCompositeController(value);
      else validateDecoratorController(value);
    } catch (cause) {
      throw new GenControllerError("INVALID_MANIFEST", `${label}: ${describeErrors(cause)}`, {
        cause,
      });
    }
    if (typeof name !== "string" || name === "") {
      throw new GenControllerError("INVALID_MANIFEST", `${label}: metadata.name: is required`);
    }
    if (isCompositeController(value) || isDecoratorController(value)) out.push(value);
  }
  if (out.length === 0) {
    throw new GenControllerError(
      "NO_CONTROLLER",
      `${input.path}: no CompositeController or DecoratorController (metacontroller.k8s.io/v1alpha1) found`,
    );
  }
  return out;
}
