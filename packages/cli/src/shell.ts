/**
 * Quotes an argument for a POSIX shell only when it needs it, so the commands named in
 * generated files' banners read naturally and can be pasted back.
 */
export function shellQuote(arg: string): string {
  return /^[A-Za-z0-9_./:=@%+,-]+$/.test(arg) ? arg : `'${arg.replace(/'/g, `'\\''`)}'`;
}
