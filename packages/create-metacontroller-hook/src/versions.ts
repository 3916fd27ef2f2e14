// Versions the generated project depends on. The @metahook packages come from the installed
// packages themselves; the rest match the monorepo's catalog (a test keeps them in step).
import { createRequire } from "node:module";

const require = createRequire(import.meta.url);

/** Third-party dependencies of a generated project, as the monorepo tests them. */
export const PROJECT_DEPENDENCIES: { readonly [name: string]: string } = {
  "@kubernetes-models/apimachinery": "^2.2.0",
  "@kubernetes-models/validate": "^4.0.0",
  ajv: "^8.20.0",
  "kubernetes-models": "^4.5.1",
};

/** Third-party dev dependencies of a generated project. */
export const PROJECT_DEV_DEPENDENCIES: { readonly [name: string]: string } = {
  "@types/node": "^20.19.43",
  typescript: "~6.0.3",
  vitest: "^4.1.12",
};

/**
 * Transitive pins (npm `overrides`, `pnpm.overrides`, yarn `resolutions`), as the monorepo's
 * pnpm-workspace.yaml pins them: light-my-request >= 6.8 (through fastify) needs cookie 2, which
 * declares Node >= 22 and made every install on Node 20 warn EBADENGINE.
 */
export const PROJECT_OVERRIDES: { readonly [name: string]: string } = {
  "light-my-request": "6.6.0",
};

/** The @metahook packages a project depends on directly, and those they pull in. */
export const METAHOOK_PACKAGES = [
  "@metahook/runtime",
  "@metahook/cli",
  "@metahook/crd-types",
  "@metahook/gen-controller",
  "@metahook/scaffold",
] as const;

/** A @metahook package name. */
export type MetahookPackage = (typeof METAHOOK_PACKAGES)[number];

/** The version of an installed @metahook package (what this create-metacontroller-hook ships with). */
export function metahookVersion(name: MetahookPackage): string {
  return (require(`${name}/package.json`) as { version: string }).version;
}

/** This package's own version. */
export function ownVersion(): string {
  return (require("../package.json") as { version: string }).version;
}
