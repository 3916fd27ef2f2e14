// Stage 3 — model: one CRD version → named declarations with rendered type expressions.
// Names are allocated breadth-first, so the shortest path to a subschema names it, and
// structurally identical subschemas share the name of their first occurrence.
import { CrdTypesError } from "./errors.js";
import { NameAllocator, pascalCase, typeNameForKind } from "./names.js";
import type { Crd, CrdVersion } from "./normalise.js";
import { type Alternative, type SchemaNode, SchemaReader } from "./schema.js";
import type { Doc, DocTag } from "./tsdoc.js";
import { type CelSummary, toValidationSchema } from "./validation.js";

/** One property of an interface. */
export interface Member {
  readonly key: string;
  readonly optional: boolean;
  readonly type: string;
  readonly doc: Doc;
}

/** A named declaration of the generated module. */
export type Decl =
  | {
      readonly kind: "interface";
      readonly name: string;
      readonly doc: Doc;
      readonly members: readonly Member[];
      /** Value type of the `[key: string]` index signature, when the schema allows other keys. */
      readonly index: string | undefined;
    }
  | { readonly kind: "alias"; readonly name: string; readonly doc: Doc; readonly type: string };

/** Local names of what a version module imports. */
export interface Imports {
  readonly objectMeta: string;
  readonly listMeta: string;
  readonly defineModel: string;
  readonly resourceModel: string;
}

/** Everything the emitter needs for one `<group>/<version>/<Kind>.ts`. */
export interface VersionModel {
  readonly crd: Crd;
  readonly version: CrdVersion;
  readonly apiVersion: string;
  readonly typeName: string;
  /** `<Kind>Input`: the object as written, defaulted fields optional. */
  readonly inputName: string;
  readonly listName: string;
  readonly modelName: string;
  readonly guardName: string;
  readonly validateName: string;
  readonly imports: Imports;
  readonly decls: readonly Decl[];
  /** Names of every exported type, in declaration order. */
  readonly typeNames: readonly string[];
  /** Names of every exported value. */
  readonly valueNames: readonly string[];
  /** The schema the runtime model validates with (Kubernetes extensions translated for ajv). */
  readonly validationSchema: unknown;
  /** CEL rules the runtime model evaluates, and those it does not (with reasons). */
  readonly cel: CelSummary;
  readonly notes: readonly string[];
}

