// Stage 3 — model: one CRD version → named declarations with rendered type expressions.
// Names are allocated breadth-first, so the shortest path to a subschema names it, and
// structurally identical subschemas share the name of their first occurrence.
import { CrdTypesError } from "./errors.js";
import { NameAllocator, pascalCase, typeNameForKind } from "./names.js";
import type { Crd, CrdVersion } from "./normalise.js";
import { type Alternative, type SchemaNode, SchemaReader } from "./schema.js";
import type { Doc, DocTag } from "./tsdoc.js";
import { toValidationSchema } from "./validation.js";

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
  const modelName = `${typeName}Model`;
  const guardName = `is${typeName}`;
  const validateName = `validate${typeName}`;
  const specName = `${typeName}Spec`;
  const statusName = `${typeName}Status`;
  for (const n of [typeName, listName, modelName, guardName, validateName, specName, statusName])
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
  const notes: string[] = [];
  const validationSchema = toValidationSchema(
    version.schema,
    apiVersion,
    crd.kind,
    (path, detail) => {
      notes.push(`${crd.file}: CRD ${crd.name} version ${version.name}: ${path}: ${detail}`);
    },
  );
  const decls = builder.decls;
  return {
    crd,
    version,
    apiVersion,
    typeName,
    listName,
    modelName,
    guardName,
    validateName,
    imports,
    decls,
    typeNames: [...decls.map((d) => d.name), listName],
    valueNames: [modelName, guardName, validateName],
    validationSchema,
    notes,
  };
}

interface Pending {
  readonly node: SchemaNode;
  readonly name: string;
  /** Whether the first occurrence is a property (its doc then sits on the property, not the type). */
  readonly viaProperty: boolean;
}

const NO_DOC: Doc = { tags: [] };

class DeclBuilder {
  readonly decls: Decl[] = [];
  readonly #names: NameAllocator;
  readonly #objectMeta: string;
  readonly #named = new Map<number, string>();
  readonly #queue: Pending[] = [];

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
        this.#queue.push({ node: child, name: fixed, viaProperty: true });
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

  drain(): void {
    for (let i = 0; i < this.#queue.length; i++) {
      const pending = this.#queue[i];
      if (pending !== undefined) this.#declare(pending);
    }
  }

  /** The type expression for `node`; object shapes are named `suggested` (or shared). */
  typeOf(node: SchemaNode, suggested: string, viaProperty: boolean): string {
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
      type = this.#ref(node, suggested, viaProperty);
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
              : `${element(this.typeOf(node.items, suggested, false))}[]`;
          break;
        case "object":
          type = this.#mapType(node, suggested);
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

  #mapType(node: SchemaNode, suggested: string): string {
    if (node.additional !== undefined && node.additional !== true) {
      return `{ [key: string]: ${this.typeOf(node.additional, `${suggested}Value`, false)} }`;
    }
    if (node.additional === true || node.preserveUnknownFields) return "{ [key: string]: unknown }";
    // An object schema without properties: the API server prunes every field it is given.
    return "{ [key: string]: never }";
  }

  #ref(node: SchemaNode, suggested: string, viaProperty: boolean): string {
    let name = this.#named.get(node.id);
    if (name === undefined) {
      name = this.#names.allocate(suggested);
      this.#named.set(node.id, name);
      this.#queue.push({ node, name, viaProperty });
    }
    return name;
  }

  #declare({ node, name, viaProperty }: Pending): void {
    const doc = viaProperty ? NO_DOC : docOf(node);
    const members: Member[] = [];
    const typeOfKey = new Map<string, string>();
    for (const [key, child] of node.properties) {
      const type = this.typeOf(child, `${name}${pascalCase(key) || "Field"}`, true);
      typeOfKey.set(key, type);
      members.push({ key, optional: !node.required.includes(key), type, doc: docOf(child) });
    }
    if (node.embeddedResource) addEmbeddedMembers(members, this.#objectMeta);
    let index: string | undefined;
    if (node.additional !== undefined && node.additional !== true && members.length === 0) {
      index = this.typeOf(node.additional, `${name}Value`, false);
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
