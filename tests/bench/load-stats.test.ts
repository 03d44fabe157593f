import { describe, expect, it } from "vitest";
import {
  checkTargets,
  formatTable,
  percentile,
  SAVE_ROUTE,
  summarize,
  type Sample,
} from "./load-stats";

function sample(route: string, ms: number, status = 200, expected = true): Sample {
  return { route, ms, status, expected };
}

describe("percentile", () => {
  it("is the nearest-rank value", () => {
    const values = Array.from({ length: 100 }, (_, i) => i + 1);
    expect(percentile(values, 50)).toBe(50);
    expect(percentile(values, 95)).toBe(95);
    expect(percentile(values, 99)).toBe(99);
    expect(percentile(values, 100)).toBe(100);
  });

  it("takes the value at or above the rank for few values", () => {
    expect(percentile([10, 20, 30], 50)).toBe(20);
    expect(percentile([10, 20, 30], 95)).toBe(30);
    expect(percentile([7], 99)).toBe(7);
    expect(percentile([10, 20], 0)).toBe(10);
  });

  it("is NaN for nothing measured", () => {
    expect(percentile([], 50)).toBeNaN();
  });
});

describe("summarize", () => {
  it("groups by route and by method and counts 409s apart from errors", () => {
    const samples = [
      sample("GET /api/workflows", 5),
      sample("GET /api/workflows", 15),
      sample("GET /s/:token", 30),
      sample(SAVE_ROUTE, 40),
      sample(SAVE_ROUTE, 20, 409),
      sample(SAVE_ROUTE, 900, 500, false),
    ];
    const { routes, methods, all } = summarize(samples);
    expect(routes.map((r) => r.route)).toEqual(["GET /api/workflows", "GET /s/:token", SAVE_ROUTE]);
    const save = routes[2];
    expect(save).toMatchObject({ count: 3, conflicts: 1, errors: 1, p50: 40, max: 900 });
    expect(methods.map((m) => [m.route, m.count])).toEqual([
      ["GET (all)", 3],
      ["PUT (all)", 3],
    ]);
    expect(all).toMatchObject({ route: "all", count: 6, errors: 1, conflicts: 1 });
  });
});

describe("checkTargets", () => {
  const limits = { readP95Ms: 100, saveP95Ms: 200 };

  it("meets all three when reads and saves are fast and nothing failed", () => {
    const samples = [
      ...Array.from({ length: 20 }, (_, i) => sample("GET /api/workflows", 10 + i)),
      ...Array.from({ length: 20 }, (_, i) => sample(SAVE_ROUTE, 50 + i, i % 4 ? 200 : 409)),
    ];
    const targets = checkTargets(samples, limits);
    expect(targets.map((t) => t.met)).toEqual([true, true, true]);
    expect(targets[1].measured).toBe("p95 28.0 ms over 20 requests");
  });

  it("fails on any unexpected status, naming the route", () => {
    const targets = checkTargets(
      [sample("GET /api/workflows", 10), sample("POST /api/share/:token/fork", 10, 500, false)],
      limits,
    );
    expect(targets[0].met).toBe(false);
    expect(targets[0].measured).toContain("POST /api/share/:token/fork → 500");
  });

  it("fails a slow p95 and a target with nothing measured", () => {
    const slowReads = Array.from({ length: 20 }, (_, i) =>
      sample("GET /api/workflows", i < 18 ? 10 : 150),
    );
    const targets = checkTargets(slowReads, limits);
    expect(targets[1]).toMatchObject({ met: false, measured: "p95 150.0 ms over 20 requests" });
    expect(targets[2]).toMatchObject({ met: false, measured: "no requests: nothing measured" });
  });
});

describe("formatTable", () => {
  it("aligns a header, a rule and one line per row", () => {
    const text = formatTable(summarize([sample("GET /x", 1.25), sample("GET /x", 3)]).routes);
    const lines = text.split("\n");
    expect(lines).toHaveLength(3);
    expect(lines[0]).toMatch(/^route\s+requests\s+409s\s+errors\s+p50 ms/);
    expect(lines[2]).toMatch(/^GET \/x\s+2\s+0\s+0\s+1\.3\s+3\.0\s+3\.0\s+3\.0$/);
    expect(new Set(lines.map((l) => l.length)).size).toBe(1);
  });
});
