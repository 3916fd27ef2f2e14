// The request fixture of a project: what Metacontroller would send for a parent. Pure.
import type { KubeObject } from "@metahook/runtime";
import { buildCompositeRequest, buildDecoratorRequest } from "@metahook/runtime/requests";
import { ScaffoldError } from "./errors.js";

/** A custom resource's names, to tell the kind of a rule like `{apiVersion: example.com/v1, resource: blogs}`. */
export interface CustomResourceNames {
  readonly group: string;
  readonly plural: string;
  readonly kind: string;
}

/** Input of {@link requestFixture}. */
export interface RequestFixtureInput {
  /** The CompositeController or DecoratorController manifest, parsed. */
  readonly controller: unknown;
  /** The parent (composite) or decorated object, as applied. */
  readonly parent: KubeObject;
  /** The CRDs of the parent and of custom children. */
  readonly crds: readonly CustomResourceNames[];
}

// What the API server would have filled in, when the applied object does not say: fixed, so the
// fixture is the same on every run.
const SERVER_FIELDS = { uid: "00000000-0000-4000-8000-000000000001", generation: 1 };

/**
 * The sync request Metacontroller would send for `parent` under `controller` (no children
 * observed yet), with the parent's `uid` and `generation` set as the API server sets them. Pure.
 *
 * @throws {@link ScaffoldError} `INVALID_INPUT` when the manifest is neither controller kind.
 */
export function requestFixture(input: RequestFixtureInput): unknown {
  const kind = (input.controller as { kind?: unknown } | null)?.kind;
  const parent = {
    ...input.parent,
    metadata: { ...SERVER_FIELDS, ...input.parent.metadata },
  };
  const kinds = Object.fromEntries(input.crds.map((c) => [`${c.plural}.${c.group}`, c.kind]));
  if (kind === "CompositeController")
    return buildCompositeRequest({ controller: input.controller, parent, kinds });
  if (kind === "DecoratorController")
    return buildDecoratorRequest({ controller: input.controller, object: parent, kinds });
  throw new ScaffoldError(
    "INVALID_INPUT",
    `the controller manifest is a ${String(kind)}, not a CompositeController or DecoratorController`,
  );
}
