import { describe, expect, it } from "vitest";
import { emptyWorkflow } from "@/nodes/core/document";
import { useSweep } from "./sweep-store";

const spec = {
  axes: [{ nodeId: "a", param: "width", values: { kind: "list" as const, values: [1, 2] } }],
  output: "a",
};

describe("sweep store", () => {
  it("picks two cells for comparing: a third drops the oldest, a second click unpicks", () => {
    const s = useSweep.getState;
    s().begin(emptyWorkflow(), spec, [{ label: "A · width", values: ["1", "2", "3"] }], 3);
    s().pick(0);
    s().pick(1);
    expect(s().picked).toEqual([0, 1]);
    s().pick(2);
    expect(s().picked).toEqual([1, 2]);
    s().pick(1);
    expect(s().picked).toEqual([2]);
  });

  it("marks the cells a cancelled sweep never reached as cancelled", () => {
    const s = useSweep.getState;
    s().begin(emptyWorkflow(), spec, [{ label: "A · width", values: ["1", "2", "3"] }], 3);
    s().update(0, { status: "done", ms: 5 });
    s().update(1, { status: "running" });
    s().finish();
    expect(s().cells.map((c) => c.status)).toEqual(["done", "cancelled", "cancelled"]);
    expect(s().running).toBe(false);
  });
});
