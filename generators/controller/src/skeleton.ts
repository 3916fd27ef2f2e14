// The controller skeleton and its test: created once with ts-morph, then only ever extended.
// On regeneration the existing file is parsed and only what is missing (a hook the manifest
// now declares, an import) is inserted; every other byte stays as the user left it.
import {
  type CodeBlockWriter,
  IndentationText,
  Node,
  type ObjectLiteralExpression,
  Project,
  QuoteKind,
  type SourceFile,
} from "ts-morph";
import type { ControllerModel } from "./model.js";
import type { ResolvedKind } from "./resolve.js";
import { builtinChildBody, builtinSample, hasSpecSelector, sampleFromSchema } from "./sample.js";

type HookName = "sync" | "finalize" | "customize";

const IDENTIFIER = /^[A-Za-z_$][A-Za-z0-9_$]*$/;

/** A JSON value as a TypeScript object literal: unquoted keys where possible, 2-space indents. */
export function literal(value: unknown, indent = ""): string {
  if (Array.isArray(value)) {
    if (value.length === 0) return "[]";
    const inner = `${indent}  `;
    return `[\n${value.map((v) => `${inner}${literal(v, inner)},`).join("\n")}\n${indent}]`;
  }
  if (typeof value === "object" && value !== null) {
    const entries = Object.entries(value);
    if (entries.length === 0) return "{}";
    const inner = `${indent}  `;
    const lines = entries.map(
      ([k, v]) => `${inner}${IDENTIFIER.test(k) ? k : JSON.stringify(k)}: ${literal(v, inner)},`,
    );
    return `{\n${lines.join("\n")}\n${indent}}`;
  }
  return JSON.stringify(value) ?? "undefined";
}

function project(): Project {
  return new Project({
    useInMemoryFileSystem: true,
    manipulationSettings: {
      indentationText: IndentationText.TwoSpaces,
      quoteKind: QuoteKind.Double,
    },
  });
}

function defineName(model: ControllerModel): string {
  return model.kind === "CompositeController"
    ? "defineCompositeController"
    : "defineDecoratorController";
}

function childrenType(model: ControllerModel): string {
  return model.kind === "CompositeController" ? "Children" : "Attachments";
}

function declaredHooks(model: ControllerModel): HookName[] {
  const hooks: HookName[] = ["sync"];
  if (model.hooks.finalize) hooks.push("finalize");
  if (model.hooks.customize) hooks.push("customize");
  return hooks;
}

/** How the skeleton labels children so that Metacontroller can claim them. */
function labelsExpression(model: ControllerModel): { setup: string; expr: string } {
  const parent = model.parents[0];
  const schema = parent?.crd?.version.schema;
  if (model.kind === "CompositeController" && !model.generateSelector && parent) {
    const selector = hasSpecSelector(schema);
    if (selector) {
      const spec = selector.required ? "parent.spec" : "parent.spec?";
      return {
        setup: `// No generateSelector: children must carry labels that match the parent's spec.selector.\nconst labels = { ...${spec}.selector?.matchLabels };`,
        expr: "labels",
      };
    }
  }
  const value = (parent?.kind ?? "app").toLowerCase().replace(/[^a-z0-9-]/g, "");
  return {
    setup: `const labels = { app: ${JSON.stringify(value.slice(0, 63) || "app")} };`,
    expr: "labels",
  };
}

function sampleChild(model: ControllerModel, child: ResolvedKind, labels: string): string {
  const suffix = child.kind.toLowerCase();
  const parentNamespaced = model.parents.some((p) => p.namespaced);
  // A cluster-scoped parent cannot default a namespaced child's namespace.
  const namespace = child.namespaced && !parentNamespaced ? ', namespace: "default"' : "";
  const body = child.crd
    ? (() => {
        const sample = sampleFromSchema(child.crd.version.schema) as { [key: string]: unknown };
        const spec = sample.spec;
        return spec === undefined
          ? ""
          : `spec: ${JSON.stringify(spec).replace(/"([A-Za-z_$][A-Za-z0-9_$]*)":/g, "$1: ")}`;
      })()
    : builtinChildBody(child.kind, labels);
  return `{ apiVersion: ${JSON.stringify(child.apiVersion)}, kind: ${JSON.stringify(child.kind)}, metadata: { name: \`\${name}-${suffix}\`${namespace}, labels }${body ? `, ${body}` : ""} }`;
}

