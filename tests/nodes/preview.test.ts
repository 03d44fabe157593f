import { describe, expect, it } from "vitest";
import { previewNode } from "../../nodes/preview";
import { solid } from "../helpers/images";
import { runNode } from "../helpers/node-context";

describe("preview", () => {
  it("shows the image and has no outputs", async () => {
    const image = solid(3, 2, [1, 2, 3, 255]);
    const result = await runNode(previewNode, { image });
    expect(result.outputs).toEqual({});
    expect(result.ui?.images).toEqual([image]);
    expect(result.ui?.images?.[0]).toBe(image);
  });

  it("needs an image", async () => {
    await expect(runNode(previewNode, {})).rejects.toThrow(/"image" is not connected/);
  });
});