/** Builds the model of one served version of `crd`. */
export function modelVersion(crd: Crd, version: CrdVersion): VersionModel {
  const location = { file: crd.file, crd: crd.name, version: version.name };
  const read = new SchemaReader(location).read(version.schema, "");
  // The API server accepts a root that only says x-kubernetes-preserve-unknown-fields: true
  // (Metacontroller's daemonjob and indexedjob examples ship such CRDs): an open object.
  const root =
    read.type === undefined && read.preserveUnknownFields
      ? { ...read, type: "object" as const }
      : read;
  if (root.type !== "object") {
    throw new CrdTypesError(
      "INVALID_SCHEMA",
      "the root of openAPIV3Schema must have type: object",
      {
        ...location,
        path: "openAPIV3Schema.type",
      },
    );
  }
  const typeName = typeNameForKind(crd.kind);
  const names = new NameAllocator();
  const listName = `${typeName}List`;
  const inputName = `${typeName}Input`;
  const modelName = `${typeName}Model`;
  const guardName = `is${typeName}`;
  const validateName = `validate${typeName}`;
  const specName = `${typeName}Spec`;
  const statusName = `${typeName}Status`;
  for (const n of [
    typeName,
    inputName,
    listName,
    modelName,
    guardName,
    validateName,
    specName,
    statusName,
  ])
    names.reserve(n);
  const local = (wanted: string): string => {
    let name = wanted;
    while (names.has(name)) name = `${name}_`;
    names.reserve(name);
    return name;
  };
  const imports: Imports = {
    objectMeta: local("IObjectMeta"),
    listMeta: local("IListMeta"),
    defineModel: local("defineModel"),
    resourceModel: local("ResourceModel"),
  };
  const builder = new DeclBuilder(names, imports.objectMeta);
  const apiVersion = `${crd.group}/${version.name}`;
  builder.root(root, typeName, apiVersion, crd.kind, version, specName, statusName);
  builder.drain();
  // Input twins are named after every observed type, so adding them never renames one.
  builder.inputRoot(root, typeName, inputName);
  builder.drain();
  const notes: string[] = [];
  const cel: CelSummary = { evaluated: 0, unchecked: [] };
  const validationSchema = toValidationSchema(
    version.schema,
    apiVersion,
    crd.kind,
    (path, detail) => {
      notes.push(`${crd.file}: CRD ${crd.name} version ${version.name}: ${path}: ${detail}`);
    },
    cel,
  );
  if (cel.unchecked.length > 0) {
    const reasons = new Map<string, number>();
    for (const { reason } of cel.unchecked) {
      const kind = reason.split(":")[0] ?? reason;
      reasons.set(kind, (reasons.get(kind) ?? 0) + 1);
    }
    notes.push(
      `${crd.file}: CRD ${crd.name} version ${version.name}: ${cel.unchecked.length} of ${cel.unchecked.length + cel.evaluated} CEL rules not checked at runtime (${[
        ...reasons,
      ]
        .map(([reason, n]) => `${n}× ${reason}`)
        .join("; ")}); ${modelName}.uncheckedRules() lists them`,
    );
  }
  const decls = builder.decls;
  return {
    crd,
    version,
    apiVersion,
    typeName,
    inputName,
    listName,
    modelName,
    guardName,
    validateName,
    imports,
    decls,
    typeNames: [...decls.map((d) => d.name), listName],
    valueNames: [modelName, guardName, validateName],
    validationSchema,
    cel,
    notes,
  };
}

interface Pending {
  readonly node: SchemaNode;
  readonly name: string;
  /** Whether the first occurrence is a property (its doc then sits on the property, not the type). */
  readonly viaProperty: boolean;
  /** The input twin (defaulted fields optional) of an observed type. */
  readonly input: boolean;
  /** The observed type's name, for the input twin's doc. */
  readonly observed: string;
}

const NO_DOC: Doc = { tags: [] };

class DeclBuilder {
  readonly decls: Decl[] = [];
  readonly #names: NameAllocator;
  readonly #objectMeta: string;
  readonly #named = new Map<number, string>();
  readonly #inputNamed = new Map<number, string>();
  readonly #differs = new Map<number, boolean>();
  readonly #queue: Pending[] = [];
  #drained = 0;

  constructor(names: NameAllocator, objectMeta: string) {
    this.#names = names;
    this.#objectMeta = objectMeta;
  }