function statusExpression(model: ControllerModel): string | undefined {
  if (model.kind !== "CompositeController") return undefined;
  const schema = model.parents[0]?.crd?.version.schema as
    | { properties?: { status?: unknown } }
    | undefined;
  const status = schema?.properties?.status as
    | { properties?: { [key: string]: unknown }; required?: string[] }
    | undefined;
  if (status?.properties && "observedGeneration" in status.properties) {
    const rest = sampleFromSchema(status) as { [key: string]: unknown };
    const fields = Object.entries(rest)
      .filter(([key]) => key !== "observedGeneration")
      .map(([key, value]) => `${JSON.stringify(key)}: ${JSON.stringify(value)}`);
    return `{ ${[...fields, "observedGeneration: parent.metadata.generation ?? 0"].join(", ")} }`;
  }
  return JSON.stringify(status ? sampleFromSchema(status) : {});
}

function writeHook(model: ControllerModel, hook: HookName, writer: CodeBlockWriter): void {
  const composite = model.kind === "CompositeController";
  const root = composite ? "parent" : "object";
  const list = composite ? "children" : "attachments";
  if (hook === "customize") {
    writer.writeLine(
      "// Which related objects Metacontroller sends with each sync; a function of parent.spec only.",
    );
    writer
      .write("customize(): CustomizeResponse ")
      .inlineBlock(() => writer.writeLine("return { relatedResources: [] };"));
    return;
  }
  if (hook === "finalize") {
    writer.writeLine(
      `// Called while the ${composite ? "parent" : "object"} is being deleted: tear down, then report finalized.`,
    );
    const args = composite ? `{ ${root}, ${list} }` : `{ ${list} }`;
    writer.write(`finalize(${args}: FinalizeRequest): FinalizeResponse `).inlineBlock(() => {
      writer.writeLine(
        `const remaining = Object.values(${list}).reduce((n, group) => n + Object.keys(group).length, 0);`,
      );
      // A composite response always carries the status: an absent one would clear it.
      writer.writeLine(
        composite
          ? `return { status: ${root}.status ?? null, ${list}: [], finalized: remaining === 0 };`
          : `return { ${list}: [], finalized: remaining === 0 };`,
      );
    });
    return;
  }
  const labels = labelsExpression(model);
  const first = model.children[0];
  const lines: string[] = [];
  if (first) {
    lines.push(`const name = ${root}.metadata.name;`, ...labels.setup.split("\n"));
  }
  const desired = first
    ? [`  ${list}: [`, `    ${sampleChild(model, first, labels.expr)},`, "  ],"]
    : [`  ${list}: [],`];
  lines.push(
    "return {",
    composite
      ? `  status: ${statusExpression(model) ?? "{}"},`
      : '  labels: { "metahook.dev/decorated": "true" },',
    ...desired,
    "};",
  );
  // Destructure only what the body reads: unused bindings fail noUnusedParameters.
  const usesRoot = lines.some((line) => line.includes(`${root}.`));
  // The annotated return type makes TypeScript check each returned field where it is written.
  const param = usesRoot ? `{ ${root} }` : "_request";
  writer.write(`sync(${param}: SyncRequest): SyncResponse `).inlineBlock(() => {
    for (const line of lines) writer.writeLine(line);
  });
}

function hookSnippet(model: ControllerModel, hook: HookName): string {
  const p = project();
  const file = p.createSourceFile("snippet.ts", "");
  file.addStatements((writer) => writeHook(model, hook, writer));
  return file.getFullText().trim();
}

