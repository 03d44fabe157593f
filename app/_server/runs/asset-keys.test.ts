import { describe, expect, it } from "vitest";
import { outputKey } from "@/workers/queue/output-keys";
import { assertAssetKey, isAssetKey, MAX_KEY_LENGTH, uploadKey } from "./asset-keys";

describe("asset keys", () => {
  it("accepts nested safe keys", () => {
    for (const key of ["uploads/" + "a".repeat(64), "runs/ck1/node_1/image.png", "a", "x-1/y.z"]) {
      expect(isAssetKey(key), key).toBe(true);
    }
  });

  it("refuses anything that could leave the store's folder or hide a file", () => {
    for (const key of [
      "",
      "../etc/passwd",
      "runs/../../x",
      "/abs",
      "a//b",
      "a/",
      ".hidden",
      "a/./b",
      "a\\b",
      "a/b\0",
      "c:/x",
      "a b",
      "é",
      "x".repeat(MAX_KEY_LENGTH + 1),
    ]) {
      expect(isAssetKey(key), JSON.stringify(key)).toBe(false);
      expect(() => assertAssetKey(key)).toThrow();
    }
  });

  it("accepts every key workers/queue derives for outputs, and names uploads", () => {
    for (const name of ["image.png", "image-0.png", "my file (1).png", "ünï.png"]) {
      expect(isAssetKey(outputKey("cm1abc", "node_1", name)), name).toBe(true);
    }
    expect(uploadKey("ab")).toBe("uploads/ab");
  });
});
