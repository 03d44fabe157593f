import { describe, expect, it } from "vitest";
import { ACTION_WEIGHTS, ACTIONS, libraryQuery, pickAction, thinkTime } from "./load-mix";

/** A fixed sequence of "random" numbers, repeated. */
function sequence(...values: number[]): () => number {
  let i = 0;
  return () => values[i++ % values.length];
}

describe("pickAction", () => {
  it("maps the unit interval onto the actions in proportion to their weights", () => {
    const total = ACTIONS.reduce((s, a) => s + ACTION_WEIGHTS[a], 0);
    const counts = new Map<string, number>();
    for (let k = 0; k < total; k++) {
      const action = pickAction(sequence((k + 0.5) / total));
      counts.set(action, (counts.get(action) ?? 0) + 1);
    }
    for (const a of ACTIONS) expect(counts.get(a) ?? 0).toBe(ACTION_WEIGHTS[a]);
  });

  it("never picks an action of weight zero", () => {
    const weights = { ...ACTION_WEIGHTS, list: 0, gallery: 0 };
    for (const r of [0, 0.3, 0.999999]) {
      expect(["list", "gallery"]).not.toContain(pickAction(sequence(r), weights));
    }
  });
});

describe("libraryQuery", () => {
  it("asks only what the library API accepts", () => {
    const allowed = new Set(["q", "tag", "sort", "kind", "limit"]);
    for (const r of [0, 0.1, 0.3, 0.6, 0.99]) {
      const params = new URLSearchParams(libraryQuery(sequence(r, 0.5, r)));
      for (const key of params.keys()) expect(allowed).toContain(key);
      expect(["updated", "created", "name", "opened"]).toContain(params.get("sort"));
      expect(["all", "mine", "templates"]).toContain(params.get("kind"));
    }
  });

  it("searches a quarter of the time and filters by tag a further share", () => {
    expect(new URLSearchParams(libraryQuery(sequence(0, 0.1, 0))).has("q")).toBe(true);
    expect(new URLSearchParams(libraryQuery(sequence(0, 0.3, 0))).has("tag")).toBe(true);
    const plain = new URLSearchParams(libraryQuery(sequence(0, 0.9, 0)));
    expect(plain.has("q") || plain.has("tag")).toBe(false);
  });
});

describe("thinkTime", () => {
  it("spans half to one and a half times the mean", () => {
    expect(thinkTime(sequence(0), 1000)).toBe(500);
    expect(thinkTime(sequence(0.5), 1000)).toBe(1000);
    expect(thinkTime(sequence(0.999), 1000)).toBeCloseTo(1499);
  });
});
