export type { GeneratedFile } from "./emit.js";
export type { CrdTypesErrorCode, CrdTypesErrorLocation } from "./errors.js";
export { CrdTypesError } from "./errors.js";
export type { Drift, ReadInputsOptions, WriteReport } from "./files.js";
export { checkFiles, readInputs, writeAllOrNothing, writeFiles } from "./files.js";
export type {
  GenerateOptions,
  GenerateProgress,
  GenerateResult,
  GenerateSummary,
} from "./generate.js";
export { generateTypes } from "./generate.js";
export { typeNameForKind } from "./names.js";
export type { InputFile } from "./parse.js";
export type { Crd, CrdVersion, SourceDocument } from "./read.js";
export { parseDocuments, readCrds } from "./read.js";
