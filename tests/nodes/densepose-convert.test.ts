import { describe, expect, it } from "vitest";
import type { RgbaImage } from "../../nodes/core/image";
import { denseposeConvertNode } from "../../nodes/densepose-convert";
import { renderDressCode, renderVitonHd } from "../../nodes/lib/densepose/encodings";
import { imageFrom } from "../helpers/images";
import { runNode } from "../helpers/node-context";

/** A 25×4 part map holding every part index 0..24 in each row. */
const W = 25;
const H = 4;
const parts = Uint8Array.from({ length: W * H }, (_, i) => i % W);

describe("DensePose Convert", () => {
  it("turns a VITON-HD parula image into DressCode's part indices, silently", async () => {
    const result = await runNode(
      denseposeConvertNode,
      { densepose: renderVitonHd(parts, W, H) },
      { from: "viton_hd", to: "dress_code" },
    );
    expect((result.outputs.densepose as RgbaImage).data).toEqual(renderDressCode(parts, W, H).data);
    expect(result.ui).toBeUndefined();
  });

  it("turns DressCode back into VITON-HD colours", async () => {
    const result = await runNode(
      denseposeConvertNode,
      { densepose: renderDressCode(parts, W, H) },
      { from: "dress_code", to: "viton_hd" },
    );
    expect((result.outputs.densepose as RgbaImage).data).toEqual(renderVitonHd(parts, W, H).data);
  });

  it("warns when the image does not look like the chosen source encoding", async () => {
    const photo = imageFrom(20, 10, (x, y) => [x * 12, 200 - y * 9, 90, 255]);
    const result = await runNode(
      denseposeConvertNode,
      { densepose: photo },
      { from: "dress_code", to: "viton_hd" },
    );
    expect(result.ui?.text).toMatch(/^\d+ % of the pixels are not dress_code values/);
  });
});