/** Joins an imports-only file and a body with one blank line, as a formatter would. */
function withImports(imports: SourceFile, body: (writer: CodeBlockWriter) => void): string {
  const rest = project().createSourceFile("body.ts", "");
  rest.addStatements(body);
  return `${imports.getFullText().trimEnd()}\n\n${rest.getFullText().trimStart()}`;
}

/** Renders the skeleton `<name>.ts` for a model that has none yet. */
export function createSkeleton(model: ControllerModel): string {
  const p = project();
  const file = p.createSourceFile(`${model.name}.ts`, "");
  ensureImports(file, model, "everything");
  const composite = model.kind === "CompositeController";
  return withImports(file, (writer) => {
    writer.writeLine("/**");
    writer.writeLine(
      ` * ${model.controllerName}: ${composite ? `computes the desired children and status of each ${model.parents[0]?.kind}` : `decorates each ${model.parents.map((x) => x.kind).join(" or ")}`}.`,
    );
    writer.writeLine(
      " * Metacontroller calls these hooks on every change; keep them pure (same request, same response).",
    );
    writer.writeLine(
      ` * Served at /${model.name}/${declaredHooks(model).join(`, /${model.name}/`)} by \`metahook serve\`.`,
    );
    writer.writeLine(" */");
    writer
      .write(
        `export default ${defineName(model)}<Parent, ${childrenType(model)}, Related, Keying, Desired${childrenType(model)}>(`,
      )
      .inlineBlock(() => {
        writer.writeLine("clusterScopedKinds,");
        writer.writeLine("models,");
        for (const hook of declaredHooks(model)) {
          writeHook(model, hook, writer);
          writer.write(",").newLine();
        }
      });
    writer.write(");").newLine();
  });
}

/** The generated types a hook's code names. */
function hookTypes(model: ControllerModel, hook: HookName): string[] {
  if (hook === "sync") return ["SyncRequest", "SyncResponse"];
  if (hook === "finalize") return ["FinalizeRequest", "FinalizeResponse"];
  return model.hooks.customize ? ["CustomizeResponse"] : [];
}

/**
 * Adds the imports the skeleton needs: for a new skeleton everything it names; for an existing
 * one only what the hooks being inserted use, so that no import goes unused.
 */
function ensureImports(
  file: SourceFile,
  model: ControllerModel,
  inserting: readonly HookName[] | "everything",
): boolean {
  let changed = false;
  const creating = inserting === "everything";
  const hooks = creating ? declaredHooks(model) : inserting;
  const need: { from: string; names: string[]; typeOnly: string[] }[] = [
    { from: "@metahook/runtime", names: [defineName(model)], typeOnly: [] },
    {
      from: `./${model.name}.generated.js`,
      names: creating ? ["clusterScopedKinds", "models"] : [],
      typeOnly: [
        ...(creating
          ? [childrenType(model), `Desired${childrenType(model)}`, "Keying", "Parent", "Related"]
          : []),
        ...hooks.flatMap((hook) => hookTypes(model, hook)),
      ],
    },
  ];
  for (const { from, names, typeOnly } of need) {
    const decl = file.getImportDeclaration(
      (d) => d.getModuleSpecifierValue() === from && !d.isTypeOnly(),
    );
    if (!decl) {
      file.addImportDeclaration({
        moduleSpecifier: from,
        namedImports: [
          ...names.map((name) => ({ name })),
          ...typeOnly.map((name) => ({ name, isTypeOnly: true })),
        ],
      });
      changed = true;
      continue;
    }
    const have = new Set(
      file
        .getImportDeclarations()
        .filter((d) => d.getModuleSpecifierValue() === from)
        .flatMap((d) => d.getNamedImports().map((n) => n.getName())),
    );
    const missing = names.filter((name) => !have.has(name));
    const missingTypes = typeOnly.filter((name) => !have.has(name));
    // New names go into a declaration of their own after the last import, so the user's own
    // import lines stay byte for byte as they were.
    const at = file.getImportDeclarations().length;
    if (missing.length > 0) {
      file.insertImportDeclaration(at, {
        moduleSpecifier: from,
        namedImports: missing.map((name) => ({ name })),
      });
      changed = true;
    }
    if (missingTypes.length > 0) {
      file.insertImportDeclaration(file.getImportDeclarations().length, {
        moduleSpecifier: from,
        isTypeOnly: true,
        namedImports: missingTypes,
      });
      changed = true;
    }
  }
  return changed;
}