  root(
    node: SchemaNode,
    name: string,
    apiVersion: string,
    kind: string,
    version: CrdVersion,
    specName: string,
    statusName: string,
  ): void {
    const members: Member[] = [];
    const byKey = new Map(node.properties);
    const docOfKey = (key: string): Doc => {
      const child = byKey.get(key);
      return child === undefined ? NO_DOC : docOf(child);
    };
    members.push({
      key: "apiVersion",
      optional: false,
      type: JSON.stringify(apiVersion),
      doc: docOfKey("apiVersion"),
    });
    members.push({
      key: "kind",
      optional: false,
      type: JSON.stringify(kind),
      doc: docOfKey("kind"),
    });
    members.push({
      key: "metadata",
      optional: !node.required.includes("metadata"),
      type: this.#objectMeta,
      doc: docOfKey("metadata"),
    });
    const deferred: (() => void)[] = [];
    for (const [key, child] of node.properties) {
      if (key === "apiVersion" || key === "kind" || key === "metadata") continue;
      const fixed = key === "spec" ? specName : key === "status" ? statusName : undefined;
      let type: string;
      if (fixed === undefined) {
        type = this.typeOf(child, `${name}${pascalCase(key) || "Field"}`, true);
      } else if (needsDecl(child) && !this.#named.has(child.id)) {
        this.#named.set(child.id, fixed);
        this.#queue.push({
          node: child,
          name: fixed,
          viaProperty: true,
          input: false,
          observed: fixed,
        });
        type = fixed;
      } else {
        // Spec and status are always exported under their fixed names, even when inline.
        const inline = () => this.typeOf(child, fixed, true);
        deferred.push(() =>
          this.decls.push({ kind: "alias", name: fixed, doc: NO_DOC, type: inline() }),
        );
        type = fixed;
      }
      members.push({ key, optional: !node.required.includes(key), type, doc: docOf(child) });
    }
    const tags: DocTag[] = [...node.tags];
    if (version.deprecated)
      tags.push({
        name: "deprecated",
        value: version.deprecationWarning ?? `${apiVersion} ${kind} is deprecated.`,
      });
    this.decls.push({
      kind: "interface",
      name,
      doc: { description: node.description, tags },
      members,
      index: node.preserveUnknownFields || node.additional !== undefined ? "unknown" : undefined,
    });
    for (const run of deferred) run();
  }

  /**
   * Declares `<Kind>Input`: the root as a user writes it. A field with a default is optional (the
   * API server fills it in before validating), and so, through input twins named `<Type>Input`,
   * is every defaulted field below it; a subtree without defaults keeps its observed type.
   */
  inputRoot(node: SchemaNode, observed: string, name: string): void {
    const doc: Doc = {
      description: `{@link ${observed}} as written in a manifest or returned as a desired object: fields with a default may be left out, since the API server applies defaults before validating. Objects read from the API server are {@link ${observed}}.`,
      tags: [],
    };
    if (!this.#differs_(node)) {
      this.decls.push({ kind: "alias", name, doc, type: observed });
      return;
    }
    const observedDecl = this.decls.find((d) => d.name === observed);
    if (observedDecl === undefined || observedDecl.kind !== "interface") return;
    const byKey = new Map(node.properties);
    const members = observedDecl.members.map((member): Member => {
      const child = byKey.get(member.key);
      if (
        child === undefined ||
        member.key === "apiVersion" ||
        member.key === "kind" ||
        member.key === "metadata"
      )
        return member;
      const optional = member.optional || child.hasDefault;
      if (!this.#differs_(child)) return { ...member, optional };
      return { ...member, optional, type: this.typeOf(child, member.type, true, true) };
    });
    this.decls.push({ kind: "interface", name, doc, members, index: observedDecl.index });
  }

  /** Whether the input twin of `node` differs from its observed type (a required default at or below it). */
  #differs_(node: SchemaNode): boolean {
    let differs = this.#differs.get(node.id);
    if (differs === undefined) {
      // Only a required field with a default changes; an optional one is optional either way.
      differs =
        node.properties.some(
          ([key, child]) =>
            (child.hasDefault && node.required.includes(key)) || this.#differs_(child),
        ) ||
        (node.items !== undefined && this.#differs_(node.items)) ||
        (node.additional !== undefined &&
          node.additional !== true &&
          this.#differs_(node.additional));
      this.#differs.set(node.id, differs);
    }
    return differs;
  }

  drain(): void {
    for (; this.#drained < this.#queue.length; this.#drained++) {
      const pending = this.#queue[this.#drained];
      if (pending !== undefined) this.#declare(pending);
    }
  }

  /**
   * The type expression for `node`; object shapes are named `suggested` (or shared). With
   * `input`, types that contain a default are their input twins.
   */
  typeOf(node: SchemaNode, suggested: string, viaProperty: boolean, input = false): string {
    let type: string;
    if (
      node.enumValues !== undefined &&
      node.enumValues.length > 0 &&
      node.enumValues.every(isLiteral)
    ) {
      type = [...new Set(node.enumValues.map(literal))].join(" | ");
    } else if (node.intOrString) {
      type = "number | string";
    } else if (needsDecl(node)) {
      type = this.#ref(node, suggested, viaProperty, input);
    } else {
      switch (node.type) {
        case "string":
          type = "string";
          break;
        case "integer":
        case "number":
          type = "number";
          break;
        case "boolean":
          type = "boolean";
          break;
        case "array":
          type =
            node.items === undefined
              ? "unknown[]"
              : `${element(this.typeOf(node.items, suggested, false, input))}[]`;
          break;
        case "object":
          type = this.#mapType(node, suggested, input);
          break;
        default:
          // Typeless nodes reach here only with x-kubernetes-preserve-unknown-fields: any JSON value.
          type = "unknown";
      }
    }
    if (node.nullable && !/(^| )null( |$)/.test(type) && type !== "unknown")
      type = `${type} | null`;
    return type;
  }

  #mapType(node: SchemaNode, suggested: string, input: boolean): string {
    if (node.additional !== undefined && node.additional !== true) {
      return `{ [key: string]: ${this.typeOf(node.additional, `${suggested}Value`, false, input)} }`;
    }
    if (node.additional === true || node.preserveUnknownFields) return "{ [key: string]: unknown }";
    // An object schema without properties: the API server prunes every field it is given.
    return "{ [key: string]: never }";
  }

  #ref(node: SchemaNode, suggested: string, viaProperty: boolean, input: boolean): string {
    let name = this.#named.get(node.id);
    if (name === undefined) {
      name = this.#names.allocate(suggested);
      this.#named.set(node.id, name);
      this.#queue.push({ node, name, viaProperty, input: false, observed: name });
    }
    if (!input || !this.#differs_(node)) return name;
    let twin = this.#inputNamed.get(node.id);
    if (twin === undefined) {
      twin = this.#names.allocate(`${name}Input`);
      this.#inputNamed.set(node.id, twin);
      this.#queue.push({ node, name: twin, viaProperty, input: true, observed: name });
    }
    return twin;
  }

  #declare({ node, name, viaProperty, input, observed }: Pending): void {
    const doc = input
      ? {
          description: `{@link ${observed}} as written: fields with a default may be left out.`,
          tags: [],
        }
      : viaProperty
        ? NO_DOC
        : docOf(node);
    const members: Member[] = [];
    const typeOfKey = new Map<string, string>();
    for (const [key, child] of node.properties) {
      const type = this.typeOf(child, `${observed}${pascalCase(key) || "Field"}`, true, input);
      typeOfKey.set(key, type);
      const optional = !node.required.includes(key) || (input && child.hasDefault);
      members.push({ key, optional, type, doc: docOf(child) });
    }
    if (node.embeddedResource) addEmbeddedMembers(members, this.#objectMeta);
    let index: string | undefined;
    if (node.additional !== undefined && node.additional !== true && members.length === 0) {
      index = this.typeOf(node.additional, `${observed}Value`, false, input);
    } else if (node.additional !== undefined || node.preserveUnknownFields) {
      index = "unknown";
    }
    const union = alternativesType(node, typeOfKey);
    if (union === undefined) {
      this.decls.push({ kind: "interface", name, doc, members, index });
      return;
    }
    const fields = this.#names.allocate(`${name}Fields`);
    this.decls.push({ kind: "alias", name, doc, type: `${fields} & ${union}` });
    this.decls.push({ kind: "interface", name: fields, doc: NO_DOC, members, index });
  }
}

