import { describe, expect, it } from "vitest";
import { nodeRunState, runIdPrefix } from "./run-summary";

describe("nodeRunState", () => {
  it("is the node's own state when it has one", () => {
    const own = { status: "done" as const };
    expect(nodeRunState({ a: own, "a/x": { status: "error" } }, "a")).toBe(own);
  });

  it("shows a subgraph node's most telling inner state, with the message naming the inner node", () => {
    const states = {
      "prep/a": { status: "done" as const },
      "prep/b": { status: "error" as const, message: "Crop inside Prep: width too small" },
      "prepare/c": { status: "running" as const },
      other: { status: "running" as const },
    };
    expect(nodeRunState(states, "prep")).toEqual(states["prep/b"]);
    expect(
      nodeRunState(
        {
          "prep/a": { status: "cached" as const },
          "prep/b": { status: "running" as const, message: "Crop inside Prep" },
        },
        "prep",
      )?.status,
    ).toBe("running");
    expect(
      nodeRunState(
        { "prep/a": { status: "cached" as const }, "prep/b": { status: "done" as const } },
        "prep",
      )?.status,
    ).toBe("done");
    expect(nodeRunState(states, "nothing")).toBeUndefined();
  });
});

describe("runIdPrefix", () => {
  it("is empty at the workflow's level and names the opened nodes inside", () => {
    expect(runIdPrefix([])).toBe("");
    expect(runIdPrefix([{ nodeId: "prep" }, { nodeId: "inner" }])).toBe("prep/inner/");
  });
});
