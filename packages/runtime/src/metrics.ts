import { Counter, collectDefaultMetrics, Histogram, Registry } from "prom-client";

/** The server's Prometheus metrics, in a registry of its own. */
export interface HookMetrics {
  observe(
    controller: string,
    hook: string,
    outcome: string,
    statusCode: number,
    seconds: number,
  ): void;
  render(): Promise<string>;
  readonly contentType: string;
}

/** Creates the per-server registry: hook call counts and durations, plus process metrics. */
export function createMetrics(): HookMetrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const requests = new Counter({
    name: "metahook_hook_requests_total",
    help: "Hook calls by controller, hook, outcome and HTTP status code.",
    labelNames: ["controller", "hook", "outcome", "code"] as const,
    registers: [registry],
  });
  const duration = new Histogram({
    name: "metahook_hook_duration_seconds",
    help: "Time to answer a hook call, by controller, hook and outcome.",
    labelNames: ["controller", "hook", "outcome"] as const,
    // Metacontroller's default webhook timeout is 10 s; buckets straddle it.
    buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 8, 10],
    registers: [registry],
  });
  return {
    observe(controller, hook, outcome, statusCode, seconds) {
      requests.inc({ controller, hook, outcome, code: String(statusCode) });
      duration.observe({ controller, hook, outcome }, seconds);
    },
    render: () => registry.metrics(),
    contentType: registry.contentType,
  };
}
