import { spawnSync } from "node:child_process";
import { mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import ts from "typescript";

export const PKG = resolve(dirname(fileURLToPath(import.meta.url)), "..");

import { REFERENCE } from "@metahook/test-support";

export { REFERENCE };
export const EXAMPLES = join(REFERENCE, "metacontroller/examples");

export function yamlFiles(dir: string): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir).sort()) {
    const path = join(dir, entry);
    if (statSync(path).isDirectory()) out.push(...yamlFiles(path));
    else if (/\.ya?ml$/.test(entry)) out.push(path);
  }
  return out;
}

export function read(path: string): { path: string; content: string } {
  return { path, content: readFileSync(path, "utf8") };
}

/** A scratch directory inside the package, so generated code resolves the package's dependencies. */
export function scratch(name: string): string {
  const dir = join(PKG, ".acceptance", name);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  return dir;
}

/** Type-checks every .ts file under `dir` as one strict NodeNext program; returns the diagnostics. */
export function typecheck(dir: string): string[] {
  const files: string[] = [];
  const walk = (d: string) => {
    for (const entry of readdirSync(d)) {
      const path = join(d, entry);
      if (statSync(path).isDirectory()) walk(path);
      else if (path.endsWith(".ts")) files.push(path);
    }
  };
  walk(dir);
  const program = ts.createProgram(files, {
    strict: true,
    noUncheckedIndexedAccess: true,
    noUnusedLocals: true,
    noUnusedParameters: true,
    verbatimModuleSyntax: true,
    module: ts.ModuleKind.NodeNext,
    moduleResolution: ts.ModuleResolutionKind.NodeNext,
    target: ts.ScriptTarget.ES2023,
    lib: ["lib.es2023.d.ts"],
    types: ["node"],
    skipLibCheck: true,
    noEmit: true,
  });
  return ts.getPreEmitDiagnostics(program).map((d) => {
    const where = d.file
      ? `${relative(dir, d.file.fileName)}:${d.file.getLineAndCharacterOfPosition(d.start ?? 0).line + 1}`
      : "";
    return `${where} ${ts.flattenDiagnosticMessageText(d.messageText, "\n")}`;
  });
}

/** Runs vitest on the generated tests under `dir`; returns the JSON report. */
export function runVitest(dir: string): {
  numPassedTests: number;
  numFailedTests: number;
  output: string;
} {
  writeFileSync(
    join(dir, "vitest.config.ts"),
    'export default { test: { include: ["**/*.test.ts"] } };\n',
  );
  const vitest = join(PKG, "node_modules/vitest/vitest.mjs");
  const report = join(dir, "report.json");
  const res = spawnSync(
    process.execPath,
    [vitest, "run", "--root", dir, "--reporter=json", `--outputFile=${report}`],
    {
      encoding: "utf8",
      env: { ...process.env, NO_COLOR: "1" },
    },
  );
  const json = JSON.parse(readFileSync(report, "utf8")) as {
    numPassedTests: number;
    numFailedTests: number;
    testResults?: { assertionResults?: { failureMessages?: string[] }[] }[];
  };
  // The JSON reporter keeps failure messages in the report, not on stdout.
  const failures = (json.testResults ?? []).flatMap((file) =>
    (file.assertionResults ?? []).flatMap((a) => a.failureMessages ?? []),
  );
  return {
    numPassedTests: json.numPassedTests,
    numFailedTests: json.numFailedTests,
    output: [res.stdout, res.stderr, ...failures].join("\n"),
  };
}
