// The one log line of each answered hook call, written without pino's generic serializer when
// the logger is the hook server's own (whose format is known): on a small call pino's line costs
// about as much as the guards. Everything else (warnings, errors, user loggers) goes through pino.

/**
 * Writes the info line of an answered call to a logger's destination, as the logger would:
 * `bindings` from {@link callBindings}, the time as the logger's `timestamp` writes it.
 */
export type LineWriter = (bindings: string, fields: CallLineFields, msg: string) => void;

const writers = new WeakMap<object, LineWriter>();

/** Declares that `write` may stand for `logger`'s `child(bindings).info(fields, msg)`. */
export function registerLineWriter(logger: object, write: LineWriter): void {
  writers.set(logger, write);
}

/** The writer registered for `logger`, if any. */
export function lineWriterOf(logger: object): LineWriter | undefined {
  return writers.get(logger);
}

/** The fields of an answered call's line, in the order pino writes them. */
export interface CallLineFields {
  parent: string | undefined;
  observed: number | undefined;
  desired: number | undefined;
  statusCode: number;
  outcome: string;
  durationMs: number;
}

const field = (name: string, value: string | number | undefined): string =>
  value === undefined
    ? ""
    : `,"${name}":${typeof value === "string" ? JSON.stringify(value) : value}`;

/**
 * The line pino writes for `child({controller, hook}).info(fields, msg)` with `base: undefined`
 * and the `time` text `time` (e.g. {@link isoTimeCached}'s `,"time":"..."`).
 */
export function callLine(
  time: string,
  bindings: string,
  fields: CallLineFields,
  msg: string,
): string {
  return `{"level":30${time}${bindings}${field("parent", fields.parent)}${field("observed", fields.observed)}${field("desired", fields.desired)},"statusCode":${fields.statusCode},"outcome":${JSON.stringify(fields.outcome)},"durationMs":${fields.durationMs},"msg":${JSON.stringify(msg)}}\n`;
}

/** pino's serialization of `child({controller, hook})` bindings. */
export function callBindings(controller: string, hook: string): string {
  return `,"controller":${JSON.stringify(controller)},"hook":${JSON.stringify(hook)}`;
}
