import { HookError } from "./errors.js";
import { type ControllerPlan, type GuardOptions, makePlan } from "./plan.js";
import { isEmptySelector, matchesSelector } from "./selector.js";
import type {
  CompositeHookRequest,
  CustomizeHookRequest,
  DecoratorHookRequest,
  HookVersion,
  KubeObject,
  LabelSelector,
} from "./types.js";

export type { GuardOptions } from "./plan.js";

type Json = { [key: string]: unknown };

/** The controller kinds a hook can belong to. */
export type ControllerKind = "CompositeController" | "DecoratorController";

const MAX_REPORTED = 10;

function isObject(value: unknown): value is Json {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function describe(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "an array";
  return typeof value === "object" ? "an object" : `a ${typeof value}`;
}

/** Collects problems so one error can name all of them (up to a limit). */
export class Problems {
  readonly list: { path: string; message: string }[] = [];
  add(path: string, message: string): void {
    this.list.push({ path, message });
  }
  get empty(): boolean {
    return this.list.length === 0;
  }
  toError(code: "INVALID_REQUEST" | "INVALID_RESPONSE", what: string): HookError {
    const shown = this.list.slice(0, MAX_REPORTED).map((p) => `  - ${p.path}: ${p.message}`);
    const more = this.list.length - shown.length;
    const tail = more > 0 ? `\n  (and ${more} more)` : "";
    const first = this.list[0];
    return new HookError(
      code,
      `${what} (${this.list.length} problem${this.list.length === 1 ? "" : "s"}):\n${shown.join("\n")}${tail}`,
      first === undefined ? {} : { path: first.path },
    );
  }
}

function checkKnownFields(
  value: Json,
  allowed: readonly string[],
  problems: Problems,
  prefix = "",
): void {
  for (const key of Object.keys(value)) {
    if (allowed.includes(key)) continue;
    const near = allowed.find((a) => a.toLowerCase() === key.toLowerCase());
    const hint = near
      ? `did you mean "${near}"? Keys are case-sensitive, and Metacontroller reads a response with a misspelled key as empty, deleting every child`
      : `allowed fields are ${allowed.join(", ")}`;
    problems.add(`${prefix}${key}`, `unknown field; ${hint}`);
  }
}

// --- requests -------------------------------------------------------------------

function checkObjectMaps(value: unknown, path: string, problems: Problems): void {
  if (!isObject(value)) {
    problems.add(
      path,
      `must be an object keyed by group key ("Kind.group/version"), got ${describe(value)}`,
    );
    return;
  }
  // for-in, not Object.entries: a parent with thousands of children would get as many
  // [key, value] arrays on every call.
  for (const key in value) {
    const group = value[key];
    if (!isObject(group)) {
      problems.add(`${path}["${key}"]`, `must be an object keyed by name, got ${describe(group)}`);
      continue;
    }
    for (const inner in group) {
      const object = group[inner];
      if (!isObject(object)) {
        problems.add(`${path}["${key}"]["${inner}"]`, `must be an object, got ${describe(object)}`);
      } else if (!isObject(object.metadata) || typeof object.metadata.name !== "string") {
        problems.add(
          `${path}["${key}"]["${inner}"].metadata.name`,
          "is required (Metacontroller always sends it)",
        );
      }
    }
  }
}

function checkRoot(value: unknown, path: string, problems: Problems): void {
  if (!isObject(value)) {
    problems.add(path, `is required and must be a Kubernetes object, got ${describe(value)}`);
    return;
  }
  if (typeof value.apiVersion !== "string" || typeof value.kind !== "string") {
    problems.add(path, "must have string apiVersion and kind");
  }
  if (!isObject(value.metadata)) {
    problems.add(
      `${path}.metadata`,
      `is required (Metacontroller always sends it), got ${describe(value.metadata)}`,
    );
    return;
  }
  // The hook types promise an observed name: a request without one did not come from
  // Metacontroller, and answering it would name children "undefined-...".
  const name = value.metadata.name;
  if (typeof name !== "string" || name === "") {
    problems.add(
      `${path}.metadata.name`,
      `is required (Metacontroller always sends it), got ${describe(name)}`,
    );
  }
}

function checkController(value: unknown, kinds: readonly ControllerKind[], problems: Problems) {
  if (!isObject(value)) {
    problems.add(
      "controller",
      `is required (Metacontroller always sends it), got ${describe(value)}`,
    );
    return;
  }
  if (typeof value.kind !== "string" || !kinds.includes(value.kind as ControllerKind)) {
    problems.add(
      "controller.kind",
      `must be ${kinds.join(" or ")}, got ${JSON.stringify(value.kind)}; is this hook served at the right path?`,
    );
  }
  if (!isObject(value.spec)) problems.add("controller.spec", "must be an object");
}

/**
 * Checks that a body is a CompositeController sync/finalize request and returns it
 * typed; fills `related: {}` and `finalizing: false` when a hand-made request omits them.
 *
 * @throws {@link HookError} `INVALID_REQUEST` naming every problem.
 */
export function parseCompositeRequest(body: unknown): CompositeHookRequest {
  const problems = new Problems();
  if (!isObject(body)) throw invalidBody(body);
  if (body.object !== undefined && body.parent === undefined) {
    problems.add(
      "object",
      "this is a DecoratorController request; serve it with defineDecoratorController",
    );
  }
  checkController(body.controller, ["CompositeController"], problems);
  checkRoot(body.parent, "parent", problems);
  checkObjectMaps(body.children, "children", problems);
  if (body.related !== undefined) checkObjectMaps(body.related, "related", problems);
  if (body.finalizing !== undefined && typeof body.finalizing !== "boolean") {
    problems.add("finalizing", `must be a boolean, got ${describe(body.finalizing)}`);
  }
  if (!problems.empty)
    throw problems.toError("INVALID_REQUEST", "not a CompositeController hook request");
  return {
    ...(body as unknown as CompositeHookRequest),
    related: (body.related ?? {}) as CompositeHookRequest["related"],
    finalizing: body.finalizing === true,
  };
}

/**
 * Checks that a body is a DecoratorController sync/finalize request and returns it typed.
 *
 * @throws {@link HookError} `INVALID_REQUEST` naming every problem.
 */
export function parseDecoratorRequest(body: unknown): DecoratorHookRequest {
  const problems = new Problems();
  if (!isObject(body)) throw invalidBody(body);
  if (body.parent !== undefined && body.object === undefined) {
    problems.add(
      "parent",
      "this is a CompositeController (or customize) request; a decorator request carries `object`",
    );
  }
  checkController(body.controller, ["DecoratorController"], problems);
  checkRoot(body.object, "object", problems);
  if (body.attachments !== undefined) checkObjectMaps(body.attachments, "attachments", problems);
  if (body.related !== undefined) checkObjectMaps(body.related, "related", problems);
  if (body.finalizing !== undefined && typeof body.finalizing !== "boolean") {
    problems.add("finalizing", `must be a boolean, got ${describe(body.finalizing)}`);
  }
  if (!problems.empty)
    throw problems.toError("INVALID_REQUEST", "not a DecoratorController hook request");
  return {
    ...(body as unknown as DecoratorHookRequest),
    attachments: (body.attachments ?? {}) as DecoratorHookRequest["attachments"],
    related: (body.related ?? {}) as DecoratorHookRequest["related"],
    finalizing: body.finalizing === true,
  };
}

/**
 * Checks that a body is a customize request (`{controller, parent}`, for both controller kinds).
 *
 * @throws {@link HookError} `INVALID_REQUEST` naming every problem.
 */
export function parseCustomizeRequest(body: unknown): CustomizeHookRequest {
  const problems = new Problems();
  if (!isObject(body)) throw invalidBody(body);
  checkController(body.controller, ["CompositeController", "DecoratorController"], problems);
  checkRoot(body.parent, "parent", problems);
  if (!problems.empty) throw problems.toError("INVALID_REQUEST", "not a customize hook request");
  return body as unknown as CustomizeHookRequest;
}

function invalidBody(body: unknown): HookError {
  return new HookError(
    "INVALID_REQUEST",
    `a hook request must be a JSON object, got ${describe(body)}`,
  );
}

// --- responses ------------------------------------------------------------------

const COMPOSITE_FIELDS = ["status", "children", "resyncAfterSeconds", "finalized"] as const;
const DECORATOR_FIELDS = [
  "labels",
  "annotations",
  "status",
  "attachments",
  "resyncAfterSeconds",
  "finalized",
] as const;
const CUSTOMIZE_FIELDS = ["relatedResources"] as const;
const RULE_FIELDS = [
  "apiVersion",
  "resource",
  "labelSelector",
  "namespaceSelector",
  "namespace",
  "names",
] as const;

const LABEL_NAME = /^([A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?)$/;
const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;

function qualifiedNameProblem(key: string): string | undefined {
  const slash = key.indexOf("/");
  const prefix = slash === -1 ? undefined : key.slice(0, slash);
  const name = slash === -1 ? key : key.slice(slash + 1);
  if (prefix !== undefined && (prefix.length > 253 || !DNS_SUBDOMAIN.test(prefix))) {
    return "prefix must be a DNS subdomain (lowercase alphanumerics, '-', '.')";
  }
  if (name.length === 0 || name.length > 63 || !LABEL_NAME.test(name)) {
    return "name part must be 1-63 alphanumerics, '-', '_' or '.', starting and ending alphanumeric";
  }
  return undefined;
}

// Label keys and values repeat across children and calls (app, component, the parent's
// name): each distinct valid string is checked by regex once. A pure memo, bounded.
const validKeys = new Set<string>();
const validLabelValues = new Set<string>();

function remember(memo: Set<string>, value: string): void {
  if (memo.size >= 4096) memo.clear();
  memo.add(value);
}

// The common case, checked without building a path: an object of valid keys and strings
// (label values valid too) that have all been seen before.
function stringMapOk(value: unknown, labelValues: boolean): boolean {
  if (!isObject(value)) return false;
  for (const key in value) {
    const v = value[key];
    if (typeof v !== "string" || !validKeys.has(key)) return false;
    if (labelValues && !validLabelValues.has(v)) return false;
  }
  return true;
}

function checkStringMap(
  value: unknown,
  path: string,
  problems: Problems,
  opts: { allowNull: boolean; labelValues: boolean },
): void {
  if (value === undefined) return;
  if (!isObject(value)) {
    problems.add(path, `must be an object of strings, got ${describe(value)}`);
    return;
  }
  for (const key in value) {
    const v = value[key];
    if (!validKeys.has(key)) {
      const keyProblem = qualifiedNameProblem(key);
      if (keyProblem) problems.add(`${path}["${key}"]`, `invalid key: ${keyProblem}`);
      else remember(validKeys, key);
    }
    if (v === null && opts.allowNull) continue;
    if (typeof v !== "string") {
      problems.add(
        `${path}["${key}"]`,
        `must be a string${opts.allowNull ? " (or null to delete it)" : ""}, got ${describe(v)}`,
      );
      continue;
    }
    if (opts.labelValues && !validLabelValues.has(v)) {
      if (v.length > 63 || !LABEL_VALUE.test(v)) {
        problems.add(
          `${path}["${key}"]`,
          "invalid label value: at most 63 alphanumerics, '-', '_' or '.', starting and ending alphanumeric",
        );
      } else remember(validLabelValues, v);
    }
  }
}

function checkCommonFields(result: Json, problems: Problems): void {
  const status = result.status;
  if (status !== undefined && status !== null && !isObject(status)) {
    problems.add("status", `must be an object or null, got ${describe(status)}`);
  }
  const resync = result.resyncAfterSeconds;
  if (
    resync !== undefined &&
    (typeof resync !== "number" || !Number.isFinite(resync) || resync < 0)
  ) {
    problems.add(
      "resyncAfterSeconds",
      `must be a finite number >= 0, got ${JSON.stringify(resync)}`,
    );
  }
  if (result.finalized !== undefined && typeof result.finalized !== "boolean") {
    problems.add("finalized", `must be a boolean, got ${describe(result.finalized)}`);
  }
}

/** What the guards know about the root object (parent or decorated object). */
interface RootInfo {
  namespace: string;
  object: KubeObject;
  /** "the parent" or "the object", for messages. */
  what: string;
}

function rootLabel(root: RootInfo): string {
  const name = root.object.metadata?.name ?? "";
  return `${root.what} ${root.object.kind} "${root.namespace === "" ? name : `${root.namespace}/${name}`}"`;
}

/**
 * The group keys a controller accepts for one rule list, in the order error messages
 * name them: the keys Metacontroller sent (one per rule, always present) plus built-in
 * rules resolved by name.
 */
function allowedKeys(observed: Json, plan: ControllerPlan): string[] {
  const keys = new Set(Object.keys(observed));
  for (const key of plan.ruleKeys) keys.add(key);
  return [...keys];
}

function hasKeys(value: Json): boolean {
  for (const _ in value) return true;
  return false;
}

const LABELS = { allowNull: false, labelValues: true };
const ANNOTATIONS = { allowNull: false, labelValues: false };

// Every desired object is checked on every call: the loop allocates nothing for an object
// that passes (paths and labels for messages are built only when there is a problem).
function checkDesiredObjects(
  list: unknown,
  field: "children" | "attachments",
  root: RootInfo,
  observed: Json,
  plan: ControllerPlan,
  ruleField: string,
  problems: Problems,
  selector: { selector: LabelSelector | undefined; generate: boolean } | undefined,
): void {
  const required = plan.ruleKeys.size > 0 || hasKeys(observed);
  if (list === undefined) {
    if (required) {
      problems.add(
        field,
        `is missing; it is the complete desired set and Metacontroller deletes every observed ${field === "children" ? "child" : "attachment"} not in it. Return ${field}: [] only if that is what you mean`,
      );
    }
    return;
  }
  if (!Array.isArray(list)) {
    problems.add(field, `must be an array of objects, got ${describe(list)}`);
    return;
  }
  // Identities seen, by group key: the name for objects in the root's namespace (or
  // cluster-scoped ones), "namespace/name" for others (names cannot contain "/"). A short list
  // is searched (two arrays); a long one gets a set per group key.
  const seenKeys: string[] = [];
  const seenIds: string[] = [];
  const seen = list.length <= 32 ? undefined : new Map<string, Set<string>>();
  const needsSelector = selector !== undefined && !selector.generate;
  const noSelector =
    needsSelector && (selector.selector === undefined || isEmptySelector(selector.selector));
  for (let index = 0; index < list.length; index++) {
    const item: unknown = list[index];
    if (!isObject(item)) {
      problems.add(`${field}[${index}]`, `must be a Kubernetes object, got ${describe(item)}`);
      continue;
    }
    const { apiVersion, kind } = item;
    const metadata = isObject(item.metadata) ? item.metadata : undefined;
    const name = metadata?.name;
    if (
      typeof apiVersion !== "string" ||
      apiVersion === "" ||
      typeof kind !== "string" ||
      kind === "" ||
      typeof name !== "string" ||
      name === ""
    ) {
      const path = `${field}[${index}]`;
      if (typeof apiVersion !== "string" || apiVersion === "") {
        problems.add(`${path}.apiVersion`, 'is required (e.g. "v1" or "apps/v1")');
      }
      if (typeof kind !== "string" || kind === "") {
        problems.add(`${path}.kind`, 'is required (e.g. "ConfigMap")');
      }
      if (item.metadata !== undefined && metadata === undefined) {
        problems.add(`${path}.metadata`, `must be an object, got ${describe(item.metadata)}`);
      }
      if (typeof name !== "string" || name === "") {
        problems.add(
          `${path}.metadata.name`,
          "is required: Metacontroller identifies objects by name",
        );
      }
      if (typeof apiVersion !== "string" || typeof kind !== "string" || typeof name !== "string")
        continue;
    }

    const key = plan.keyOf(apiVersion, kind);
    if (!Object.hasOwn(observed, key) && !plan.ruleKeys.has(key)) {
      const allowed = allowedKeys(observed, plan);
      const sameKind = allowed.filter((k) => k.startsWith(`${kind}.`));
      problems.add(
        `${field}[${index}]`,
        `${kind} "${name}" is ${key}, which is not among the controller's ${ruleField} (${allowed.join(", ") || "none"})${
          sameKind.length > 0
            ? `; apiVersion must match the rule exactly (${sameKind.join(", ")})`
            : `; add {apiVersion: "${apiVersion}", resource: ...} to spec.${ruleField}`
        }`,
      );
    }

    const namespace = typeof metadata?.namespace === "string" ? metadata.namespace : "";
    const namespaced = plan.namespaced(apiVersion, kind, key);
    if (namespaced && root.namespace === "" && namespace === "") {
      problems.add(
        `${field}[${index}].metadata.namespace`,
        `${kind} "${name}" is namespaced and ${rootLabel(root)} is cluster-scoped, so Metacontroller cannot default its namespace; set metadata.namespace`,
      );
    }
    if (root.namespace !== "" && namespace !== "" && namespace !== root.namespace) {
      problems.add(
        `${field}[${index}].metadata.namespace`,
        `${kind} "${name}" is in namespace "${namespace}" but ${rootLabel(root)} is in "${root.namespace}"; a namespaced parent can only own objects in its own namespace`,
      );
    }

    const effectiveNamespace = namespaced ? namespace || root.namespace : "";
    const identity =
      effectiveNamespace === root.namespace || effectiveNamespace === ""
        ? name
        : `${effectiveNamespace}/${name}`;
    let twice = false;
    if (seen === undefined) {
      for (let j = 0; j < seenIds.length && !twice; j++) {
        twice = seenIds[j] === identity && seenKeys[j] === key;
      }
      seenKeys.push(key);
      seenIds.push(identity);
    } else {
      let names = seen.get(key);
      if (names === undefined) {
        names = new Set();
        seen.set(key, names);
      }
      twice = names.has(identity);
      names.add(identity);
    }
    if (twice) {
      problems.add(
        `${field}[${index}]`,
        `${kind} "${name}" appears twice; each object may be listed once`,
      );
    }

    const labels = metadata?.labels;
    if (labels !== undefined && !stringMapOk(labels, true)) {
      checkStringMap(labels, `${field}[${index}].metadata.labels`, problems, LABELS);
    }
    const annotations = metadata?.annotations;
    if (annotations !== undefined && !stringMapOk(annotations, false)) {
      checkStringMap(annotations, `${field}[${index}].metadata.annotations`, problems, ANNOTATIONS);
    }
    if (needsSelector) {
      if (noSelector) {
        problems.add(
          `${field}[${index}]`,
          `the parent has no spec.selector and the controller has no generateSelector, so Metacontroller cannot claim ${kind} "${name}"; set spec.generateSelector: true on the CompositeController or give the parent a selector`,
        );
      } else if (
        !matchesSelector(
          selector.selector as LabelSelector,
          isObject(labels) ? (labels as { [k: string]: string }) : undefined,
        )
      ) {
        problems.add(
          `${field}[${index}].metadata.labels`,
          `labels of ${kind} "${name}" do not match the parent's spec.selector ${JSON.stringify(selector.selector)}; Metacontroller would refuse the whole sync`,
        );
      }
    }
  }
}

function rootInfo(object: KubeObject, what: string): RootInfo {
  return { namespace: object.metadata?.namespace ?? "", object, what };
}

function resultObject(result: unknown, hook: string, problems: Problems): Json | undefined {
  if (!isObject(result)) {
    problems.add(
      "(response)",
      `the ${hook} hook must return an object, got ${result === undefined ? "undefined (did you forget to return?)" : describe(result)}`,
    );
    return undefined;
  }
  return result;
}

/**
 * Checks a composite sync/finalize result against the request it answers.
 *
 * @throws {@link HookError} `INVALID_RESPONSE` naming every problem, where it is and how to fix it.
 */
export function assertCompositeResponse(
  request: CompositeHookRequest,
  result: unknown,
  options: GuardOptions = {},
): void {
  const problems = compositeResponseProblems(
    request,
    result,
    makePlan(request.controller, options),
  );
  if (!problems.empty)
    throw problems.toError("INVALID_RESPONSE", `refused the ${hookOf(request)} response`);
}

function hookOf(request: { finalizing: boolean }): "sync" | "finalize" {
  return request.finalizing ? "finalize" : "sync";
}

/** The problems of a composite sync/finalize result (what {@link assertCompositeResponse} throws). */
export function compositeResponseProblems(
  request: CompositeHookRequest,
  result: unknown,
  plan: ControllerPlan,
): Problems {
  const problems = new Problems();
  const value = resultObject(result, hookOf(request), problems);
  if (value) {
    checkKnownFields(value, COMPOSITE_FIELDS, problems);
    checkCommonFields(value, problems);
    const parentSpec = (request.parent as { spec?: { selector?: LabelSelector } }).spec;
    checkDesiredObjects(
      value.children,
      "children",
      rootInfo(request.parent, "the parent"),
      request.children as Json,
      plan,
      "childResources",
      problems,
      {
        selector: isObject(parentSpec) ? parentSpec.selector : undefined,
        generate: plan.generateSelector,
      },
    );
  }
  return problems;
}

/**
 * Checks a decorator sync/finalize result against the request it answers.
 *
 * @throws {@link HookError} `INVALID_RESPONSE` naming every problem.
 */
export function assertDecoratorResponse(
  request: DecoratorHookRequest,
  result: unknown,
  options: GuardOptions = {},
): void {
  const problems = decoratorResponseProblems(
    request,
    result,
    makePlan(request.controller, options),
  );
  if (!problems.empty)
    throw problems.toError("INVALID_RESPONSE", `refused the ${hookOf(request)} response`);
}

/** The problems of a decorator sync/finalize result (what {@link assertDecoratorResponse} throws). */
export function decoratorResponseProblems(
  request: DecoratorHookRequest,
  result: unknown,
  plan: ControllerPlan,
): Problems {
  const problems = new Problems();
  const value = resultObject(result, hookOf(request), problems);
  if (value) {
    checkKnownFields(value, DECORATOR_FIELDS, problems);
    checkCommonFields(value, problems);
    checkStringMap(value.labels, "labels", problems, { allowNull: true, labelValues: true });
    checkStringMap(value.annotations, "annotations", problems, {
      allowNull: true,
      labelValues: false,
    });
    checkDesiredObjects(
      value.attachments,
      "attachments",
      rootInfo(request.object, "the object"),
      request.attachments as Json,
      plan,
      "attachments",
      problems,
      undefined,
    );
  }
  return problems;
}

function checkSelector(value: unknown, path: string, problems: Problems): void {
  if (value === undefined) return;
  if (!isObject(value)) {
    problems.add(path, `must be a label selector object, got ${describe(value)}`);
    return;
  }
  checkKnownFields(value, ["matchLabels", "matchExpressions"], problems, `${path}.`);
  checkStringMap(value.matchLabels, `${path}.matchLabels`, problems, {
    allowNull: false,
    labelValues: true,
  });
  if (value.matchExpressions !== undefined && !Array.isArray(value.matchExpressions)) {
    problems.add(`${path}.matchExpressions`, "must be an array");
  }
}

/** The hook version of a hook declared on a controller (CRD default `v1`). */
export function declaredHookVersion(
  controller: { spec?: { hooks?: { [hook: string]: { version?: HookVersion } | undefined } } },
  hook: "sync" | "finalize" | "customize",
): HookVersion {
  return controller.spec?.hooks?.[hook]?.version === "v2" ? "v2" : "v1";
}

/**
 * Checks a customize result: rules Metacontroller can act on, and (hook v1,
 * namespaced parent) no cross-namespace lookups, which v1 refuses.
 *
 * @throws {@link HookError} `INVALID_RESPONSE` naming every problem.
 */
export function assertCustomizeResponse(request: CustomizeHookRequest, result: unknown): void {
  const problems = customizeResponseProblems(request, result);
  if (!problems.empty) throw problems.toError("INVALID_RESPONSE", "refused the customize response");
}

/** The problems of a customize result (what {@link assertCustomizeResponse} throws). */
export function customizeResponseProblems(
  request: CustomizeHookRequest,
  result: unknown,
  plan?: ControllerPlan,
): Problems {
  const problems = new Problems();
  const value = resultObject(result, "customize", problems);
  if (value) {
    checkKnownFields(value, CUSTOMIZE_FIELDS, problems);
    const rules = value.relatedResources;
    if (!Array.isArray(rules)) {
      problems.add(
        "relatedResources",
        rules === undefined
          ? "is required; return relatedResources: [] for no related objects"
          : `must be an array, got ${describe(rules)}`,
      );
    } else {
      const version =
        plan?.hookVersion.customize ?? declaredHookVersion(request.controller, "customize");
      const parentNamespace = request.parent.metadata?.namespace ?? "";
      rules.forEach((rule, index) => {
        const path = `relatedResources[${index}]`;
        if (!isObject(rule)) {
          problems.add(path, `must be an object, got ${describe(rule)}`);
          return;
        }
        checkKnownFields(rule, RULE_FIELDS, problems, `${path}.`);
        if (typeof rule.apiVersion !== "string" || rule.apiVersion === "") {
          problems.add(`${path}.apiVersion`, 'is required (e.g. "v1")');
        }
        if (
          typeof rule.resource !== "string" ||
          !/^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/.test(rule.resource)
        ) {
          problems.add(
            `${path}.resource`,
            'must be the plural lowercase resource name, e.g. "configmaps"',
          );
        } else if (
          typeof rule.apiVersion === "string" &&
          rule.resource !== rule.resource.toLowerCase()
        ) {
          problems.add(`${path}.resource`, "must be lowercase");
        }
        checkSelector(rule.labelSelector, `${path}.labelSelector`, problems);
        checkSelector(rule.namespaceSelector, `${path}.namespaceSelector`, problems);
        if (rule.namespace !== undefined && typeof rule.namespace !== "string") {
          problems.add(`${path}.namespace`, "must be a string");
        }
        if (
          rule.names !== undefined &&
          (!Array.isArray(rule.names) || rule.names.some((n) => typeof n !== "string"))
        ) {
          problems.add(`${path}.names`, "must be an array of strings");
        }
        if (
          rule.names !== undefined &&
          (rule.labelSelector !== undefined || rule.namespaceSelector !== undefined)
        ) {
          problems.add(path, "names cannot be combined with labelSelector or namespaceSelector");
        }
        if (rule.namespace !== undefined && rule.namespaceSelector !== undefined) {
          problems.add(path, "namespace cannot be combined with namespaceSelector");
        }
        if (version === "v1" && parentNamespace !== "") {
          if (
            typeof rule.namespace === "string" &&
            rule.namespace !== "" &&
            rule.namespace !== parentNamespace
          ) {
            problems.add(
              `${path}.namespace`,
              `hook v1 with a namespaced parent only looks in the parent's namespace "${parentNamespace}"; Metacontroller rejects "${rule.namespace}". Use customize hook version v2 for cross-namespace related objects`,
            );
          }
          if (rule.namespaceSelector !== undefined) {
            problems.add(
              `${path}.namespaceSelector`,
              "hook v1 with a namespaced parent cannot use namespaceSelector; use customize hook version v2",
            );
          }
        }
      });
    }
  }
  return problems;
}

/** Whether a group key's kind is namespaced (built-in table, then `clusterScopedKinds`). */
export function isNamespacedKey(key: string, options: GuardOptions = {}): boolean {
  const dot = key.indexOf(".");
  return makePlan(undefined, options).namespaced(key.slice(dot + 1), key.slice(0, dot));
}
