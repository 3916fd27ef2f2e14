// bench/gen-types: metahook gen types vs @kubernetes-models/crd-generate vs cdk8s import, on the
// same CRDs (every file of test/fixtures/crds/index.tsv), in the same run. See ../README.md.
import { spawnSync } from "node:child_process";
import {
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { basename, dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import ts from "typescript";

const benchDir = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const repoRoot = resolve(benchDir, "..");
// The corpus in the repository (test/fixtures), or METAHOOK_SHARED to bench another one.
const shared = process.env.METAHOOK_SHARED ?? resolve(repoRoot, "test/fixtures");
const bin = (name: string): string => join(benchDir, "node_modules", ".bin", name);
const resultsDir = join(benchDir, "results", "gen-types");

interface Crd {
  readonly file: string;
  readonly path: string;
  readonly group: string;
  readonly kind: string;
  readonly versions: readonly string[];
  /** Module name for cdk8s (`NAME:=SPEC`), unique per CRD. */
  readonly module: string;
}

/** What the CRD's schemas say, to check each tool's output against. */
interface SchemaFacts {
  /** Every property name at any depth of any version. */
  readonly propertyNames: ReadonlySet<string>;
  /** Whether a version's root schema has `status`. */
  readonly hasStatus: boolean;
}

interface RunResult {
  readonly ok: boolean;
  readonly seconds: number;
  readonly output: string;
}

interface ToolReport {
  readonly tool: string;
  readonly mode: string;
  readonly seconds: number | undefined;
  readonly generated: number;
  readonly compiling: number;
  readonly counts: Counts;
  /** Schema property names that appear nowhere in the output as a property (renamed or dropped). */
  readonly missingNames: number;
  readonly statusTyped: number;
  readonly withStatus: number;
  readonly medianPerCrd: number | undefined;
  /** Sum of the one-process-per-CRD times, over the CRDs the tool can read. */
  readonly totalPerCrd: number | undefined;
  readonly notes: string[];
}

interface Tool {
  readonly name: string;
  /** Generates `crds` into `out` in one process, as the tool documents for many CRDs. */
  run(crds: readonly Crd[], out: string): RunResult;
  /** The generated TypeScript files of `crd` under `out`. */
  filesOf(crd: Crd, out: string): string[];
  /** Compiler options matching the module style the tool emits. */
  readonly compilerOptions: ts.CompilerOptions;
}

function readCorpus(): Crd[] {
  const index = join(shared, "crds", "index.tsv");
  if (!existsSync(index)) throw new Error(`no corpus at ${index}; set METAHOOK_SHARED`);
  const [header = "", ...lines] = readFileSync(index, "utf8").trim().split("\n");
  const columns = header.split("\t");
  return lines.map((line) => {
    const cells = line.split("\t");
    const cell = (name: string): string => cells[columns.indexOf(name)] ?? "";
    const file = cell("file");
    return {
      file,
      path: join(shared, "crds", file),
      group: cell("group"),
      kind: cell("kind"),
      versions: cell("versions").split(","),
      module: file.replace(/\.ya?ml$/, "").replace(/[^A-Za-z0-9]+/g, "_"),
    };
  });
}

function timed(command: string, args: readonly string[], cwd: string): RunResult {
  const started = performance.now();
  const child = spawnSync(command, args, {
    cwd,
    encoding: "utf8",
    maxBuffer: 1 << 28,
    env: { ...process.env, CI: "1" },
  });
  const seconds = (performance.now() - started) / 1000;
  return { ok: child.status === 0, seconds, output: `${child.stdout ?? ""}${child.stderr ?? ""}` };
}

const nodeNext: ts.CompilerOptions = {
  strict: true,
  noEmit: true,
  skipLibCheck: true,
  target: ts.ScriptTarget.ES2022,
  module: ts.ModuleKind.NodeNext,
  moduleResolution: ts.ModuleResolutionKind.NodeNext,
  types: [],
};
// crd-generate and cdk8s emit extensionless relative imports: CommonJS resolution, as their docs assume.
const commonJs: ts.CompilerOptions = {
  ...nodeNext,
  module: ts.ModuleKind.CommonJS,
  moduleResolution: ts.ModuleResolutionKind.Node10,
  esModuleInterop: true,
  // TypeScript 6 deprecates node10 resolution but still supports it; the warning is not the tools' fault.
  ignoreDeprecations: "6.0",
};

const byVersion = (crd: Crd, out: string): string[] =>
  crd.versions.map((v) => join(out, crd.group, v, `${crd.kind}.ts`)).filter((f) => existsSync(f));

const TOOLS: readonly Tool[] = [
  {
    name: "metahook gen types",
    run: (crds, out) =>
      timed(
        process.execPath,
        [
          join(repoRoot, "packages/cli/dist/bin.js"),
          "gen",
          "types",
          ...crds.map((c) => c.path),
          "-o",
          out,
        ],
        repoRoot,
      ),
    filesOf: byVersion,
    compilerOptions: nodeNext,
  },
  {
    name: "@kubernetes-models/crd-generate",
    // Its README: `crd-generate --input <file> [--input <file>…] --output <dir>`.
    run: (crds, out) =>
      timed(
        bin("crd-generate"),
        [...crds.flatMap((c) => ["--input", c.path]), "--output", out],
        benchDir,
      ),
    filesOf: byVersion,
    compilerOptions: commonJs,
  },
  {
    name: "cdk8s import",
    // Its docs: list the CRDs under `imports:` in cdk8s.yaml and run `cdk8s import`.
    run: (crds, out) => {
      mkdirSync(out, { recursive: true });
      const imports = crds.map((c) => `  - ${c.module}:=${c.path}`).join("\n");
      writeFileSync(
        join(out, "cdk8s.yaml"),
        `language: typescript\napp: node main.js\nimports:\n${imports}\n`,
      );
      return timed(bin("cdk8s"), ["import", "-o", "imports", "--check-upgrade", "false"], out);
    },
    filesOf: (crd, out) => {
      const dir = join(out, "imports");
      if (!existsSync(dir)) return [];
      return readdirSync(dir)
        .filter((f) => f.startsWith(`${crd.module}-`) && f.endsWith(".ts"))
        .map((f) => join(dir, f));
    },
    compilerOptions: commonJs,
  },
];

/** Loose-type counts, from the TypeScript AST (not regexes, so names in comments or strings never count). */
interface Counts {
  /** `any` in interface and type-alias declarations: the types users program against. */
  any: number;
  /** `any` anywhere, including helper functions (cdk8s' toJson_* return `Record<string, any>`). */
  anyAnywhere: number;
  unknown: number;
  /** Index signatures whose value is `any` or `unknown`: open objects. */
  openIndexSignatures: number;
  /** Index signatures with a real value type: maps (`additionalProperties`). */
  mapIndexSignatures: number;
  /** `{}` type literals and member-less interfaces. */
  emptyObjects: number;
}

function count(files: readonly string[]): Counts {
  const totals: Counts = {
    any: 0,
    anyAnywhere: 0,
    unknown: 0,
    openIndexSignatures: 0,
    mapIndexSignatures: 0,
    emptyObjects: 0,
  };
  const visit = (node: ts.Node, inDeclaration: boolean): void => {
    const inDecl =
      inDeclaration || ts.isInterfaceDeclaration(node) || ts.isTypeAliasDeclaration(node);
    if (node.kind === ts.SyntaxKind.AnyKeyword) {
      totals.anyAnywhere++;
      if (inDecl) totals.any++;
    } else if (inDecl && node.kind === ts.SyntaxKind.UnknownKeyword) {
      totals.unknown++;
    } else if (inDecl && ts.isIndexSignatureDeclaration(node)) {
      const open =
        node.type.kind === ts.SyntaxKind.AnyKeyword ||
        node.type.kind === ts.SyntaxKind.UnknownKeyword;
      if (open) totals.openIndexSignatures++;
      else totals.mapIndexSignatures++;
    } else if (inDecl && ts.isTypeLiteralNode(node) && node.members.length === 0) {
      totals.emptyObjects++;
    } else if (
      ts.isInterfaceDeclaration(node) &&
      node.members.length === 0 &&
      node.heritageClauses === undefined
    ) {
      totals.emptyObjects++;
    }
    ts.forEachChild(node, (child) => visit(child, inDecl));
  };
  for (const file of files) {
    visit(
      ts.createSourceFile(
        file,
        readFileSync(file, "utf8"),
        ts.ScriptTarget.ES2022,
        false,
        ts.ScriptKind.TS,
      ),
      false,
    );
  }
  return totals;
}

/** Property names declared in `files` (interface members and class properties), as written in JSON. */
function declaredNames(files: readonly string[]): Set<string> {
  const names = new Set<string>();
  const visit = (node: ts.Node): void => {
    if (
      (ts.isPropertySignature(node) || ts.isPropertyDeclaration(node)) &&
      (ts.isIdentifier(node.name) || ts.isStringLiteral(node.name))
    ) {
      names.add(node.name.text);
    }
    ts.forEachChild(node, visit);
  };
  for (const file of files)
    visit(
      ts.createSourceFile(
        file,
        readFileSync(file, "utf8"),
        ts.ScriptTarget.ES2022,
        false,
        ts.ScriptKind.TS,
      ),
    );
  return names;
}

async function schemaFacts(corpus: readonly Crd[]): Promise<Map<string, SchemaFacts>> {
  const { readCrds, readInputs } = await import("@metahook/crd-types");
  const facts = new Map<string, SchemaFacts>();
  for (const crd of corpus) {
    const [parsed] = readCrds(await readInputs([crd.path])).crds;
    const propertyNames = new Set<string>();
    const walk = (node: unknown): void => {
      if (typeof node !== "object" || node === null) return;
      const record = node as { [key: string]: unknown };
      const properties = record.properties;
      if (typeof properties === "object" && properties !== null) {
        for (const [name, child] of Object.entries(properties)) {
          propertyNames.add(name);
          walk(child);
        }
      }
      walk(record.items);
      walk(record.additionalProperties);
    };
    let hasStatus = false;
    for (const version of parsed?.versions ?? []) {
      walk(version.schema);
      const root = version.schema.properties;
      if (typeof root === "object" && root !== null && "status" in root) hasStatus = true;
    }
    facts.set(crd.file, { propertyNames, hasStatus });
  }
  return facts;
}

/** Type-checks every .ts file under `out` as one project; returns the files with errors. */
function compile(
  out: string,
  options: ts.CompilerOptions,
): { failing: Set<string>; errors: number; sample: string[] } {
  const roots = walk(out).filter((f) => f.endsWith(".ts") && !f.endsWith(".d.ts"));
  const program = ts.createProgram(roots, options);
  const diagnostics = ts.getPreEmitDiagnostics(program);
  const failing = new Set<string>();
  const sample: string[] = [];
  for (const d of diagnostics) {
    const file = d.file?.fileName ?? "(global)";
    failing.add(resolve(file));
    if (sample.length < 3)
      sample.push(
        `${relative(out, file)}: ${ts.flattenDiagnosticMessageText(d.messageText, " ").slice(0, 160)}`,
      );
  }
  return { failing, errors: diagnostics.length, sample };
}

function walk(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (name === "node_modules") return [];
    return statSync(path).isDirectory() ? walk(path) : [path];
  });
}

