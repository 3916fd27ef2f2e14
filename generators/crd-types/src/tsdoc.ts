// Rendering of TSDoc comments. Every piece of schema text passes through `commentText`, which is
// the single place that guarantees no description can end the comment or inject code.

/** One block tag: `@name value`. The value may span several lines. */
export interface DocTag {
  readonly name: string;
  readonly value: string;
}

/** Description and tags of one declaration or property. */
export interface Doc {
  readonly description?: string;
  readonly tags: readonly DocTag[];
}

/**
 * Makes arbitrary text safe inside a `/** … *\/` block: `*\/` cannot close the comment, line
 * breaks are normalised, and a line starting with `@` is escaped so it is not read as a tag.
 */
export function commentText(text: string): string[] {
  return text
    .replace(/\r\n?|[\u2028\u2029]/g, "\n")
    .replace(/\*\//g, "*\\/")
    .split("\n")
    .map((line) => line.replace(/\s+$/, "").replace(/^(\s*)@/, "$1\\@"));
}

/** Renders `doc` as comment lines indented by `indent`, or nothing when the doc is empty. */
export function renderDoc(doc: Doc, indent: string): string {
  const body: string[] = [];
  if (doc.description !== undefined && doc.description.trim() !== "") {
    body.push(...trimBlankEdges(commentText(doc.description)));
  }
  if (doc.tags.length > 0) {
    if (body.length > 0) body.push("");
    for (const tag of doc.tags) {
      const [first = "", ...rest] = commentText(tag.value);
      body.push(first === "" ? `@${tag.name}` : `@${tag.name} ${first}`);
      // Continuation lines are indented so they read as part of the tag, never as a new one.
      for (const line of rest) body.push(line === "" ? "" : `  ${line}`);
    }
  }
  if (body.length === 0) return "";
  const lines = body.map((line) => (line === "" ? `${indent} *` : `${indent} * ${line}`));
  return `${indent}/**\n${lines.join("\n")}\n${indent} */\n`;
}

function trimBlankEdges(lines: string[]): string[] {
  let start = 0;
  let end = lines.length;
  while (start < end && lines[start]?.trim() === "") start++;
  while (end > start && lines[end - 1]?.trim() === "") end--;
  return lines.slice(start, end);
}
