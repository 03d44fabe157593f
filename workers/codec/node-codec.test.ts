import sharp from "sharp";
import { describe, expect, it } from "vitest";
import { createImage } from "../../nodes/core/image";
import { nodeCodec } from "./node-codec";

describe("nodeCodec", () => {
  it("round-trips RGBA losslessly through PNG, transparent colours included", async () => {
    const image = createImage(5, 3);
    for (let i = 0; i < image.data.length; i++) image.data[i] = (i * 37) % 256;
    const png = await nodeCodec.encodePng(image);
    expect(Array.from(png.subarray(1, 4))).toEqual([0x50, 0x4e, 0x47]);
    const back = await nodeCodec.decode(png);
    expect(back).toMatchObject({ kind: "image", width: 5, height: 3 });
    expect(back.data).toEqual(image.data);
  });

  it("decodes grey, opaque RGB and 16-bit files to 8-bit RGBA", async () => {
    const greyPng = (
      await sharp({ create: { width: 2, height: 2, channels: 3, background: "#404040" } })
        .greyscale()
        .png()
        .toUint8Array()
    ).data;
    expect(Array.from((await nodeCodec.decode(greyPng)).data.subarray(0, 4))).toEqual([
      64, 64, 64, 255,
    ]);
    const wide = (
      await sharp({ create: { width: 2, height: 1, channels: 3, background: "#ff8000" } })
        .toColourspace("rgb16")
        .png()
        .toUint8Array()
    ).data;
    expect(wide[24]).toBe(16); // IHDR bit depth: really a 16-bit file
    expect(Array.from((await nodeCodec.decode(wide)).data.subarray(0, 4))).toEqual([
      255, 128, 0, 255,
    ]);
  });

  it("returns pixels in a buffer of their own (transferable)", async () => {
    const png = await nodeCodec.encodePng(createImage(4, 4));
    const image = await nodeCodec.decode(png);
    expect(image.data.byteOffset).toBe(0);
    expect(image.data.buffer.byteLength).toBe(4 * 4 * 4);
  });

  it("throws a readable error for corrupt data", async () => {
    await expect(nodeCodec.decode(new Uint8Array([1, 2, 3, 4]))).rejects.toThrow(
      /corrupt or not a PNG, JPEG or WebP/,
    );
  });
});
