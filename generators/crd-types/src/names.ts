// Identifier rules shared by the model and the emitter.

const IDENTIFIER = /^[A-Za-z_$][A-Za-z0-9_$]*$/;

// Words that cannot name an interface or type alias: ECMAScript reserved words plus the
// TypeScript predefined type names ("Interface name cannot be 'string'").
const RESERVED_TYPE_NAMES = new Set([
  "break",
  "case",
  "catch",
  "class",
  "const",
  "continue",
  "debugger",
  "default",
  "delete",
  "do",
  "else",
  "enum",
  "export",
  "extends",
  "false",
  "finally",
  "for",
  "function",
  "if",
  "import",
  "in",
  "instanceof",
  "new",
  "null",
  "return",
  "super",
  "switch",
  "this",
  "throw",
  "true",
  "try",
  "typeof",
  "var",
  "void",
  "while",
  "with",
  "implements",
  "interface",
  "let",
  "package",
  "private",
  "protected",
  "public",
  "static",
  "yield",
  "await",
  "any",
  "unknown",
  "never",
  "string",
  "number",
  "boolean",
  "symbol",
  "bigint",
  "object",
  "undefined",
  "intrinsic",
]);

/** Whether `name` can be written as an unquoted property name. */
export function isIdentifier(name: string): boolean {
  return IDENTIFIER.test(name);
}

/** A property key as it must appear in an interface: verbatim, quoted only when necessary. */
export function propertyKey(name: string): string {
  return isIdentifier(name) ? name : JSON.stringify(name);
}

/** Upper-cases the first letter of every alphanumeric run: `port-name` → `PortName`. */
export function pascalCase(text: string): string {
  let out = "";
  for (const part of text.split(/[^A-Za-z0-9]+/)) {
    if (part === "") continue;
    out += part.charAt(0).toUpperCase() + part.slice(1);
  }
  return out;
}

/**
 * The TypeScript name for a CRD kind: the kind itself when it is a usable type name, otherwise
 * its PascalCase form (so a kind `class` becomes `Class`), falling back to a suffix.
 */
export function typeNameForKind(kind: string): string {
  if (isIdentifier(kind) && !RESERVED_TYPE_NAMES.has(kind)) return kind;
  let name = pascalCase(kind);
  if (name === "" || /^[0-9]/.test(name)) name = `Kind${name}`;
  return RESERVED_TYPE_NAMES.has(name) ? `${name}_` : name;
}

/** Allocates unique names deterministically: the first request gets `base`, later ones `base2`, `base3`… */
export class NameAllocator {
  readonly #used = new Set<string>();

  /** Marks `name` as taken without allocating it. */
  reserve(name: string): void {
    this.#used.add(name);
  }

  /** Whether `name` is taken. */
  has(name: string): boolean {
    return this.#used.has(name);
  }

  /** Takes and returns `base`, or the first of `base2`, `base3`… that is free. */
  allocate(base: string): string {
    let name = base;
    for (let i = 2; this.#used.has(name); i++) name = `${base}${i}`;
    this.#used.add(name);
    return name;
  }
}