function median(values: readonly number[]): number | undefined {
  if (values.length === 0) return undefined;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid] : ((sorted[mid - 1] ?? 0) + (sorted[mid] ?? 0)) / 2;
}

function benchTool(
  tool: Tool,
  corpus: readonly Crd[],
  perCrd: boolean,
  facts: ReadonlyMap<string, SchemaFacts>,
): ToolReport {
  const slug = tool.name.replace(/[^A-Za-z0-9]+/g, "-").replace(/^-|-$/g, "");
  const notes: string[] = [];
  let usable = corpus;
  const perCrdSeconds: number[] = [];
  let perCrdDone = false;
  // One process per CRD: which CRDs the tool handles at all, and its per-CRD time.
  const runPerCrd = (): void => {
    perCrdDone = true;
    usable = corpus.filter((crd, i) => {
      const single = join(resultsDir, `${slug}-single`, String(i));
      rmSync(single, { recursive: true, force: true });
      const result = tool.run([crd], single);
      const ok = result.ok && tool.filesOf(crd, single).length > 0;
      if (ok) perCrdSeconds.push(result.seconds);
      else notes.push(`fails on ${crd.file}: ${firstError(result.output)}`);
      process.stderr.write(
        `  ${tool.name} ${ok ? "ok  " : "FAIL"} ${crd.file} ${result.seconds.toFixed(2)} s\n`,
      );
      return ok;
    });
  };
  if (perCrd) runPerCrd();
  const out = join(resultsDir, slug);
  rmSync(out, { recursive: true, force: true });
  let mode = `one process, ${corpus.length} CRDs`;
  const fresh = (crds: readonly Crd[]) => (): RunResult => {
    rmSync(out, { recursive: true, force: true });
    return tool.run(crds, out);
  };
  let result = repeat(fresh(corpus));
  // Without the per-CRD pass we do not yet know which CRDs the tool can read.
  if (!result.ok && !perCrdDone) runPerCrd();
  if (!result.ok && usable.length < corpus.length) {
    notes.push(
      `the one-process run over all ${corpus.length} CRDs fails after ${result.seconds.toFixed(2)} s: ${firstError(result.output)}`,
    );
    rmSync(out, { recursive: true, force: true });
    mode = `one process, the ${usable.length} CRDs it can read`;
    result = repeat(fresh(usable));
  }
  if (!result.ok) notes.push(`run failed: ${firstError(result.output)}`);
  const generated = corpus.filter((crd) => tool.filesOf(crd, out).length > 0);
  process.stderr.write(`  ${tool.name}: type-checking ${generated.length} CRDs…\n`);
  const { failing, errors, sample } = compile(out, tool.compilerOptions);
  const compiling = generated.filter((crd) =>
    tool.filesOf(crd, out).every((f) => !failing.has(resolve(f))),
  );
  if (errors > 0) notes.push(`${errors} type errors, e.g. ${sample.join("; ")}`);
  const counts = count(generated.flatMap((crd) => tool.filesOf(crd, out)));
  let missingNames = 0;
  let statusTyped = 0;
  let withStatus = 0;
  for (const crd of generated) {
    const fact = facts.get(crd.file);
    if (fact === undefined) continue;
    const declared = declaredNames(tool.filesOf(crd, out));
    for (const name of fact.propertyNames) if (!declared.has(name)) missingNames++;
    if (fact.hasStatus) {
      withStatus++;
      if (declared.has("status")) statusTyped++;
    }
  }
  return {
    tool: tool.name,
    mode,
    seconds: result.ok ? result.seconds : undefined,
    generated: generated.length,
    compiling: compiling.length,
    counts,
    missingNames,
    statusTyped,
    withStatus,
    medianPerCrd: median(perCrdSeconds),
    totalPerCrd: perCrdSeconds.length === 0 ? undefined : perCrdSeconds.reduce((a, b) => a + b, 0),
    notes,
  };
}

