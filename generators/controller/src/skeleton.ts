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
import {
  builtinChildFields,
  builtinSample,
  Expr,
  hasSpecSelector,
  sampleFromSchema,
} from "./sample.js";

type HookName = "sync" | "finalize" | "customize";

const IDENTIFIER = /^[A-Za-z_$][A-Za-z0-9_$]*$/;

/** Lines of generated code stay within this width (the formatter's line width). */
export const LINE_WIDTH = 100;
// An object or array this short, that fits the line, stays on one line: `{ name: "http", port: 80 }`.
const INLINE_MAX = 60;

function key(k: string): string {
  return IDENTIFIER.test(k) ? k : JSON.stringify(k);
}

function inline(value: unknown): string {
  if (value instanceof Expr) return value.code;
  if (Array.isArray(value)) return `[${value.map(inline).join(", ")}]`;
  if (typeof value === "object" && value !== null) {
    const entries = Object.entries(value);
    if (entries.length === 0) return "{}";
    const members = entries.map(([k, v]) =>
      v instanceof Expr && v.code === k ? k : `${key(k)}: ${inline(v)}`,
    );
    return `{ ${members.join(", ")} }`;
  }
  return JSON.stringify(value) ?? "undefined";
}

/**
 * A JSON value as a TypeScript object literal: unquoted keys where possible, 2-space indents,
 * {@link Expr} as its source text, short objects on one line and others one member per line.
 * `column` is where the value starts on its line, so that no line grows past {@link LINE_WIDTH}.
 */
