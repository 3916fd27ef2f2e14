// Command-line flags → CreateFlags. Absent flags stay undefined so prompts can ask for them.
import { parseArgs } from "node:util";
import { CreateError } from "./errors.js";

/** Which Metacontroller controller kind the project implements. */
export type Template = "composite" | "decorator";

/** Package managers the project can be installed with. */
export type PackageManager = "npm" | "pnpm" | "yarn" | "bun";

/** The flags of `create-metacontroller-hook`, as given (undefined when absent). */
export interface CreateFlags {
  readonly dir?: string;
  readonly crd?: string;
  readonly group?: string;
  readonly kind?: string;
  readonly scope?: "Namespaced" | "Cluster";
  readonly plural?: string;
  readonly children?: string;
  readonly template?: Template;
  readonly hookVersion?: "v1" | "v2";
  readonly finalize?: boolean;
  readonly customize?: boolean;
  readonly auth?: "bearer" | "basic" | "mtls";
  readonly namespace?: string;
  readonly packageManager?: PackageManager;
  readonly metahookSource?: string;
  readonly yes: boolean;
  readonly overwrite: boolean;
  readonly install: boolean;
  readonly help: boolean;
  readonly version: boolean;
}

/** The usage text printed by `--help` and after usage errors. */
export const USAGE = `Usage: create-metacontroller-hook [dir] [options]

Creates a typed Metacontroller hook project: CRD and controller manifests, generated types,
a typed controller with its test and a request fixture, deploy/ manifests, a Dockerfile.

Parent (one of):
  --crd <path>              an existing CustomResourceDefinition (YAML or JSON)
  --group <g> --kind <K>    scaffold a new CRD (with --scope Namespaced|Cluster, --plural p)

Options:
  --children <list>         child resources: deployments.apps/v1,services.v1,... ('' for none)
  --template <t>            composite (CompositeController, default) or decorator
  --hook-version <v>        v1 (default) or v2 (Metacontroller >= 4.15)
  --finalize                declare a finalize hook
  --customize               declare a customize hook
  --auth <mode>             serve the hooks over HTTPS and require Metacontroller's credentials:
                            bearer, basic or mtls (Metacontroller >= 4.16; see deploy/AUTH.md)
  --namespace <ns>          namespace of the hook server (default: default)
  --package-manager <pm>    npm, pnpm, yarn or bun (default: the one running this command)
  --metahook-source <dir>   depend on packed @metahook tarballs in <dir> instead of the
                            published packages (env METAHOOK_SOURCE)
  -y, --yes                 accept the defaults for everything not given; never prompt
  --overwrite               write into a non-empty directory (replacing files with our names)
  --no-install              do not install dependencies
  -h, --help                show this help
  -v, --version             show the version

Without a TTY (or with CI set) nothing is asked: give the parent and --children (or --yes).
Example:
  npx create-metacontroller-hook blog-controller --group example.com --kind Blog \\
    --children deployments.apps/v1,services.v1 --yes`;

function oneOf<T extends string>(
  flag: string,
  value: string | undefined,
  allowed: readonly T[],
): T | undefined {
  if (value === undefined) return undefined;
  if (!(allowed as readonly string[]).includes(value)) {
    throw new CreateError("USAGE", `${flag} ${value}: must be one of ${allowed.join(", ")}`);
  }
  return value as T;
}

/**
 * Parses the command line (without `node` and the script).
 *
 * @throws {@link CreateError} `USAGE` for unknown flags, missing values or bad choices.
 */
export function parseFlags(argv: readonly string[]): CreateFlags {
  let parsed: ReturnType<typeof parseArgs<{ options: typeof OPTIONS; allowPositionals: true }>>;
  try {
    parsed = parseArgs({ args: [...argv], options: OPTIONS, allowPositionals: true, strict: true });
  } catch (cause) {
    throw new CreateError("USAGE", (cause as Error).message.replace(/\. To specify.*$/s, ""), {
      cause,
    });
  }
  const { values, positionals } = parsed;
  if (positionals.length > 1) {
    throw new CreateError("USAGE", `one directory expected, got ${positionals.join(" ")}`);
  }
  if (values.crd !== undefined && (values.group !== undefined || values.kind !== undefined)) {
    throw new CreateError("USAGE", "--crd and --group/--kind exclude each other: pick one");
  }
  const str = (v: string | boolean | undefined) => (typeof v === "string" ? v : undefined);
  return {
    dir: positionals[0],
    crd: str(values.crd),
    group: str(values.group),
    kind: str(values.kind),
    scope: oneOf("--scope", str(values.scope), ["Namespaced", "Cluster"] as const),
    plural: str(values.plural),
    children: str(values.children),
    template: oneOf("--template", str(values.template), ["composite", "decorator"] as const),
    hookVersion: oneOf("--hook-version", str(values["hook-version"]), ["v1", "v2"] as const),
    finalize: values.finalize === true ? true : undefined,
    customize: values.customize === true ? true : undefined,
    auth: oneOf("--auth", str(values.auth), ["bearer", "basic", "mtls"] as const),
    namespace: str(values.namespace),
    packageManager: oneOf("--package-manager", str(values["package-manager"]), [
      "npm",
      "pnpm",
      "yarn",
      "bun",
    ] as const),
    metahookSource: str(values["metahook-source"]),
    yes: values.yes === true,
    overwrite: values.overwrite === true,
    install: values["no-install"] !== true,
    help: values.help === true,
    version: values.version === true,
  };
}

const OPTIONS = {
  crd: { type: "string" },
  group: { type: "string" },
  kind: { type: "string" },
  scope: { type: "string" },
  plural: { type: "string" },
  children: { type: "string" },
  template: { type: "string" },
  "hook-version": { type: "string" },
  finalize: { type: "boolean" },
  customize: { type: "boolean" },
  auth: { type: "string" },
  namespace: { type: "string" },
  "package-manager": { type: "string" },
  "metahook-source": { type: "string" },
  yes: { type: "boolean", short: "y" },
  overwrite: { type: "boolean" },
  "no-install": { type: "boolean" },
  help: { type: "boolean", short: "h" },
  version: { type: "boolean", short: "v" },
} as const;
