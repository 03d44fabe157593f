import { describe, expect, it } from "vitest";
import { WorkflowParseError } from "../../nodes/core/document";
import { normalizeTag, normalizeTags, TAGS_MAX } from "./tags";

describe("tags", () => {
  it("trims, lower-cases, collapses spaces and drops duplicates and blanks", () => {
    expect(normalizeTag("  Virtual   Try-On ")).toBe("virtual try-on");
    expect(normalizeTags(["Pose", "pose ", "", "  ", "Upscale x4"])).toEqual([
      "pose",
      "upscale x4",
    ]);
  });

  it("keeps letters of any script", () => {
    expect(normalizeTags(["Vêtement", "衣服"])).toEqual(["vêtement", "衣服"]);
  });

  it("refuses markup, over-long tags and too many tags, naming the tag", () => {
    expect(() => normalizeTags(["ok", "<script>"])).toThrow(/tags\[1\]/);
    expect(() => normalizeTags(["x".repeat(41)])).toThrow(WorkflowParseError);
    const many = Array.from({ length: TAGS_MAX + 1 }, (_, i) => `t${i}`);
    expect(() => normalizeTags(many)).toThrow(/at most 20 tags/);
  });
});
