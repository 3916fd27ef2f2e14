// Parse and normalise without generating: for tools (gen controller, scaffold) that need the
// documents of a manifest or the CRDs in it, read exactly as `gen types` reads them.
import { type Crd, normalise } from "./normalise.js";
import { type InputFile, parseInput, type SourceDocument } from "./parse.js";

export type { Crd, CrdVersion } from "./normalise.js";
export type { SourceDocument } from "./parse.js";

/**
 * Every YAML/JSON document of an input, parsed as `gen types` parses CRDs (what kubectl accepts;
 * bounded alias expansion).
 *
 * @throws {@link CrdTypesError} for malformed, empty or binary input.
 */
export function parseDocuments(input: InputFile): SourceDocument[] {
  return parseInput(input);
}

/**
 * The `apiextensions.k8s.io/v1` CRDs of the inputs, with one note per skipped document.
 *
 * @throws {@link CrdTypesError} for bad input or an invalid CRD.
 */
export function readCrds(inputs: readonly InputFile[]): { crds: Crd[]; notes: string[] } {
  return normalise(inputs.flatMap((input) => parseInput(input)));
}
