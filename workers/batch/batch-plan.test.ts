import { describe, expect, it } from "vitest";
import { crossBatch, MAX_BATCH_RUNS, newBatchId } from "./batch-plan";

const items = (...names: string[]) => names.map((name) => ({ name, value: name.toUpperCase() }));

describe("crossBatch", () => {
  it("gives one run per image of a single node", () => {
    const cells = crossBatch([{ nodeId: "photo", items: items("a", "b", "c") }]);
    expect(cells.map((c) => [c.index, c.inputs.photo.name])).toEqual([
      [0, "a"],
      [1, "b"],
      [2, "c"],
    ]);
  });

  it("crosses two nodes, the first varying slowest", () => {
    const cells = crossBatch([
      { nodeId: "person", items: items("p1", "p2") },
      { nodeId: "garment", items: items("g1", "g2", "g3") },
    ]);
    expect(cells).toHaveLength(6);
    expect(cells.map((c) => `${c.inputs.person.name}×${c.inputs.garment.name}`)).toEqual([
      "p1×g1",
      "p1×g2",
      "p1×g3",
      "p2×g1",
      "p2×g2",
      "p2×g3",
    ]);
    expect(cells[4].inputs.garment.value).toBe("G2");
  });

  it("refuses what is not a batch, naming why", () => {
    expect(() => crossBatch([])).toThrow(/at least one/);
    expect(() => crossBatch([{ nodeId: "a", items: [] }])).toThrow(/no images picked for node "a"/);
    expect(() =>
      crossBatch([
        { nodeId: "a", items: items("x") },
        { nodeId: "a", items: items("y") },
      ]),
    ).toThrow(/picked twice/);
    const three = ["a", "b", "c"].map((nodeId) => ({ nodeId, items: items("x") }));
    expect(() => crossBatch(three)).toThrow(/at most two/);
  });

  it("refuses more runs than the limit, with the product spelled out", () => {
    const many = Array.from({ length: 40 }, (_, i) => `i${i}`);
    expect(() =>
      crossBatch([
        { nodeId: "a", items: items(...many) },
        { nodeId: "b", items: items(...many) },
      ]),
    ).toThrow(`40 × 40 = 1600 runs; a batch holds at most ${MAX_BATCH_RUNS}`);
  });
});

describe("newBatchId", () => {
  it("makes ids the run API accepts, different each time", () => {
    const a = newBatchId();
    const b = newBatchId();
    expect(a).toMatch(/^[A-Za-z0-9_-]{1,64}$/);
    expect(a).not.toBe(b);
  });
});
