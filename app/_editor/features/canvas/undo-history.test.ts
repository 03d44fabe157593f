import { describe, expect, it } from "vitest";
import { emptyHistory, GROUP_WINDOW_MS, HISTORY_LIMIT, record, redo, undo } from "./undo-history";

describe("history", () => {
  it("undoes and redoes in order", () => {
    let h = emptyHistory<number>();
    h = record(h, 0);
    h = record(h, 1);
    const u1 = undo(h, 2)!;
    expect(u1.state).toBe(1);
    const u2 = undo(u1.history, u1.state)!;
    expect(u2.state).toBe(0);
    expect(undo(u2.history, u2.state)).toBeNull();
    const r1 = redo(u2.history, u2.state)!;
    expect(r1.state).toBe(1);
    const r2 = redo(r1.history, r1.state)!;
    expect(r2.state).toBe(2);
    expect(redo(r2.history, r2.state)).toBeNull();
  });

  it("groups rapid edits of one field into one step", () => {
    let h = emptyHistory<string>();
    h = record(h, "", "n1.width", 1000);
    h = record(h, "1", "n1.width", 1100);
    h = record(h, "10", "n1.width", 1200);
    expect(h.past).toEqual([""]);
    h = record(h, "102", "n1.height", 1300);
    expect(h.past).toEqual(["", "102"]);
    h = record(h, "x", "n1.height", 1300 + GROUP_WINDOW_MS + 1);
    expect(h.past).toHaveLength(3);
  });

  it("keeps at least 64 steps and drops the oldest beyond the limit", () => {
    let h = emptyHistory<number>();
    for (let i = 0; i < HISTORY_LIMIT + 10; i++) h = record(h, i);
    expect(HISTORY_LIMIT).toBeGreaterThanOrEqual(64);
    expect(h.past).toHaveLength(HISTORY_LIMIT);
    expect(h.past[0]).toBe(10);
  });

  it("a new edit clears the redo stack", () => {
    let h = record(emptyHistory<number>(), 0);
    h = undo(h, 1)!.history;
    expect(h.future).toHaveLength(1);
    h = record(h, 0);
    expect(h.future).toHaveLength(0);
  });
});