function addEmbeddedMembers(members: Member[], objectMeta: string): void {
  const set = (key: string, optional: boolean, type: string): void => {
    const i = members.findIndex((m) => m.key === key);
    const doc = i === -1 ? NO_DOC : (members[i]?.doc ?? NO_DOC);
    const member = { key, optional, type, doc };
    if (i === -1) members.unshift(member);
    else members[i] = member;
  };
  // Reverse order because unshift: the result reads apiVersion, kind, metadata.
  set("metadata", true, objectMeta);
  set("kind", false, "string");
  set("apiVersion", false, "string");
}

/** Whether `node` is rendered as a named interface (or alias) rather than inline. */
function needsDecl(node: SchemaNode): boolean {
  if (node.embeddedResource) return true;
  if (node.type !== "object") return false;
  return node.properties.length > 0 || unionGroups(node).length > 0;
}

function unionGroups(node: SchemaNode): { alts: readonly Alternative[]; exclusive: boolean }[] {
  const groups: { alts: readonly Alternative[]; exclusive: boolean }[] = [];
  for (const [alts, exclusive] of [
    [node.oneOf, true],
    [node.anyOf, false],
  ] as const) {
    // An alternative that does not constrain the shape accepts every object, so the group adds nothing.
    if (alts === undefined || alts.some((a) => a.kind === "open")) continue;
    groups.push({ alts, exclusive });
  }
  return groups;
}