function definitionObject(
  file: SourceFile,
  model: ControllerModel,
): ObjectLiteralExpression | undefined {
  const assignment = file.getExportAssignment((e) => !e.isExportEquals());
  const expression = assignment?.getExpression();
  if (!expression || !Node.isCallExpression(expression)) return undefined;
  if (expression.getExpression().getText() !== defineName(model)) return undefined;
  const arg = expression.getArguments()[0];
  return arg && Node.isObjectLiteralExpression(arg) ? arg : undefined;
}

/** What {@link updateSkeleton} did. */
export interface SkeletonUpdate {
  readonly content: string;
  /** Hooks and imports inserted, for the CLI's report. */
  readonly added: readonly string[];
  readonly notes: readonly string[];
}

/**
 * Brings an existing skeleton up to date with the manifest: adds a hook the manifest newly
 * declares and any missing import. Returns `content` identical to `existing` when nothing is
 * missing; never removes or rewrites user code.
 */
export function updateSkeleton(
  model: ControllerModel,
  path: string,
  existing: string,
): SkeletonUpdate {
  const p = project();
  const file = p.createSourceFile(path, existing);
  const notes: string[] = [];
  const added: string[] = [];
  const object = definitionObject(file, model);
  if (!object) {
    notes.push(
      `${path}: its default export is not ${defineName(model)}({ ... }); add new hooks by hand (${declaredHooks(model).join(", ")})`,
    );
    return { content: existing, added, notes };
  }
  const present = new Set(
    object
      .getProperties()
      .flatMap((prop) =>
        Node.isMethodDeclaration(prop) ||
        Node.isPropertyAssignment(prop) ||
        Node.isShorthandPropertyAssignment(prop)
          ? [prop.getName()]
          : [],
      ),
  );
  const missing = declaredHooks(model).filter((hook) => !present.has(hook));
  for (const hook of ["finalize", "customize"] as const) {
    if (present.has(hook) && !declaredHooks(model).includes(hook)) {
      notes.push(
        `${path}: defines ${hook}, which the manifest no longer declares; it is kept and served, but Metacontroller will not call it`,
      );
    }
  }
  if (missing.length === 0 && !needsImports(file, model, missing))
    return { content: existing, added, notes };
  if (ensureImports(file, model, missing)) added.push("imports");
  for (const hook of missing) {
    object.insertProperty(object.getProperties().length, hookSnippet(model, hook));
    added.push(hook);
  }
  return { content: file.getFullText(), added, notes };
}

function needsImports(
  file: SourceFile,
  model: ControllerModel,
  inserting: readonly HookName[],
): boolean {
  const copy = project().createSourceFile("copy.ts", file.getFullText());
  return ensureImports(copy, model, inserting);
}

