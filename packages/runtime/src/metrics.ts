import { collectDefaultMetrics, Registry } from "prom-client";

/** One label set's counters: bound once, then updated with plain arithmetic per call. */
export interface MetricCell {
  readonly controller: string;
  readonly hook: string;
  readonly outcome: string;
  readonly code: string;
  count: number;
  sum: number;
  /** Calls per bucket (not cumulative); the last one is `+Inf`. */
  readonly buckets: number[];
}

/** The server's Prometheus metrics, in a registry of its own. */
export interface HookMetrics {
  /** The cell of a label set, made on first use. */
  cell(controller: string, hook: string, outcome: string, statusCode: number): MetricCell;
  /** Counts one call of `seconds` in a cell. */
  record(cell: MetricCell, seconds: number): void;
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

// Metacontroller's default webhook timeout is 10 s; buckets straddle it.
const BUCKETS = [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 8, 10] as const;

interface Sample {
  metricName?: string;
  labels: { [name: string]: string | number };
  value: number;
}

/**
 * Creates the per-server registry: hook call counts and durations, plus process metrics.
 * The hook metrics keep plain numbers per label set and are turned into Prometheus
 * samples only when scraped, so a call costs a map lookup and a few additions instead of
 * prom-client's label hashing on every update.
 */
export function createMetrics(): HookMetrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const cells = new Map<string, MetricCell>();

  const cell = (controller: string, hook: string, outcome: string, statusCode: number) => {
    const key = `${controller}\u0000${hook}\u0000${outcome}\u0000${statusCode}`;
    let found = cells.get(key);
    if (found === undefined) {
      found = {
        controller,
        hook,
        outcome,
        code: String(statusCode),
        count: 0,
        sum: 0,
        buckets: new Array<number>(BUCKETS.length + 1).fill(0),
      };
      cells.set(key, found);
    }
    return found;
  };
  const record = (c: MetricCell, seconds: number) => {
    c.count++;
    c.sum += seconds;
    let i = 0;
    while (i < BUCKETS.length && seconds > (BUCKETS[i] as number)) i++;
    (c.buckets as number[])[i] = (c.buckets[i] as number) + 1;
  };

  registry.registerMetric({
    name: "metahook_hook_requests_total",
    get: async () => ({
      name: "metahook_hook_requests_total",
      help: "Hook calls by controller, hook, outcome and HTTP status code.",
      type: "counter",
      aggregator: "sum",
      values: [...cells.values()].map(
        (c): Sample => ({
          labels: { controller: c.controller, hook: c.hook, outcome: c.outcome, code: c.code },
          value: c.count,
        }),
      ),
    }),
  } as never);
  registry.registerMetric({
    name: "metahook_hook_duration_seconds",
    get: async () => {
      // Cells are per status code; the histogram is per controller, hook and outcome.
      const series = new Map<
        string,
        { labels: Sample["labels"]; count: number; sum: number; buckets: number[] }
      >();
      for (const c of cells.values()) {
        const key = `${c.controller}\u0000${c.hook}\u0000${c.outcome}`;
        let s = series.get(key);
        if (s === undefined) {
          s = {
            labels: { controller: c.controller, hook: c.hook, outcome: c.outcome },
            count: 0,
            sum: 0,
            buckets: new Array<number>(BUCKETS.length + 1).fill(0),
          };
          series.set(key, s);
        }
        s.count += c.count;
        s.sum += c.sum;
        for (let i = 0; i < s.buckets.length; i++) {
          s.buckets[i] = (s.buckets[i] as number) + (c.buckets[i] as number);
        }
      }
      const values: Sample[] = [];
      for (const s of series.values()) {
        let cumulative = 0;
        for (let i = 0; i <= BUCKETS.length; i++) {
          cumulative += s.buckets[i] as number;
          values.push({
            metricName: "metahook_hook_duration_seconds_bucket",
            labels: { le: i < BUCKETS.length ? (BUCKETS[i] as number) : "+Inf", ...s.labels },
            value: cumulative,
          });
        }
        values.push({
          metricName: "metahook_hook_duration_seconds_sum",
          labels: s.labels,
          value: s.sum,
        });
        values.push({
          metricName: "metahook_hook_duration_seconds_count",
          labels: s.labels,
          value: s.count,
        });
      }
      return {
        name: "metahook_hook_duration_seconds",
        help: "Time to answer a hook call, by controller, hook and outcome.",
        type: "histogram",
        aggregator: "sum",
        values,
      };
    },
  } as never);

  return {
    cell,
    record,
    observe(controller, hook, outcome, statusCode, seconds) {
      record(cell(controller, hook, outcome, statusCode), seconds);
    },
    render: () => registry.metrics(),
    contentType: registry.contentType,
  };
}