function alternativesType(
  node: SchemaNode,
  typeOfKey: ReadonlyMap<string, string>,
): string | undefined {
  const groups = unionGroups(node);
  if (groups.length === 0) return undefined;
  const parts = groups.map(({ alts, exclusive }) => {
    // `never` for the other keys is exact only when each alternative is "exactly this key present".
    const singleKey =
      exclusive &&
      alts.every((a) =>
        a.kind === "required" ? a.pure && a.keys.length === 1 : a.kind === "none",
      );
    const allKeys = [...new Set(alts.flatMap((a) => (a.kind === "open" ? [] : a.keys)))];
    const variants = alts.map((alt) => {
      if (alt.kind === "open") return "";
      const fields: string[] = [];
      if (alt.kind === "required") {
        for (const key of alt.keys)
          fields.push(`${propertyKeyOf(key)}: ${typeOfKey.get(key) ?? "unknown"}`);
        if (singleKey)
          for (const key of allKeys)
            if (!alt.keys.includes(key)) fields.push(`${propertyKeyOf(key)}?: never`);
      } else {
        for (const key of alt.keys) fields.push(`${propertyKeyOf(key)}?: never`);
      }
      return `{ ${fields.join("; ")} }`;
    });
    return `(${[...new Set(variants)].join(" | ")})`;
  });
  return parts.join(" & ");
}

function propertyKeyOf(key: string): string {
  return /^[A-Za-z_$][A-Za-z0-9_$]*$/.test(key) ? key : JSON.stringify(key);
}

function docOf(node: SchemaNode): Doc {
  const tags: DocTag[] = [...node.tags];
  const paragraphs: string[] = node.description === undefined ? [] : [node.description];
  // Constraints on array items and map values belong to the property when those are inline.
  const nested = (child: SchemaNode | true | undefined, label: string): void => {
    if (child === undefined || child === true || needsDecl(child)) return;
    const inner = docOf(child);
    if (inner.description !== undefined) paragraphs.push(`${label}: ${inner.description}`);
    for (const tag of inner.tags)
      tags.push({ name: tag.name, value: `(${label.toLowerCase()}) ${tag.value}` });
  };
  nested(node.items, "Items");
  nested(node.additional, "Values");
  return { description: paragraphs.length === 0 ? undefined : paragraphs.join("\n\n"), tags };
}

function isLiteral(value: unknown): boolean {
  return (
    typeof value === "string" ||
    typeof value === "boolean" ||
    value === null ||
    (typeof value === "number" && Number.isFinite(value))
  );
}

function literal(value: unknown): string {
  return typeof value === "string" ? JSON.stringify(value) : String(value);
}

/** `type` as an array element: parenthesised unless it is a single name, array or object literal. */
function element(type: string): string {
  if (/^[A-Za-z0-9_$]+(\[\])*$/.test(type)) return type;
  if (type.startsWith("{") && closingBrace(type) === type.length - 1) return type;
  return `(${type})`;
}

function closingBrace(type: string): number {
  let depth = 0;
  let quote = false;
  for (let i = 0; i < type.length; i++) {
    const c = type[i];
    if (quote) {
      if (c === "\\") i++;
      else if (c === '"') quote = false;
    } else if (c === '"') quote = true;
    else if (c === "{") depth++;
    else if (c === "}" && --depth === 0) return i;
  }
  return -1;
}
