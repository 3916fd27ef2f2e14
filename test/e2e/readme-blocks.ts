// The TypeScript blocks of the repository's READMEs, as files a compiler can check.
//
// Convention (documented in the root README): a ```ts or ```typescript block is checked; the
// info string may add `file=<name>.ts` (the block is saved under that name, so later blocks of
// the same README can import it) or `nocheck` (a deliberate fragment). Other languages are not.
import { existsSync, readdirSync } from "node:fs";
import { join } from "node:path";

/** One fenced TypeScript block of a README. */
export interface ReadmeBlock {
  /** The README, relative to the repository root. */
  readonly readme: string;
  /** 1-based line of the block's first code line in the README. */
  readonly line: number;
  /** The file the block is checked as (`file=` or `block-<n>.ts`). */
  readonly file: string;
  readonly code: string;
  readonly check: boolean;
}

const FENCE = /^(`{3,}|~{3,})\s*([^`]*)$/;

/** The TypeScript blocks of one README's text, in order. */
export function readmeBlocks(readme: string, text: string): ReadmeBlock[] {
  const blocks: ReadmeBlock[] = [];
  const lines = text.split("\n");
  for (let i = 0; i < lines.length; i++) {
    const open = FENCE.exec(lines[i] ?? "");
    if (!open) continue;
    const fence = open[1] ?? "```";
    const [language = "", ...words] = (open[2] ?? "").trim().split(/\s+/);
    const start = i + 1;
    let end = start;
    while (end < lines.length && !(lines[end] ?? "").startsWith(fence)) end++;
    i = end;
    if (language !== "ts" && language !== "typescript") continue;
    const named = words.find((w) => w.startsWith("file="))?.slice("file=".length);
    blocks.push({
      readme,
      line: start + 1,
      file: named ?? `block-${blocks.length + 1}.ts`,
      code: `${lines.slice(start, end).join("\n")}\n`,
      check: !words.includes("nocheck"),
    });
  }
  return blocks;
}

/** The root README and every workspace package's, relative to the repository root. */
export function readmeFiles(root: string): string[] {
  const files = ["README.md"];
  for (const parent of ["packages", "generators", "examples"]) {
    for (const entry of readdirSync(join(root, parent), { withFileTypes: true })) {
      const readme = `${parent}/${entry.name}/README.md`;
      if (entry.isDirectory() && existsSync(join(root, readme))) files.push(readme);
    }
  }
  for (const dir of ["examples", "test", "test/support", "bench"]) {
    if (existsSync(join(root, dir, "README.md"))) files.push(`${dir}/README.md`);
  }
  return files.sort();
}