export function literal(value: unknown, indent = "", column = indent.length): string {
  const short = inline(value);
  const nested = typeof value === "object" && value !== null && !(value instanceof Expr);
  if (!nested || (short.length <= INLINE_MAX && column + short.length + 1 <= LINE_WIDTH)) {
    return short;
  }
  const inner = `${indent}  `;
  if (Array.isArray(value)) {
    if (value.length === 0) return "[]";
    return `[\n${value.map((v) => `${inner}${literal(v, inner)},`).join("\n")}\n${indent}]`;
  }
  const entries = Object.entries(value);
  const lines = entries.map(([k, v]) => {
    if (v instanceof Expr && v.code === k) return `${inner}${k},`;
    const head = `${inner}${key(k)}: `;
    return `${head}${literal(v, inner, head.length)},`;
  });
  return `{\n${lines.join("\n")}\n${indent}}`;
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
function labelLines(model: ControllerModel, root: string): string[] {
  const parent = model.parents[0];
  const schema = parent?.crd?.version.schema;
  if (model.kind === "CompositeController" && !model.generateSelector && parent) {
    const selector = hasSpecSelector(schema);
    if (selector) {
      const spec = selector.required ? `${root}.spec` : `${root}.spec?`;
      return [
        "// No generateSelector: children must carry labels that match the parent's spec.selector.",
        `const labels = { ...${spec}.selector?.matchLabels };`,
      ];
    }
  }
  const app = (parent?.kind ?? "app")
    .toLowerCase()
    .replace(/[^a-z0-9-]/g, "")
    .slice(0, 63);
  return [
    // The instance label is what keeps two parents' Pods apart in one namespace.
    `// Derived from the ${root}: two of them in one namespace never select each other's Pods.`,
    "const labels = {",
    `  "app.kubernetes.io/name": ${JSON.stringify(app || "app")},`,
    `  "app.kubernetes.io/instance": name,`,
    `  "app.kubernetes.io/managed-by": ${JSON.stringify(model.controllerName.slice(0, 63))},`,
    "};",
  ];
}

/** The name expression of the child of a kind: the parent's name and the kind. */
function childName(kind: string): string {
  return `\`\${name}-${kind.toLowerCase()}\``;
}

const WORKLOADS = new Set(["Deployment", "StatefulSet", "ReplicaSet"]);

/** The parent's spec.replicas, when its schema has an integer one. */
function replicasExpression(model: ControllerModel, root: string): string | undefined {
  if (model.kind !== "CompositeController") return undefined;
  const schema = model.parents[0]?.crd?.version.schema as
    | { properties?: { spec?: { properties?: { replicas?: { type?: string } } } } }
    | undefined;
  return schema?.properties?.spec?.properties?.replicas?.type === "integer"
    ? `${root}.spec?.replicas ?? 1`
    : undefined;
}

function desiredChild(model: ControllerModel, child: ResolvedKind, root: string): unknown {
  const parentNamespaced = model.parents.some((p) => p.namespaced);
  const metadata = {
    name: new Expr(childName(child.kind)),
    // A cluster-scoped parent cannot default a namespaced child's namespace.
    ...(child.namespaced && !parentNamespaced ? { namespace: "default" } : {}),
    labels: new Expr("labels"),
  };
  let body: { [key: string]: unknown } | undefined;
  if (child.crd) {
    const spec = (sampleFromSchema(child.crd.version.schema) as { [key: string]: unknown }).spec;
    body = spec === undefined ? {} : { spec };
  } else {
    const replicas = replicasExpression(model, root);
    body = builtinChildFields(child.kind, {
      labels: "labels",
      nameOf: childName,
      ...(replicas !== undefined ? { replicas } : {}),
    });
    if (body === undefined) {
      const {
        apiVersion: _a,
        kind: _k,
        metadata: _m,
        ...rest
      } = builtinSample(child.apiVersion, child.kind, {});
      body = rest;
    }
  }
  return { apiVersion: child.apiVersion, kind: child.kind, metadata, ...body };
}

type StatusSchema = {
  properties?: { [key: string]: unknown };
  required?: string[];
  "x-kubernetes-preserve-unknown-fields"?: boolean;
};

/**
 * The status the sync hook reports: what it observed of its children, in the fields the
 * parent's status schema declares (`observedChildren`, `readyReplicas`, as the scaffolded CRD
 * has them), plus a sample of any other required field. `undefined` when the parent has no
 * status it could write (Metacontroller then records `observedGeneration` alone).
 */
function statusLines(
  model: ControllerModel,
  root: string,
): { setup: string[]; status: string; computed: boolean } | undefined {
  const parent = model.parents[0];
  const schema = parent?.crd?.version.schema as
    | { properties?: { status?: StatusSchema }; "x-kubernetes-preserve-unknown-fields"?: boolean }
    | undefined;
  const status = schema?.properties?.status;
  const open =
    status === undefined
      ? schema?.["x-kubernetes-preserve-unknown-fields"] === true
      : status.properties === undefined || status["x-kubernetes-preserve-unknown-fields"] === true;
  if (status === undefined && !open) return undefined;
  const declares = (field: string) => open || status?.properties?.[field] !== undefined;
  const workload = model.children.find((c) => !c.crd && WORKLOADS.has(c.kind));
  const setup: string[] = [];
  const fields: { [key: string]: unknown } = {};
  if (declares("observedChildren") && model.children.length === 0) {
    fields.observedChildren = 0;
  } else if (declares("observedChildren")) {
    setup.push(
      "// Every observed child, of every kind, in the keys Metacontroller sent.",
      "const observedChildren = Object.values(children).reduce(",
      "  (n, group) => n + Object.keys(group).length,",
      "  0,",
      ");",
    );
    fields.observedChildren = new Expr("observedChildren");
  }
  if (workload && declares("readyReplicas")) {
    const namespace = workload.namespaced && !parent?.namespaced ? '"default"' : "namespace";
    if (namespace === "namespace") setup.push(`const namespace = ${root}.metadata.namespace;`);
    const args = [
      `children[${JSON.stringify(workload.groupKey)}]`,
      childName(workload.kind),
      namespace,
    ];
    const call = `const ${workload.kind.toLowerCase()} = getObject(${args.join(", ")});`;
    // Four for the hook's indent in the skeleton: one line when it fits, as a formatter would.
    setup.push(
      ...(call.length + 4 <= LINE_WIDTH
        ? [call]
        : [
            `const ${workload.kind.toLowerCase()} = getObject(`,
            ...args.map((a) => `  ${a},`),
            ");",
          ]),
    );
    fields.readyReplicas = new Expr(`${workload.kind.toLowerCase()}?.status?.readyReplicas ?? 0`);
  }
  // Required fields the skeleton cannot compute get a valid sample: replace them with yours.
  const sample = status?.properties ? (sampleFromSchema(status) as { [key: string]: unknown }) : {};
  for (const field of status?.required ?? []) {
    if (field !== "observedGeneration" && !(field in fields)) fields[field] = sample[field];
  }
  const head = "  status: ";
  const computed = "observedChildren" in fields || "readyReplicas" in fields;
  return { setup, status: `${head}${literal(fields, "  ", head.length)},`, computed };
}

function writeHook(model: ControllerModel, hook: HookName, writer: CodeBlockWriter): void {
  const composite = model.kind === "CompositeController";
  const root = composite ? "parent" : "object";
  const list = composite ? "children" : "attachments";
  const body = (head: string, lines: readonly string[]) =>
    writer.write(head).inlineBlock(() => {
      for (const line of lines) writer.writeLine(line);
    });
  if (hook === "customize") {
    const kind = model.parents[0]?.kind ?? "parent";
    body("customize(): CustomizeResponse ", [
      "// Which related objects Metacontroller sends with each sync; a function of the parent only.",
      `// For example, the ConfigMaps in the ${kind}'s namespace that carry a label:`,
      "// relatedResources: [",
      "//   {",
      '//     apiVersion: "v1",',
      '//     resource: "configmaps",',
      '//     labelSelector: { matchLabels: { "example.com/config": "true" } },',
      "//   },",
      "// ],",
      "return { relatedResources: [] };",
    ]);
    return;
  }
  if (hook === "finalize") {
    writer.writeLine(
      `// Called while the ${root} is being deleted: desire no ${list}, so Metacontroller deletes`,
    );
    writer.writeLine("// them, and report finalized once none is observed any more.");
    if (model.children.length === 0) {
      // No declared children: nothing to wait for.
      body(
        `finalize(${composite ? `{ ${root} }` : "_request"}: FinalizeRequest): FinalizeResponse `,
        [
          composite
            ? `return { status: ${root}.status ?? null, ${list}: [], finalized: true };`
            : `return { ${list}: [], finalized: true };`,
        ],
      );
      return;
    }
    const args = composite ? `{ ${root}, ${list} }` : `{ ${list} }`;
    body(`finalize(${args}: FinalizeRequest): FinalizeResponse `, [
      `const remaining = Object.values(${list}).reduce(`,
      "  (n, group) => n + Object.keys(group).length,",
      "  0,",
      ");",
      // A composite response always carries the status: an absent one would clear it.
      ...(composite
        ? [`return { status: ${root}.status ?? null, ${list}: [], finalized: remaining === 0 };`]
        : [`return { ${list}: [], finalized: remaining === 0 };`]),
    ]);
    return;
  }
  const lines: string[] = [];
  const desired = model.children.map((child) => desiredChild(model, child, root));
  const status = composite ? statusLines(model, root) : undefined;
  if (desired.length > 0) {
    lines.push(`const name = ${root}.metadata.name;`, ...labelLines(model, root));
  } else if (status?.setup.some((line) => line.includes(`${root}.`))) {
    lines.push(`const name = ${root}.metadata.name;`);
  }
  if (status) lines.push(...status.setup);
  lines.push("return {");
  if (composite) {
    lines.push(
      ...(status === undefined
        ? ["  // The CRD declares no status: Metacontroller records observedGeneration alone."]
        : status.computed
          ? ["  // Metacontroller adds status.observedGeneration itself."]
          : [
              "  // Metacontroller adds status.observedGeneration itself. To report what the children",
              "  // show, declare fields in the CRD's status schema: the API server drops others.",
            ]),
      status?.status ?? "  status: null,",
    );
  } else {
    lines.push('  labels: { "metahook.dev/decorated": "true" },');
  }
  const head = `  ${list}: `;
  lines.push(`${head}${desired.length === 0 ? "[]" : literal(desired, "  ", head.length)},`);
  lines.push("};");
  const text = lines.join("\n");
  const code = lines.filter((line) => !line.trim().startsWith("//")).join("\n");
  // Destructure only what the body reads: unused bindings fail noUnusedParameters.
  const reads = [root, list].filter((v) => new RegExp(`\\b${v}\\b(?!:)`).test(code));
  const param = reads.length > 0 ? `{ ${reads.join(", ")} }` : "_request";
  // The annotated return type makes TypeScript check each returned field where it is written.
  body(`sync(${param}: SyncRequest): SyncResponse `, text.split("\n"));
}

function hookSnippet(model: ControllerModel, hook: HookName): string {
  const p = project();
  const file = p.createSourceFile("snippet.ts", "");
  file.addStatements((writer) => writeHook(model, hook, writer));
  return file.getFullText().trim();
}

/** An import declaration, on one line when it fits, else one name per line. */
function importText(from: string, names: readonly string[]): string {
  const one = `import { ${names.join(", ")} } from ${JSON.stringify(from)};`;
  if (one.length <= LINE_WIDTH) return one;
  return `import {\n${names.map((n) => `  ${n},`).join("\n")}\n} from ${JSON.stringify(from)};`;
}

/** A comment's words, wrapped to the line width after `prefix`. */
function wrapComment(prefix: string, text: string): string[] {
  const out: string[] = [];
  let line = prefix;
  for (const word of text.split(" ")) {
    if (line !== prefix && line.length + 1 + word.length > LINE_WIDTH) {
      out.push(line);
      line = prefix;
    }
    line = line === prefix ? `${prefix}${word}` : `${line} ${word}`;
  }
  out.push(line);
  return out;
}

/** Renders the skeleton `<name>.ts` for a model that has none yet. */
export function createSkeleton(model: ControllerModel): string {
  const composite = model.kind === "CompositeController";
  const body = project().createSourceFile("body.ts", "");
  body.addStatements((writer) => {
    writer.writeLine("/**");
    const what = composite
      ? `computes the desired children and status of each ${model.parents[0]?.kind}`
      : `decorates each ${model.parents.map((x) => x.kind).join(" or ")}`;
    for (const line of wrapComment(" * ", `${model.controllerName}: ${what}.`)) {
      writer.writeLine(line);
    }
    writer.writeLine(
      " * Metacontroller calls these hooks on every change; keep them pure (same request, same response).",
    );
    const routes = declaredHooks(model).map((hook) => `/${model.name}/${hook}`);
    for (const line of wrapComment(
      " * ",
      `Served at ${routes.join(", ")} by \`metahook serve\`.`,
    )) {
      writer.writeLine(line);
    }
    writer.writeLine(" */");
    const typeArgs = [
      "Parent",
      childrenType(model),
      "Related",
      "Keying",
      `Desired${childrenType(model)}`,
    ];
    const head = `export default ${defineName(model)}<${typeArgs.join(", ")}>(`;
    const open =
      head.length + 1 <= LINE_WIDTH
        ? head
        : `export default ${defineName(model)}<\n  ${typeArgs.join(",\n  ")},\n>(`;
    writer.write(open).inlineBlock(() => {
      writer.writeLine("clusterScopedKinds,");
      writer.writeLine("models,");
      for (const hook of declaredHooks(model)) {
        writeHook(model, hook, writer);
        writer.write(",").newLine();
      }
    });
    writer.write(");").newLine();
  });
  const text = body.getFullText();
  const runtime = [
    defineName(model),
    ...["getObject", "listObjects"].filter((f) => text.includes(`${f}(`)),
  ];
  const generated = [
    "clusterScopedKinds",
    "models",
    ...[
      childrenType(model),
      `Desired${childrenType(model)}`,
      "Keying",
      "Parent",
      "Related",
      ...declaredHooks(model).flatMap((hook) => hookTypes(model, hook)),
    ].map((name) => `type ${name}`),
  ];
  return `${importText("@metahook/runtime", runtime)}\n${importText(`./${model.name}.generated.js`, generated)}\n\n${text.trimStart()}`;
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

function testParent(
  model: ControllerModel,
  name: string,
  uid: string,
  app: string,
): { [key: string]: unknown } {
  const composite = model.kind === "CompositeController";
  const parent = model.parents[0];
  const parentNamespaced = parent?.namespaced ?? true;
  const metadata = {
    name,
    ...(parentNamespaced ? { namespace: "default" } : {}),
    uid,
    generation: 1,
  };
  let sample: { [key: string]: unknown } = parent?.crd
    ? { apiVersion: parent.apiVersion, kind: parent.kind, metadata }
    : builtinSample(parent?.apiVersion ?? "v1", parent?.kind ?? "ConfigMap", metadata);
  if (parent?.crd) {
    const overrides = new Map<string, unknown>();
    if (composite && !model.generateSelector && hasSpecSelector(parent.crd.version.schema)) {
      overrides.set("spec.selector", { matchLabels: { app } });
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
  return sample;
}

/**
 * Renders the skeleton's test `<name>.test.ts`: sync converges (fed its children back, it gives
 * the same answer, every child valid against its schema), two parents in one namespace do not
 * collide, and a case per other declared hook.
 */
export function createTest(model: ControllerModel): string {
  const composite = model.kind === "CompositeController";
  const root = composite ? "parent" : "object";
  const kind = model.parents[0]?.kind ?? "parent";
  const count = model.children.length;
  const first = testParent(model, "example", "00000000-0000-4000-8000-000000000001", "example");
  const second = testParent(model, "other", "00000000-0000-4000-8000-000000000002", "other");
  const it = (title: string, lines: string[]) => [
    `it(${JSON.stringify(title)}, async () => {`,
    ...lines.map((line) => `  ${line}`),
    "});",
  ];
  // One member per line: the call stays readable and within the line width.
  const run = (binding: string, parent: string, extra: readonly string[] = []) => [
    `const ${binding} = await converge(controller, {`,
    "  controller: controllerManifest,",
    parent === "parent" ? "  parent," : `  parent: ${parent},`,
    "  kinds,",
    ...extra.map((line) => `  ${line},`),
    "});",
  ];
  const cases: string[][] = [
    it("sync settles: fed its children back, it answers the same", [
      "// invokeHook, under converge, refuses a child or status its schema does not accept.",
      ...run("result", root),
      'expect(result.settled, result.difference.join("\\n")).toBe(true);',
      "const [firstAnswer, secondAnswer] = result.rounds.slice(-2).map((round) => round.response);",
      "expect(secondAnswer).toEqual(firstAnswer);",
      `// One child of each declared kind.`,
      // The array's continuation lines are absolute: inside describe and it, four spaces.
      `expect(result.observed.map((child) => child.kind).sort()).toEqual(${literal(
        model.children.map((c) => c.kind).sort(),
        "    ",
        71,
      )});`,
    ]),
    it(`two ${kind}s in one namespace do not collide`, [
      ...run("first", root),
      ...run("second", "other"),
      "const mine = first.observed;",
      "const theirs = second.observed;",
      "const names = new Set(mine.map(identity));",
      "expect(theirs.map(identity).filter((id) => names.has(id))).toEqual([]);",
      "// No selector of one parent's children selects the other's labelled objects.",
      "for (const selector of mine.flatMap(selectors)) {",
      "  for (const labels of theirs.flatMap(labelSets)) {",
      "    expect(matchesSelector(selector, labels), JSON.stringify({ selector, labels })).toBe(false);",
      "  }",
      "}",
    ]),
  ];
  if (model.hooks.finalize) {
    cases.push(
      it("finalize waits for the children to go, then reports finalized", [
        ...run("live", root),
        ...run("result", root, ["observed: live.observed", "finalizing: true"]),
        "const answers = result.rounds.map((round) => round.response as { finalized?: boolean });",
        ...(count > 0 ? ["expect(answers[0]?.finalized).toBe(false);"] : []),
        "expect(answers.at(-1)?.finalized).toBe(true);",
        "expect(result.observed).toEqual([]);",
      ]),
    );
  }
  if (model.hooks.customize) {
    cases.push(
      it("customize declares the related objects", [
        `const request = buildCustomizeRequest({ controller: controllerManifest, parent: ${root} });`,
        "const response = await invokeHook(controller, request);",
        "expect(response.relatedResources).toEqual([]);",
      ]),
    );
  }
  const testing = [
    ...(model.hooks.customize ? ["buildCustomizeRequest"] : []),
    "converge",
    ...(model.hooks.customize ? ["invokeHook"] : []),
  ];
  const lines = [
    importText("@metahook/runtime", [
      "isEmptySelector",
      "type KubeObject",
      "type LabelSelector",
      "matchesSelector",
    ]),
    importText("@metahook/runtime/testing", testing),
    importText("vitest", ["describe", "expect", "it"]),
    importText(`./${model.name}.generated.js`, ["controllerManifest", "kinds", "type Parent"]),
    `import controller from "./${model.name}.js";`,
    "",
    `const ${root}: Parent = ${literal(first)};`,
    "",
    `// A second ${kind} in the same namespace.`,
    `const other: Parent = ${literal(second)};`,
    "",
    "/** Kind, namespace and name: what makes two objects one. */",
    "function identity(object: KubeObject): string {",
    // biome-ignore lint/suspicious/noTemplateCurlyInString: source text of the generated test
    '  return `${object.kind}/${object.metadata?.namespace ?? ""}/${object.metadata?.name}`;',
    "}",
    "",
    "type Selecting = { spec?: { selector?: LabelSelector | { [key: string]: string } } };",
    "",
    "/** The label selector of an object that selects others (a workload's, a Service's). */",
    "function selectors(object: KubeObject): LabelSelector[] {",
    "  const selector = (object as Selecting).spec?.selector;",
    "  if (selector === undefined) return [];",
    "  // A Service's selector is a plain label map; a workload's a LabelSelector.",
    "  const labelSelector: LabelSelector =",
    '    "matchLabels" in selector || "matchExpressions" in selector',
    "      ? (selector as LabelSelector)",
    "      : { matchLabels: selector as { [key: string]: string } };",
    "  return isEmptySelector(labelSelector) ? [] : [labelSelector];",
    "}",
    "",
    "type Templated = { spec?: { template?: { metadata?: { labels?: { [key: string]: string } } } } };",
    "",
    "/** The label sets an object carries: its own, and its Pod template's. */",
    "function labelSets(object: KubeObject): { [key: string]: string }[] {",
    "  const template = (object as Templated).spec?.template?.metadata?.labels;",
    "  return [object.metadata?.labels ?? {}, ...(template ? [template] : [])];",
    "}",
    "",
    `describe(${JSON.stringify(model.name)}, () => {`,
    ...cases.flatMap((c, i) => [...(i > 0 ? [""] : []), ...c.map((line) => `  ${line}`)]),
    "});",
    "",
  ];
  return lines.join("\n");
}
