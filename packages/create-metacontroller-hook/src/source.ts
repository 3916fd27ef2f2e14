// `--metahook-source <dir>`: depend on packed tarballs of this checkout instead of the registry.
import { readdir } from "node:fs/promises";
import { join, resolve } from "node:path";
import { CreateError } from "./errors.js";
import { METAHOOK_PACKAGES, type MetahookPackage, metahookVersion } from "./versions.js";

/** How the project gets the @metahook packages: registry ranges or packed tarballs. */
export interface MetahookDependencies {
  /** Spec per package (`^0.1.0` or `file:/abs/metahook-runtime-0.1.0.tgz`). */
  readonly specs: { readonly [name in MetahookPackage]: string };
  /** Set for tarballs: every @metahook package, so transitive ones resolve to them too. */
  readonly overrides?: { readonly [name in MetahookPackage]: string };
}

/** The published versions: a caret range on the version this package ships with. */
export function publishedDependencies(): MetahookDependencies {
  const specs = Object.fromEntries(
    METAHOOK_PACKAGES.map((name) => [name, `^${metahookVersion(name)}`]),
  ) as { [name in MetahookPackage]: string };
  return { specs };
}

/**
 * Tarballs made by `pnpm pack` in `dir` (`metahook-runtime-0.1.0.tgz`, `metahook-cli-0.1.0.tgz`,
 * `metahook-crd-types-…`, `metahook-gen-controller-…`), as `file:` specs with absolute paths and
 * matching overrides (npm `overrides`, `pnpm.overrides`, yarn `resolutions`).
 *
 * @throws {@link CreateError} `SOURCE_NOT_FOUND` naming the tarballs that are missing.
 */
export async function tarballDependencies(dir: string): Promise<MetahookDependencies> {
  const root = resolve(dir);
  const entries = await readdir(root).catch((cause: unknown) => {
    throw new CreateError(
      "SOURCE_NOT_FOUND",
      `--metahook-source ${dir}: cannot be read: ${(cause as Error).message}`,
      { cause },
    );
  });
  const specs: { [name: string]: string } = {};
  const missing: string[] = [];
  for (const name of METAHOOK_PACKAGES) {
    const base = name.replace(/^@/, "").replace("/", "-");
    const pattern = new RegExp(`^${base}-\\d+\\.\\d+\\.\\d+[^/]*\\.tgz$`);
    const found = entries.filter((e) => pattern.test(e)).sort();
    const last = found[found.length - 1];
    if (last === undefined) missing.push(`${base}-<version>.tgz`);
    else specs[name] = `file:${join(root, last)}`;
  }
  if (missing.length > 0) {
    throw new CreateError(
      "SOURCE_NOT_FOUND",
      `--metahook-source ${dir}: missing ${missing.join(", ")}; make them with: pnpm -r --filter "@metahook/*" pack --pack-destination ${dir}`,
    );
  }
  const typed = specs as { [name in MetahookPackage]: string };
  return { specs: typed, overrides: typed };
}