/** Renders the skeleton's test `<name>.test.ts`: one case per declared hook. */
export function createTest(model: ControllerModel): string {
  const composite = model.kind === "CompositeController";
  const parent = model.parents[0];
  const parentNamespaced = parent?.namespaced ?? true;
  const metadata = {
    name: "example",
    ...(parentNamespaced ? { namespace: "default" } : {}),
    uid: "00000000-0000-4000-8000-000000000001",
    generation: 1,
  };
  let sample: { [key: string]: unknown } = parent?.crd
    ? { apiVersion: parent.apiVersion, kind: parent.kind, metadata }
    : builtinSample(parent?.apiVersion ?? "v1", parent?.kind ?? "ConfigMap", metadata);
  if (parent?.crd) {
    const overrides = new Map<string, unknown>();
    if (composite && !model.generateSelector && hasSpecSelector(parent.crd.version.schema)) {
      overrides.set("spec.selector", { matchLabels: { app: "example" } });
    }
    const fromSchema = sampleFromSchema(parent.crd.version.schema, "", overrides) as {
      [key: string]: unknown;
    };
    delete fromSchema.apiVersion;
    delete fromSchema.kind;
    delete fromSchema.metadata;
    delete fromSchema.status;
    // A spec that is optional in the schema is still what a controller reads: include it.
    const specSchema = (parent.crd.version.schema as { properties?: { spec?: unknown } }).properties
      ?.spec;
    if (fromSchema.spec === undefined && specSchema !== undefined) {
      fromSchema.spec = sampleFromSchema(specSchema, "spec", overrides);
    }
    sample = { ...sample, ...fromSchema };
  }
  const build = composite ? "buildCompositeRequest" : "buildDecoratorRequest";
  const typeArgs = `Parent, ${childrenType(model)}, Related, Keying`;
  const rootField = composite ? "parent" : "object";
  const list = composite ? "children" : "attachments";
  const p = project();
  const file = p.createSourceFile(`${model.name}.test.ts`, "");
  const imports = [
    build,
    "invokeHook",
    ...(model.hooks.customize ? ["buildCustomizeRequest"] : []),
  ].sort();
  file.addImportDeclaration({
    moduleSpecifier: "@metahook/runtime/testing",
    namedImports: imports,
  });
  file.addImportDeclaration({
    moduleSpecifier: "vitest",
    namedImports: ["describe", "expect", "it"],
  });
  file.addImportDeclaration({ moduleSpecifier: `./${model.name}.js`, defaultImport: "controller" });
  file.addImportDeclaration({
    moduleSpecifier: `./${model.name}.generated.js`,
    namedImports: [
      { name: "controllerManifest" },
      { name: "kinds" },
      { name: childrenType(model), isTypeOnly: true },
      { name: "Keying", isTypeOnly: true },
      { name: "Parent", isTypeOnly: true },
      { name: "Related", isTypeOnly: true },
    ],
  });
  const it = (title: string, lines: string[]) => (writer: CodeBlockWriter) => {
    writer.writeLine(`it(${JSON.stringify(title)}, async () => {`);
    writer.indent(() => {
      for (const line of lines) writer.writeLine(line);
    });
    writer.writeLine("});");
  };
  const cases = [
    it("sync answers with a response the hook server would send", [
      `const request = ${build}<${typeArgs}>({ controller: controllerManifest, ${rootField}, kinds });`,
      "const response = await invokeHook(controller, request);",
      `expect(response.${list}).toHaveLength(${model.children.length > 0 ? 1 : 0});`,
    ]),
  ];
  if (model.hooks.finalize) {
    cases.push(
      it("finalize reports finalized once nothing is left", [
        `const request = ${build}<${typeArgs}>({ controller: controllerManifest, ${rootField}, kinds, finalizing: true });`,
        "const response = await invokeHook(controller, request);",
        "expect(response.finalized).toBe(true);",
      ]),
    );
  }
  if (model.hooks.customize) {
    cases.push(
      it("customize declares the related objects", [
        `const request = buildCustomizeRequest({ controller: controllerManifest, parent: ${rootField} });`,
        "const response = await invokeHook(controller, request);",
        "expect(Array.isArray(response.relatedResources)).toBe(true);",
      ]),
    );
  }
  return withImports(file, (writer) => {
    writer.writeLine(`const ${rootField}: Parent = ${literal(sample)};`);
    writer.blankLine();
    writer.writeLine(`describe(${JSON.stringify(model.name)}, () => {`);
    writer.indent(() => {
      cases.forEach((write, i) => {
        if (i > 0) writer.blankLine();
        write(writer);
      });
    });
    writer.writeLine("});");
  });
}
