import sharp, { type Sharp } from "sharp";
import { describe, expect, it } from "vitest";
import { readImageHeader } from "./image-header";

/** A 3-channel noise-free test picture of the given size, encoded by `format`. */
function picture(width: number, height: number, alpha = false): Sharp {
  return sharp({
    create: {
      width,
      height,
      channels: alpha ? 4 : 3,
      background: alpha ? { r: 10, g: 200, b: 30, alpha: 0.5 } : { r: 10, g: 200, b: 30 },
    },
  });
}

async function encoded(s: Sharp): Promise<Uint8Array> {
  return (await s.toUint8Array()).data;
}

describe("readImageHeader", () => {
  it("reads PNG dimensions from IHDR", async () => {
    const bytes = await encoded(picture(37, 21).png());
    expect(readImageHeader(bytes)).toEqual({ format: "png", width: 37, height: 21 });
  });

  it("reads a PNG header claiming a huge size without needing the rest of the file", () => {
    const bytes = new Uint8Array(33);
    bytes.set([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13], 0);
    bytes.set(
      [..."IHDR"].map((c) => c.charCodeAt(0)),
      12,
    );
    new DataView(bytes.buffer).setUint32(16, 100_000);
    new DataView(bytes.buffer).setUint32(20, 70_000);
    expect(readImageHeader(bytes)).toEqual({ format: "png", width: 100_000, height: 70_000 });
  });

  it("reads baseline and progressive JPEG frames, skipping EXIF before the frame header", async () => {
    const baseline = await encoded(picture(64, 48).jpeg());
    expect(readImageHeader(baseline)).toEqual({ format: "jpeg", width: 64, height: 48 });
    const progressive = await encoded(
      picture(50, 70).jpeg({ progressive: true }).withMetadata({ orientation: 6 }),
    );
    // The header gives the stored size; orientation is the decoder's business.
    expect(readImageHeader(progressive)).toEqual({ format: "jpeg", width: 50, height: 70 });
  });

  it("reads lossy (VP8), lossless (VP8L) and extended (VP8X) WebP", async () => {
    const lossy = await encoded(picture(101, 33).webp({ quality: 80 }));
    expect(String.fromCharCode(...lossy.subarray(12, 16))).toBe("VP8 ");
    expect(readImageHeader(lossy)).toEqual({ format: "webp", width: 101, height: 33 });

    const lossless = await encoded(picture(17, 300).webp({ lossless: true }));
    expect(String.fromCharCode(...lossless.subarray(12, 16))).toBe("VP8L");
    expect(readImageHeader(lossless)).toEqual({ format: "webp", width: 17, height: 300 });

    const extended = await encoded(picture(640, 2, true).webp({ quality: 80, alphaQuality: 50 }));
    expect(String.fromCharCode(...extended.subarray(12, 16))).toBe("VP8X");
    expect(readImageHeader(extended)).toEqual({ format: "webp", width: 640, height: 2 });
  });

  it("returns null for unknown signatures, truncated headers and empty input", async () => {
    expect(readImageHeader(new Uint8Array())).toBeNull();
    expect(readImageHeader(new TextEncoder().encode("GIF89a……"))).toBeNull();
    expect(readImageHeader(new TextEncoder().encode("not an image at all"))).toBeNull();
    const png = await encoded(picture(5, 5).png());
    expect(readImageHeader(png.subarray(0, 20))).toBeNull();
    const jpeg = await encoded(picture(5, 5).jpeg());
    // Cut inside the segments before the frame header.
    expect(readImageHeader(jpeg.subarray(0, 30))).toBeNull();
    const webp = await encoded(picture(5, 5).webp());
    expect(readImageHeader(webp.subarray(0, 22))).toBeNull();
  });

  it("rejects a zero-sized PNG header", () => {
    const bytes = new Uint8Array(24);
    bytes.set([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13], 0);
    bytes.set(
      [..."IHDR"].map((c) => c.charCodeAt(0)),
      12,
    );
    expect(readImageHeader(bytes)).toBeNull();
  });
});