const REPEATS = Number(
  process.argv.find((a) => a.startsWith("--repeat="))?.slice("--repeat=".length) ?? 3,
);

/** Runs `run` REPEATS times (or until it fails) and keeps the run with the median time. */
function repeat(run: () => RunResult): RunResult {
  const results: RunResult[] = [];
  for (let i = 0; i < REPEATS; i++) {
    const result = run();
    results.push(result);
    if (!result.ok) return result;
  }
  const sorted = [...results].sort((a, b) => a.seconds - b.seconds);
  return (
    sorted[Math.floor(sorted.length / 2)] ??
    results[0] ?? { ok: false, seconds: 0, output: "not run" }
  );
}

function firstError(output: string): string {
  const line =
    output.split("\n").find((l) => /error|Error|fail/i.test(l)) ??
    output.trim().split("\n").pop() ??
    "";
  return line.trim().slice(0, 200);
}

function table(reports: readonly ToolReport[], total: number): string {
  const header = [
    "tool",
    "mode",
    "time",
    "median/CRD (1 process each)",
    `CRDs generated (of ${total})`,
    "CRDs that compile",
    "any in types",
    "any anywhere",
    "unknown",
    "open index signatures",
    "map index signatures",
    "{}",
    "schema property names not in the output",
    "status typed",
  ];
  const rows = reports.map((r) => [
    r.tool,
    r.mode,
    r.seconds === undefined ? "failed" : `${r.seconds.toFixed(2)} s`,
    r.medianPerCrd === undefined ? "—" : `${r.medianPerCrd.toFixed(2)} s`,
    String(r.generated),
    String(r.compiling),
    String(r.counts.any),
    String(r.counts.anyAnywhere),
    String(r.counts.unknown),
    String(r.counts.openIndexSignatures),
    String(r.counts.mapIndexSignatures),
    String(r.counts.emptyObjects),
    String(r.missingNames),
    `${r.statusTyped} of ${r.withStatus}`,
  ]);
  const line = (cells: readonly string[]): string => `| ${cells.join(" | ")} |`;
  return [line(header), line(header.map(() => "---")), ...rows.map(line)].join("\n");
}

