import { describe, expect, it } from "vitest";
import type { Peak } from "./peaks";
import { firstPersonAsLeffa, ReindexError } from "./reindex";

/** Peaks at (10·id + 1, 20·id + 2) with score 0.5 + id / 100. */
const candidates = (n: number): Peak[] =>
  Array.from({ length: n }, (_, id) => ({
    x: 10 * id + 1,
    y: 20 * id + 2,
    score: 0.5 + id / 100,
    id,
  }));
const row = (ids: number[]) => Float64Array.from([...ids, 10, ids.filter((i) => i >= 0).length]);
const at = (id: number) => [10 * id + 1, 20 * id + 2, 0.5 + id / 100];

describe("firstPersonAsLeffa", () => {
  it("keeps a person whose part i is candidate i as it is, in 384×512 pixels", () => {
    const ids = Array.from({ length: 18 }, (_, i) => i);
    expect(firstPersonAsLeffa(candidates(18), [row(ids)], 384, 512)).toEqual(ids.map(at));
  });

  it("inserts [0, 0] for a missing part and shifts the later ids up", () => {
    // Part 2 missing: the other 17 parts are candidates 0..16 in part order.
    const ids = [0, 1, -1, ...Array.from({ length: 15 }, (_, i) => i + 2)];
    const points = firstPersonAsLeffa(candidates(17), [row(ids)], 384, 512)!;
    expect(points[2]).toEqual([0, 0, 0]);
    expect(points.filter((_, i) => i !== 2)).toEqual(Array.from({ length: 17 }, (_, id) => at(id)));
  });

  it("pops one foreign candidate before a part: the right point when one stands before it", () => {
    // Two nose peaks (ids 0 and 1), the person's is 1; its other parts are 2..18.
    const ids = Array.from({ length: 18 }, (_, i) => i + 1);
    const points = firstPersonAsLeffa(candidates(19), [row(ids)], 384, 512)!;
    expect(points).toEqual(ids.map(at));
  });

  it("pops only one per part: with two foreign noses before it, another person's nose is kept", () => {
    // Noses 0, 1, 2 (the person's is 2). i = 0 pops candidate 0; i = 1 sees id 2 (now 1 + 1)
    // and pops position 1 — the person's own nose — so position 0 keeps nose 1, not 2.
    const ids = Array.from({ length: 18 }, (_, i) => i + 2);
    const points = firstPersonAsLeffa(candidates(20), [row(ids)], 384, 512)!;
    expect(points[0]).toEqual(at(1));
    expect(points.slice(1)).toEqual(ids.slice(1).map(at));
  });

  it("divides by the image size and multiplies by 384 and 512, as the detector and run_openpose do", () => {
    const ids = Array.from({ length: 18 }, (_, i) => i);
    const points = firstPersonAsLeffa(candidates(18), [row(ids)], 768, 1024)!;
    expect(points[3]).toEqual([(31 / 768) * 384, (62 / 1024) * 512, 0.53]);
  });

  it("gives nobody without people, and fails where run_openpose's pop would", () => {
    expect(firstPersonAsLeffa(candidates(3), [], 384, 512)).toBeUndefined();
    // Ids [−1, 1, 0, …]: insert at 0, pop position 1, then part 2's pop finds a 2-long list.
    const ids = [-1, 1, 0, ...new Array(15).fill(-1)];
    expect(() => firstPersonAsLeffa(candidates(2), [row(ids)], 384, 512)).toThrow(ReindexError);
  });

  it("uses only the first person, and uses their row as assembled", () => {
    const ids = Array.from({ length: 18 }, (_, i) => i);
    const other = Array.from({ length: 18 }, (_, i) => 17 - i);
    expect(firstPersonAsLeffa(candidates(18), [row(ids), row(other)], 384, 512)).toEqual(
      ids.map(at),
    );
  });
});
