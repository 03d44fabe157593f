/**
 * What the load bench measured, summed up: latency percentiles per route and per method, request
 * counts, errors, and the targets met or not. Pure, so the maths has tests (load-stats.test.ts).
 */

/** One answered (or failed) request. */
export interface Sample {
  /** "GET /api/workflows/:id": the method and the route with its parameters named. */
  readonly route: string;
  /** Time from sending the request to having read the whole answer. */
  readonly ms: number;
  /** HTTP status, or 0 when no answer came (refused connection, timeout). */
  readonly status: number;
  /** An answer the simulated user expected: a 2xx, or a 409 on a save. */
  readonly expected: boolean;
}

export interface RouteStats {
  readonly route: string;
  readonly count: number;
  /** Refused saves (409) the user expected: not errors. */
  readonly conflicts: number;
  readonly errors: number;
  readonly p50: number;
  readonly p95: number;
  readonly p99: number;
  readonly max: number;
}

/**
 * The nearest-rank percentile of sorted values: the smallest value that at least p % of the values
 * are at or below. NaN for no values, so an empty route can never pass a target.
 */
export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1];
}

export function routeStats(route: string, samples: readonly Sample[]): RouteStats {
  const sorted = samples.map((s) => s.ms).sort((a, b) => a - b);
  return {
    route,
    count: samples.length,
    conflicts: samples.filter((s) => s.expected && s.status === 409).length,
    errors: samples.filter((s) => !s.expected).length,
    p50: percentile(sorted, 50),
    p95: percentile(sorted, 95),
    p99: percentile(sorted, 99),
    max: sorted.length > 0 ? sorted[sorted.length - 1] : Number.NaN,
  };
}

export function methodOf(route: string): string {
  return route.split(" ", 1)[0];
}

function groupBy(samples: readonly Sample[], key: (s: Sample) => string): Map<string, Sample[]> {
  const groups = new Map<string, Sample[]>();
  for (const s of samples) {
    const k = key(s);
    let list = groups.get(k);
    if (!list) groups.set(k, (list = []));
    list.push(s);
  }
  return groups;
}

/** One row per route, sorted by route, then one per method ("GET (all)"), then "all". */
export function summarize(samples: readonly Sample[]): {
  routes: RouteStats[];
  methods: RouteStats[];
  all: RouteStats;
} {
  const byName = (a: RouteStats, b: RouteStats) => a.route.localeCompare(b.route);
  const routes = [...groupBy(samples, (s) => s.route)].map(([r, list]) => routeStats(r, list));
  const methods = [...groupBy(samples, (s) => methodOf(s.route))].map(([m, list]) =>
    routeStats(`${m} (all)`, list),
  );
  return {
    routes: routes.sort(byName),
    methods: methods.sort(byName),
    all: routeStats("all", samples),
  };
}

export interface Target {
  readonly name: string;
  readonly met: boolean;
  /** What was measured, e.g. "p95 41.2 ms over 12,034 requests". */
  readonly measured: string;
}

export interface TargetLimits {
  /** Latency limit for reads (every GET), at p95. */
  readonly readP95Ms: number;
  /** Latency limit for saves (PUT of a workflow), at p95. */
  readonly saveP95Ms: number;
}

export const SAVE_ROUTE = "PUT /api/workflows/:id";

function latencyTarget(name: string, samples: readonly Sample[], limit: number): Target {
  const stats = routeStats(name, samples);
  return {
    name: `${name} p95 < ${limit} ms`,
    met: stats.count > 0 && stats.p95 < limit,
    measured:
      stats.count > 0
        ? `p95 ${ms(stats.p95)} ms over ${stats.count} requests`
        : "no requests: nothing measured",
  };
}

export function checkTargets(samples: readonly Sample[], limits: TargetLimits): Target[] {
  const errors = samples.filter((s) => !s.expected);
  const kinds = [...new Set(errors.map((s) => `${s.route} → ${s.status || "no answer"}`))];
  return [
    {
      name: "0 errors other than the expected 409s",
      met: errors.length === 0 && samples.length > 0,
      measured:
        errors.length === 0
          ? `0 errors in ${samples.length} requests`
          : `${errors.length} errors: ${kinds.slice(0, 5).join(", ")}${kinds.length > 5 ? ", …" : ""}`,
    },
    latencyTarget(
      "reads",
      samples.filter((s) => methodOf(s.route) === "GET"),
      limits.readP95Ms,
    ),
    latencyTarget(
      "saves",
      samples.filter((s) => s.route === SAVE_ROUTE),
      limits.saveP95Ms,
    ),
  ];
}

/** Milliseconds with one decimal; "-" for nothing measured. */
export function ms(value: number): string {
  return Number.isNaN(value) ? "-" : value.toFixed(1);
}

/** A fixed-width text table: the route left-aligned, the numbers right-aligned. */
export function formatTable(rows: readonly RouteStats[]): string {
  const header = ["route", "requests", "409s", "errors", "p50 ms", "p95 ms", "p99 ms", "max ms"];
  const cells = rows.map((r) => [
    r.route,
    String(r.count),
    String(r.conflicts),
    String(r.errors),
    ms(r.p50),
    ms(r.p95),
    ms(r.p99),
    ms(r.max),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...cells.map((c) => c[i].length)));
  const line = (c: readonly string[]) =>
    c.map((v, i) => (i === 0 ? v.padEnd(widths[i]) : v.padStart(widths[i]))).join("  ");
  const rule = widths.map((w) => "-".repeat(w)).join("  ");
  return [line(header), rule, ...cells.map(line)].join("\n");
}
