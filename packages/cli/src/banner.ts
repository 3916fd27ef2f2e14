// The command named in generated files' banners. It must not depend on where the generator ran
// or where it wrote: the same inputs give byte-identical files on every machine, from any
// working directory, into any output directory, and `gen controller` and `gen types` name the
// same command for the CRD types both write (so each one's --check passes after the other).
import { existsSync, readFileSync } from "node:fs";
import { dirname, isAbsolute, join, relative, resolve, sep } from "node:path";
import { shellQuote } from "./shell.js";

function isWorkspaceRoot(dir: string): boolean {
  if (existsSync(join(dir, "pnpm-workspace.yaml"))) return true;
  const manifest = join(dir, "package.json");
  if (!existsSync(manifest)) return false;
  try {
    return "workspaces" in (JSON.parse(readFileSync(manifest, "utf8")) as object);
  } catch {
    return false;
  }
}

/**
 * The directory input paths are named relative to in banners: the workspace root above `from`
 * (pnpm-workspace.yaml, or a package.json with `workspaces`), else the nearest directory with a
 * package.json; `undefined` outside any package.
 */
export function sourceRoot(from: string): string | undefined {
  let nearest: string | undefined;
  for (let dir = resolve(from); ; dir = dirname(dir)) {
    if (nearest === undefined && existsSync(join(dir, "package.json"))) nearest = dir;
    if (isWorkspaceRoot(dir)) return dir;
    if (dirname(dir) === dir) return nearest;
  }
}

/**
 * An input as banners name it: relative to `root`, with `/` separators; `-` stays `-`. Outside
 * the root (or with no root), the file name alone, since nothing else is the same everywhere.
 */
export function sourcePath(input: string, cwd: string, root: string | undefined): string {
  if (input === "-") return input;
  const absolute = resolve(cwd, input);
  const inside = root === undefined ? undefined : relative(root, absolute);
  const path =
    inside !== undefined && inside !== "" && !inside.startsWith("..") && !isAbsolute(inside)
      ? inside
      : (absolute.split(sep).at(-1) ?? input);
  return shellQuote(path.split(sep).join("/"));
}

/** `metahook gen types <inputs>`: the banner of CRD types, whichever command wrote them. */
export function typesBanner(inputs: readonly string[], cwd: string, outDir: string): string {
  const root = sourceRoot(outDir);
  return ["metahook gen types", ...inputs.map((i) => sourcePath(i, cwd, root))].join(" ");
}
