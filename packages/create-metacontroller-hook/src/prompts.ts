// The questions, behind an adapter: @clack/prompts on a terminal, scripted answers in tests.
import type { Readable, Writable } from "node:stream";
import * as clack from "@clack/prompts";

/** What a prompt returns when the user cancels it (Ctrl-C, Escape). */
export const CANCELLED: unique symbol = Symbol("cancelled");

/** A prompt's answer, or {@link CANCELLED}. */
export type Answer<T> = T | typeof CANCELLED;

/** A choice of a {@link PromptAdapter.select} prompt. */
export interface Choice<T extends string> {
  readonly value: T;
  readonly label: string;
  readonly hint?: string;
}

/**
 * The prompts create-metacontroller-hook asks through. {@link clackPrompts} is the terminal
 * implementation; tests pass their own to inject answers (including {@link CANCELLED}).
 */
export interface PromptAdapter {
  intro(title: string): void;
  /**
   * A line of text. `defaultValue` is shown as the suggestion and is the answer when the user
   * just presses Enter; `validate` sees that answer, not the empty line.
   */
  text(options: {
    readonly message: string;
    readonly placeholder?: string;
    readonly defaultValue?: string;
    readonly initialValue?: string;
    /** Returns an error message to show, or undefined to accept. */
    readonly validate?: (value: string) => string | undefined;
  }): Promise<Answer<string>>;
  /**
   * Several choices from a list the user can search by typing; `other` turns a typed entry that
   * is no choice into a value of its own (free entry), or returns undefined to offer none.
   * Enter with nothing changed accepts `initialValues`.
   */
  multiselect(options: {
    readonly message: string;
    readonly options: readonly Choice<string>[];
    readonly initialValues?: readonly string[];
    readonly other?: (input: string) => string | undefined;
    /** Returns an error message to show, or undefined to accept. */
    readonly validate?: (values: readonly string[]) => string | undefined;
  }): Promise<Answer<string[]>>;
  select<T extends string>(options: {
    readonly message: string;
    readonly options: readonly Choice<T>[];
    readonly initialValue?: T;
  }): Promise<Answer<T>>;
  confirm(options: {
    readonly message: string;
    readonly initialValue?: boolean;
  }): Promise<Answer<boolean>>;
  /** Says that the run was cancelled (nothing was written). */
  cancel(message: string): void;
  outro(message: string): void;
}

/** Streams for {@link clackPrompts} (default: the process's stdin, and stderr for drawing). */
export interface ClackStreams {
  readonly input?: Readable;
  readonly output?: Writable;
}

/**
 * The terminal prompts, drawn by @clack/prompts on `output` and read from `input`.
 *
 * @example
 * ```ts
 * const code = await run(process.argv.slice(2), { prompts: clackPrompts() });
 * ```
 */
export function clackPrompts(streams: ClackStreams = {}): PromptAdapter {
  // Prompts are a conversation, not a result: they go to stderr, keeping stdout for results.
  const io = {
    ...(streams.input ? { input: streams.input } : {}),
    output: streams.output ?? process.stderr,
  };
  const answer = <T>(value: T | symbol): Answer<T> =>
    clack.isCancel(value) ? CANCELLED : (value as T);
  return {
    intro: (title) => clack.intro(title, io),
    text: async (o) => {
      // clack validates the typed line before it puts the default in: judge the answer itself.
      const given = (v: string | undefined) => (v ? v : (o.defaultValue ?? ""));
      const placeholder = o.placeholder ?? o.defaultValue;
      const value = answer<string>(
        await clack.text({
          ...io,
          message: o.message,
          ...(placeholder !== undefined ? { placeholder } : {}),
          ...(o.defaultValue !== undefined ? { defaultValue: o.defaultValue } : {}),
          ...(o.initialValue !== undefined ? { initialValue: o.initialValue } : {}),
          ...(o.validate ? { validate: (v: string | undefined) => o.validate?.(given(v)) } : {}),
        }),
      );
      return value === CANCELLED ? value : given(value);
    },
    multiselect: async (o) => {
      const choices = o.options.map((c) => ({
        value: c.value,
        label: c.label,
        ...(c.hint !== undefined ? { hint: c.hint } : {}),
      }));
      const known = new Set(choices.map((c) => c.value));
      const matches = (search: string, c: { value: string; label: string; hint?: string }) =>
        [c.value, c.label, c.hint ?? ""].some((t) => t.toLowerCase().includes(search));
      return answer<string[]>(
        await clack.autocompleteMultiselect<string>({
          ...io,
          message: o.message,
          placeholder: "type to search; Tab or Space to pick; Enter when done",
          ...(o.initialValues !== undefined ? { initialValues: [...o.initialValues] } : {}),
          // A function of what is typed: the matching choices, the free entries picked so far,
          // and the typed text itself when `other` accepts it.
          options() {
            const search = this.userInput.trim().toLowerCase();
            const picked = this.selectedValues
              .filter((v) => !known.has(v))
              .map((v) => ({ value: v, label: v, hint: "typed" }));
            const typed = search === "" ? undefined : o.other?.(this.userInput.trim());
            const extra =
              typed !== undefined && !known.has(typed) && !picked.some((p) => p.value === typed)
                ? [{ value: typed, label: typed, hint: "typed" }]
                : [];
            return [...choices, ...picked, ...extra].filter(
              (c) => search === "" || matches(search, c) || c.value === typed,
            );
          },
          ...(o.validate
            ? {
                validate: (v: string | string[] | undefined) =>
                  o.validate?.(Array.isArray(v) ? v : v === undefined ? [] : [v]),
              }
            : {}),
        }),
      );
    },
    select: async <T extends string>(o: {
      message: string;
      options: readonly Choice<T>[];
      initialValue?: T;
    }) =>
      answer<T>(
        await clack.select<T>({
          ...io,
          message: o.message,
          options: o.options.map((c) => ({
            value: c.value,
            label: c.label,
            ...(c.hint !== undefined ? { hint: c.hint } : {}),
          })) as clack.Option<T>[],
          ...(o.initialValue !== undefined ? { initialValue: o.initialValue } : {}),
        }),
      ),
    confirm: async (o) =>
      answer<boolean>(
        await clack.confirm({
          ...io,
          message: o.message,
          ...(o.initialValue !== undefined ? { initialValue: o.initialValue } : {}),
        }),
      ),
    cancel: (message) => clack.cancel(message, io),
    outro: (message) => clack.outro(message, io),
  };
}
