import { readFile } from "node:fs/promises";
import { dirname, relative, resolve } from "node:path";
// Type-only: the library (and its generators) loads when a scaffold command runs, not at startup.
import type { ScaffoldAuth, ScaffoldError, ScaffoldPackageManager } from "@metahook/scaffold";
import { type Command, CommanderError, Option } from "commander";
import type { CommandContext } from "../cli.js";
import { CliError } from "../errors.js";

interface ScaffoldCrdFlags {
  readonly group: string;
  readonly kind: string;
  readonly version: string;
  readonly scope: "Namespaced" | "Cluster";
  readonly plural?: string;
  readonly out?: string;
  readonly force?: boolean;
}

interface ScaffoldControllerFlags {
  readonly crd: string[];
  readonly children: string;
  readonly decorator?: boolean;
  readonly finalize?: boolean;
  readonly customize?: boolean;
  readonly hookVersion: "v1" | "v2";
  readonly namespace: string;
  readonly name?: string;
  readonly image?: string;
  readonly packageManager?: ScaffoldPackageManager;
  readonly out: string;
  readonly force?: boolean;
  readonly auth?: ScaffoldAuth;
}

// The library's codes as the CLI's: bad options are usage errors (exit 2), the rest exit 1.
function asCliError(error: ScaffoldError): CliError {
  const code =
    error.code === "INVALID_OPTION"
      ? "USAGE"
      : error.code === "WRITE_FAILED"
        ? "INVALID_INPUT"
        : error.code;
  return new CliError(code, error.message, { cause: error });
}

// Usage errors name the problem, then show the command's usage; exit code 2.
async function withUsage(command: Command, ctx: CommandContext, run: () => Promise<void>) {
  try {
    await run();
  } catch (caught) {
    const scaffold = await import("@metahook/scaffold");
    const error = caught instanceof scaffold.ScaffoldError ? asCliError(caught) : caught;
    if (error instanceof CliError && error.code === "USAGE") {
      ctx.output.err(`${ctx.output.style("red", "error")} ${error.message}`);
      ctx.output.err(command.helpInformation().replace(/\n$/, ""));
      throw new CommanderError(2, "metahook.usage", error.message);
    }
    throw error;
  }
}

/**
 * Registers `metahook scaffold crd` and `metahook scaffold controller`.
 *
 * @example
 * ```sh
 * metahook scaffold crd --group example.com --kind Blog -o deploy/crd.yaml
 * metahook scaffold controller --crd deploy/crd.yaml --children deployments.apps/v1,services.v1
 * ```
 */
