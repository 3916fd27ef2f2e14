import { type Command, InvalidArgumentError, Option } from "commander";
import type { CommandContext } from "../cli.js";

/** Options of `metahook plan`. */
export interface PlanOptions {
  readonly parent: string;
  readonly module: string;
  readonly observed: string[];
  readonly related: string[];
  readonly crd: string[];
  readonly hook?: "sync" | "finalize" | "customize";
  readonly json?: boolean;
  readonly converge?: boolean;
  readonly maxRounds: number;
  readonly namespace: string;
}

function rounds(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > 100) {
    throw new InvalidArgumentError("expected a whole number from 1 to 100");
  }
  return n;
}

/**
 * Registers `metahook plan`: what Metacontroller would do with one sync, without a cluster.
 *
 * @example
 * ```sh
 * metahook plan deploy/controller.yaml --parent examples/blog.yaml --module src/blog.ts
 * metahook plan deploy/controller.yaml --parent examples/blog.yaml --module src/blog.ts --converge
 * ```
 */
export function registerPlan(program: Command, ctx: CommandContext): void {
  program
    .command("plan")
    .description(
      "build the request Metacontroller would send for a parent, call the hook in-process with the server's checks, and print the desired children, the status and what Metacontroller would create, update or delete",
    )
    .argument("<controller>", "the CompositeController or DecoratorController manifest (YAML)")
    .requiredOption("--parent <file>", "the parent (or decorated object) as YAML")
    .requiredOption("--module <file>", "the controller module (.ts/.js)")
    .option("--observed <files or dirs...>", "children (or attachments) that exist already", [])
    .option("--related <files or dirs...>", "objects the customize hook may select", [])
    .option("--crd <files or dirs...>", "CRDs of the parent and of custom child kinds", [])
    .option(
      "-n, --namespace <namespace>",
      "namespace of namespaced objects that name none, as kubectl apply -n",
      "default",
    )
    .addOption(
      new Option(
        "--hook <hook>",
        "which hook (default: finalize for a parent being deleted, else sync)",
      ).choices(["sync", "finalize", "customize"]),
    )
    .option("--json", "print the request, response and plan as JSON")
    .option("--converge", "apply each plan in memory and sync again until nothing changes")
    .addOption(
      new Option("--max-rounds <n>", "rounds before --converge gives up")
        .argParser(rounds)
        .default(10),
    )
    .action(async (controller: string, options: PlanOptions) => {
      const { plan } = await import("./plan-actions.js");
      await plan(controller, options, ctx);
    });
}
