import { describe, expect, it } from "vitest";
import { backoffDelay, gaveUpMessage } from "./retry";

describe("retry policy", () => {
  it("doubles the wait before each further try", () => {
    const policy = { attempts: 4, backoffMs: 100 };
    expect([2, 3, 4].map((n) => backoffDelay(policy, n))).toEqual([100, 200, 400]);
  });

  it("says the failure was the server's, with the last error", () => {
    expect(gaveUpMessage({ attempts: 3, backoffMs: 1 }, "ECONNREFUSED")).toBe(
      "failed 3 times on the server's side (not the workflow's): ECONNREFUSED",
    );
  });
});