export function registerScaffold(program: Command, ctx: CommandContext): void {
  // `scaffold crd --version v1` names the CRD version: program options (`-v, --version`) are
  // only recognised before the subcommand.
  program.enablePositionalOptions();
  const scaffold = program
    .command("scaffold")
    .description("write starter manifests: a CRD, or a controller with its hook server deployment");
  scaffold.exitOverride();

  const crd = scaffold
    .command("crd")
    .description(
      "a valid apiextensions.k8s.io/v1 CRD with a starter schema (spec; status with observedGeneration and conditions), the status subresource and printer columns",
    )
    .requiredOption("--group <group>", "API group, a DNS subdomain with a dot (example.com)")
    .requiredOption("--kind <Kind>", "PascalCase kind (Blog)")
    .option("--version <version>", "version name", "v1")
    .addOption(
      new Option("--scope <scope>", "resource scope")
        .choices(["Namespaced", "Cluster"])
        .default("Namespaced"),
    )
    .option("--plural <plural>", "plural resource name (default: the kind's plural, lowercased)")
    .option("-o, --out <file>", "write to a file instead of stdout")
    .option("--force", "replace the file if it exists");
  crd.action(async (flags: ScaffoldCrdFlags) => {
    await withUsage(crd, ctx, async () => {
      const { scaffoldCrd, writeScaffold } = await import("@metahook/scaffold");
      const result = scaffoldCrd({
        group: flags.group,
        kind: flags.kind,
        version: flags.version,
        scope: flags.scope,
        ...(flags.plural !== undefined ? { plural: flags.plural } : {}),
      });
      if (flags.out === undefined || flags.out === "-") {
        ctx.output.out(result.yaml.replace(/\n$/, ""));
        return;
      }
      const target = resolve(ctx.cwd, flags.out);
      await writeScaffold(
        dirname(target),
        [{ path: relative(dirname(target), target), content: result.yaml }],
        {
          force: flags.force === true,
        },
      );
      ctx.output.out(`created ${flags.out}`);
      ctx.output.err(
        ctx.output.style(
          "dim",
          `${result.name}: ${result.kind} ${result.group}/${result.version}, ${result.scope}`,
        ),
      );
    });
  });

  const controller = scaffold
    .command("controller")
    .description(
      "a CompositeController (or DecoratorController) for a CRD, the hook server's Deployment, Service, PodDisruptionBudget and kustomization under deploy/, and a Dockerfile",
    )
    .requiredOption("--crd <files...>", "the parent's CRD first, then CRDs of custom children")
    .requiredOption(
      "--children <list>",
      "child (attachment) resources as <plural>.<apiVersion>: deployments.apps/v1,services.v1 ('' for none)",
    )
    .option("--decorator", "a DecoratorController: the CRD's objects get attachments")
    .option("--finalize", "declare a finalize hook")
    .option("--customize", "declare a customize hook (related objects)")
    .addOption(
      new Option("--hook-version <version>", "hook API version (v2 needs Metacontroller ≥ 4.15)")
        .choices(["v1", "v2"])
        .default("v1"),
    )
    .option("--namespace <ns>", "namespace of the hook server", "default")
    .option(
      "--name <name>",
      "controller name, also the Service and route (default <kind>-controller)",
    )
    .option("--image <image>", "hook image (default <name>:dev)")
    .addOption(
      new Option(
        "--package-manager <pm>",
        "what the Dockerfile installs with (default: from npm_config_user_agent)",
      ).choices(["npm", "pnpm", "yarn", "bun"]),
    )
    .addOption(
      new Option(
        "--auth <mode>",
        "serve HTTPS (cert-manager certificate) and require Metacontroller's credentials: a bearer token, basic auth or a client certificate (Metacontroller >= 4.16)",
      ).choices(["bearer", "basic", "mtls"]),
    )
    .option("-o, --out <dir>", "project directory: writes <dir>/deploy/* and <dir>/Dockerfile", ".")
    .option("--force", "replace files that exist");
  controller.action(async (flags: ScaffoldControllerFlags) => {
    await withUsage(controller, ctx, async () => {
      const { packageManagerFromUserAgent, scaffoldController, writeScaffold } = await import(
        "@metahook/scaffold"
      );
      const outDir = resolve(ctx.cwd, flags.out);
      const deployDir = resolve(outDir, "deploy");
      const crds = await Promise.all(
        flags.crd.map(async (path) => ({
          path,
          content: await readFile(resolve(ctx.cwd, path), "utf8").catch((cause: unknown) => {
            throw new CliError(
              "INPUT_NOT_FOUND",
              `${path}: cannot be read: ${(cause as Error).message}`,
            );
          }),
        })),
      );
      // CRDs already under deploy/ are listed as they are; others are copied next to the rest.
      const inside = flags.crd.map((p) => relative(deployDir, resolve(ctx.cwd, p)));
      const allInside = inside.every((r) => !r.startsWith("..") && !r.startsWith("/"));
      const result = scaffoldController({
        crds,
        children: flags.children,
        decorator: flags.decorator === true,
        finalize: flags.finalize === true,
        customize: flags.customize === true,
        hookVersion: flags.hookVersion,
        namespace: flags.namespace,
        packageManager:
          flags.packageManager ?? packageManagerFromUserAgent(ctx.env.npm_config_user_agent),
        ...(flags.name !== undefined ? { name: flags.name } : {}),
        ...(flags.image !== undefined ? { image: flags.image } : {}),
        ...(flags.auth !== undefined ? { auth: flags.auth } : {}),
        ...(allInside ? { crdResources: inside.map((r) => r.split("\\").join("/")) } : {}),
      });
      const written = await writeScaffold(outDir, result.files, { force: flags.force === true });
      for (const path of written)
        ctx.output.out(`created ${relative(ctx.cwd, resolve(outDir, path)) || path}`);
      ctx.output.err(
        ctx.output.style(
          "dim",
          `${result.kind} ${result.name}: ${result.parent.kind} → ${result.children.map((c) => c.kind).join(", ") || "no children"}; hooks at ${flags.auth ? `https://${result.name}.${result.namespace}.svc` : `http://${result.name}.${result.namespace}`}/${result.name}/…${flags.auth ? ` (${flags.auth}; see deploy/AUTH.md)` : ""}`,
        ),
      );
    });
  });
}