/** The library in-process (no Node startup, no CLI): read + generate + write, and generate alone. */
async function library(corpus: readonly Crd[]): Promise<string> {
  // Imported after main() has built it, so the measured code is the current source.
  const { generateTypes, readInputs, writeFiles } = await import("@metahook/crd-types");
  const out = join(resultsDir, "crd-types-library");
  rmSync(out, { recursive: true, force: true });
  const started = performance.now();
  const inputs = await readInputs(corpus.map((c) => c.path));
  const generating = performance.now();
  const result = generateTypes(inputs);
  const generated = performance.now();
  await writeFiles(out, result.files);
  const done = performance.now();
  const s = (ms: number): string => `${(ms / 1000).toFixed(2)} s`;
  return `@metahook/crd-types in-process: read ${s(generating - started)}, generate ${s(generated - generating)}, write ${s(done - generated)} (total ${s(done - started)}) for ${result.summary.crds} CRDs, ${result.summary.versions} versions, ${result.files.length} files.`;
}

async function main(): Promise<void> {
  const perCrd = !process.argv.includes("--no-per-crd");
  const corpus = readCorpus();
  process.stderr.write("building @metahook/cli…\n");
  const build = spawnSync(
    join(repoRoot, "node_modules", ".bin", "turbo"),
    ["run", "build", "--filter=@metahook/cli...", "--output-logs=errors-only"],
    {
      cwd: repoRoot,
      stdio: "inherit",
    },
  );
  if (build.status !== 0) throw new Error("building @metahook/cli failed");
  mkdirSync(resultsDir, { recursive: true });
  const facts = await schemaFacts(corpus);
  const reports = TOOLS.map((tool) => {
    process.stderr.write(`${tool.name}…\n`);
    // Our own per-CRD run is skipped: its one-process time is the figure that matters and it reads every CRD.
    return benchTool(tool, corpus, perCrd && tool.name !== "metahook gen types", facts);
  });
  const inProcess = await library(corpus);
  const startup = repeat(() =>
    timed(process.execPath, [join(repoRoot, "packages/cli/dist/bin.js"), "--version"], repoRoot),
  );
  const fastestOther = Math.min(
    ...reports.slice(1).flatMap((r) => (r.seconds === undefined ? [] : [r.seconds])),
  );
  const ours = reports[0]?.seconds;
  const speedup =
    ours !== undefined && Number.isFinite(fastestOther)
      ? `${(fastestOther / ours).toFixed(1)}x`
      : "n/a";
  const fastestPerCrd = Math.min(
    ...reports.slice(1).flatMap((r) => (r.totalPerCrd === undefined ? [] : [r.totalPerCrd])),
  );
  const perCrdSpeedup =
    ours !== undefined && Number.isFinite(fastestPerCrd)
      ? `${(fastestPerCrd / ours).toFixed(1)}x (${fastestPerCrd.toFixed(1)} s summed over the CRDs it can read)`
      : "n/a";
  const text = [
    `# bench/gen-types — ${new Date().toISOString()}`,
    "",
    `Corpus: ${corpus.length} CRDs from ${basename(shared)}/crds/index.tsv; node ${process.version}; ${process.platform}/${process.arch}.`,
    "",
    table(reports, corpus.length),
    "",
    `metahook gen types vs the faster competitor, both in one process: ${speedup}.`,
    `metahook gen types (one process) vs the faster competitor run one process per CRD, as the issue measured: ${perCrdSpeedup}.`,
    `Times are the median of ${REPEATS} runs (each tool's output directory is regenerated from scratch each run).`,
    inProcess,
    `\`metahook --version\` alone takes ${startup.seconds.toFixed(2)} s here (Node startup plus the CLI loading every command's dependencies); it is part of the metahook row.`,
    "",
    ...reports.flatMap((r) =>
      r.notes.length === 0 ? [] : [`${r.tool}:`, ...r.notes.map((n) => `- ${n}`), ""],
    ),
  ].join("\n");
  writeFileSync(join(benchDir, "results", "gen-types.md"), `${text}\n`);
  writeFileSync(
    join(benchDir, "results", "gen-types.json"),
    `${JSON.stringify({ corpus: corpus.length, reports }, null, 2)}\n`,
  );
  process.stdout.write(
    `${text}\nWritten to ${relative(repoRoot, join(benchDir, "results"))}/gen-types.{md,json}\n`,
  );
}

await main();
