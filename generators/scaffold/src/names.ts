// Kubernetes name rules for scaffolding: what the API server would reject, said before it does.
import { ScaffoldError } from "./errors.js";

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const PASCAL_CASE = /^[A-Z][A-Za-z0-9]*$/;
const VERSION = /^v[1-9][0-9]*((alpha|beta)[1-9][0-9]*)?$/;

function usage(message: string): ScaffoldError {
  return new ScaffoldError("INVALID_OPTION", message);
}

/**
 * Checks an API group: a DNS subdomain (RFC 1123: lowercase labels of letters, digits and `-`,
 * at most 253 characters) with at least one dot, as the API server requires of CRD groups.
 *
 * @throws {@link ScaffoldError} `INVALID_OPTION` naming the rule that failed.
 */
export function checkGroup(group: string): string {
  if (group === "") throw usage("--group: is required, e.g. --group example.com");
  if (group.length > 253) throw usage(`--group ${group}: longer than 253 characters`);
  if (group !== group.toLowerCase()) {
    const lower = group.toLowerCase();
    throw usage(
      `--group ${group}: must be lowercase (a DNS subdomain), e.g. ${lower.includes(".") ? lower : `${lower}.example.com`}`,
    );
  }
  const bad = group.split(".").find((label) => !DNS_LABEL.test(label) || label.length > 63);
  if (bad !== undefined) {
    throw usage(
      `--group ${group}: "${bad}" is not a DNS label (letters, digits and '-', starting and ending with a letter or digit, at most 63 characters)`,
    );
  }
  if (!group.includes(".")) {
    throw usage(
      `--group ${group}: a CRD group must be a domain with at least one dot, e.g. ${group}.example.com`,
    );
  }
  return group;
}

/**
 * Checks a kind: PascalCase (an uppercase letter, then letters and digits), at most 63 characters.
 *
 * @throws {@link ScaffoldError} `INVALID_OPTION`.
 */
export function checkKind(kind: string): string {
  if (kind === "") throw usage("--kind: is required, e.g. --kind Blog");
  if (!PASCAL_CASE.test(kind) || kind.length > 63) {
    const suggestion = kind
      .split(/[^A-Za-z0-9]+/)
      .filter(Boolean)
      .map((w) => w.charAt(0).toUpperCase() + w.slice(1))
      .join("");
    throw usage(
      `--kind ${kind}: must be PascalCase (an uppercase letter, then letters and digits, at most 63 characters)${PASCAL_CASE.test(suggestion) ? `, e.g. ${suggestion}` : ""}`,
    );
  }
  return kind;
}

/**
 * Checks a plural resource name: a DNS-1123 label (lowercase letters, digits and `-`, at most 63).
 *
 * @throws {@link ScaffoldError} `INVALID_OPTION`.
 */
export function checkPlural(plural: string): string {
  if (!DNS_LABEL.test(plural) || plural.length > 63 || !/^[a-z]/.test(plural)) {
    throw usage(
      `--plural ${plural}: must be a DNS-1123 label (lowercase letters, digits and '-', starting with a letter, at most 63 characters), e.g. ${plural.toLowerCase().replace(/[^a-z0-9-]/g, "")}`,
    );
  }
  return plural;
}

/**
 * Checks an API version name such as `v1`, `v1alpha1` or `v2beta3`.
 *
 * @throws {@link ScaffoldError} `INVALID_OPTION`.
 */
export function checkVersion(version: string): string {
  if (!VERSION.test(version)) {
    throw usage(`--version ${version}: must look like v1, v1alpha1 or v2beta3`);
  }
  return version;
}

/**
 * Checks a namespace or object name: a DNS-1123 label.
 *
 * @throws {@link ScaffoldError} `INVALID_OPTION`.
 */
export function checkLabelName(flag: string, value: string): string {
  if (!DNS_LABEL.test(value) || value.length > 63) {
    throw usage(
      `${flag} ${value}: must be a DNS-1123 label (lowercase letters, digits and '-', at most 63 characters)`,
    );
  }
  return value;
}
