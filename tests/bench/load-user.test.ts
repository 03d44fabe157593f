import { describe, expect, it } from "vitest";
import { markerOf } from "./load-user";

describe("markerOf", () => {
  it("reads the first line of the marker note, and null without one", () => {
    const doc = (text: string) =>
      JSON.stringify({ nodes: [{ id: "about", type: "note", params: { text } }] });
    expect(markerOf(doc("load:r1:u0:w:s3\nVirtual try-on"))).toBe("load:r1:u0:w:s3");
    expect(markerOf(doc("Virtual try-on"))).toBeNull();
    expect(markerOf(JSON.stringify({ nodes: [] }))).toBeNull();
  });
});
