import { existsSync, readFileSync } from "node:fs";
import sharp from "sharp";
import { describe, expect, it, vi } from "vitest";
import { isImage, isMask, type Mask, type RgbaImage } from "../../nodes/core/image";
import { NodeError } from "../../nodes/core/types";
import { loadImageNode, MAX_PIXELS } from "../../nodes/load-image";
import { resizeNode } from "../../nodes/resize";
import { nodeCodec } from "../../workers/codec/node-codec";
import { FIXTURES_DIR, fixture } from "../helpers/fixtures";
import { maskAt, pixel } from "../helpers/images";
import { makeTestContext, runNode } from "../helpers/node-context";

const ID = "a".repeat(64);

async function load(bytes: Uint8Array, ctx = makeTestContext({ assets: { [ID]: bytes } })) {
  const result = await runNode(loadImageNode, {}, { image: ID }, ctx);
  const { image, mask } = result.outputs;
  if (!isImage(image) || !isMask(mask)) throw new Error("expected an image and a mask");
  return { image, mask };
}

describe("load-image", () => {
  it("decodes a PNG and reads the mask from alpha (opaque = 1)", async () => {
    const raw = Buffer.from([255, 0, 0, 255, 0, 255, 0, 0, 0, 0, 255, 51]);
    const png = (
      await sharp(raw, { raw: { width: 3, height: 1, channels: 4 } })
        .png()
        .toUint8Array()
    ).data;
    const { image, mask } = await load(png);
    expect(image).toMatchObject({ width: 3, height: 1 });
    expect(pixel(image, 0, 0)).toEqual([255, 0, 0, 255]);
    expect(pixel(image, 2, 0)).toEqual([0, 0, 255, 51]);
    expect(Array.from(mask.data)).toEqual([1, 0, Math.fround(0.2)]);
  });

  it("applies EXIF orientation: a JPEG tagged 6 comes out rotated 90° clockwise", async () => {
    // 40×20: left half red, right half blue. Orientation 6 means "rotate 90° CW to display".
    const left = { r: 255, g: 0, b: 0 };
    const base = sharp({ create: { width: 40, height: 20, channels: 3, background: left } });
    const blue = await sharp({
      create: { width: 20, height: 20, channels: 3, background: { r: 0, g: 0, b: 255 } },
    })
      .png()
      .toBuffer();
    const jpeg = (
      await base
        .composite([{ input: blue, left: 20, top: 0 }])
        .jpeg({ quality: 95 })
        .withMetadata({ orientation: 6 })
        .toUint8Array()
    ).data;
    const { image } = await load(jpeg);
    expect(image).toMatchObject({ width: 20, height: 40 });
    // After a clockwise turn the left (red) half is on top, the blue half at the bottom.
    const [r1, , b1] = pixel(image, 10, 5);
    const [r2, , b2] = pixel(image, 10, 35);
    expect(r1).toBeGreaterThan(200);
    expect(b1).toBeLessThan(50);
    expect(r2).toBeLessThan(50);
    expect(b2).toBeGreaterThan(200);
  });

  it("loads WebP", async () => {
    const webp = (
      await sharp({ create: { width: 9, height: 4, channels: 4, background: "#10203040" } })
        .webp({ lossless: true })
        .toUint8Array()
    ).data;
    const { image, mask } = await load(webp);
    expect(image).toMatchObject({ width: 9, height: 4 });
    expect(maskAt(mask, 3, 3)).toBeCloseTo(0x40 / 255, 5);
  });

  it("asks for an image when none is chosen", async () => {
    await expect(runNode(loadImageNode, {}, { image: "" })).rejects.toThrow(
      new NodeError("no image chosen: pick a file, drop one or paste one"),
    );
  });

  it("passes on the context's error for an unknown asset", async () => {
    await expect(runNode(loadImageNode, {}, { image: ID })).rejects.toThrow(/no uploaded image/);
  });

  it("refuses unknown formats before decoding", async () => {
    const gif = new TextEncoder().encode("GIF89a\u0001\u0000\u0001\u0000");
    await expect(load(gif)).rejects.toThrow(
      new NodeError("unsupported or corrupt image: expected PNG, JPEG or WebP"),
    );
  });

  it("reports a corrupt body behind a valid header as a decode error", async () => {
    const png = (
      await sharp({ create: { width: 64, height: 64, channels: 3, background: "#123456" } })
        .png()
        .toUint8Array()
    ).data;
    const broken = Uint8Array.from(png.subarray(0, 60));
    const error = await load(broken).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(NodeError);
    expect((error as Error).message).toMatch(/^could not decode image: /);
  });

  it("refuses a header claiming more than 40 MP without decoding", async () => {
    const header = new Uint8Array(33);
    header.set([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13]);
    header.set([0x49, 0x48, 0x44, 0x52], 12); // "IHDR"
    new DataView(header.buffer).setUint32(16, 10_000);
    new DataView(header.buffer).setUint32(20, 10_000);
    const decode = vi.fn(nodeCodec.decode);
    const ctx = makeTestContext({
      assets: { [ID]: header },
      codec: { decode, encodePng: nodeCodec.encodePng },
    });
    await expect(load(header, ctx)).rejects.toThrow(
      new NodeError("image is 10000×10000 (100 MP); the limit is 40 MP — downscale it first"),
    );
    expect(decode).not.toHaveBeenCalled();
    expect(MAX_PIXELS).toBe(40_000_000);
  });

  describe.skipIf(!existsSync(FIXTURES_DIR))("real photograph (../shared/fixtures/images)", () => {
    it("loads person-upper-body.png and pads it onto Leffa's white 768×1024 canvas", async () => {
      const bytes = new Uint8Array(readFileSync(fixture("person-upper-body.png")));
      const { image, mask } = await load(bytes);
      expect(image).toMatchObject({ width: 563, height: 855 });
      const result = await runNode(
        resizeNode,
        { image, mask },
        { mode: "pad", width: 768, height: 1024, background: "#ffffff" },
      );
      const out = result.outputs.image as RgbaImage;
      const outMask = result.outputs.mask as Mask;
      expect(out).toMatchObject({ width: 768, height: 1024 });
      expect(outMask).toMatchObject({ width: 768, height: 1024 });
      // 563×855 scales by 1024/855 to 674×1024, centred: 47 px bars left, 47 right.
      for (const y of [0, 512, 1023]) {
        for (const x of [0, 46, 721, 767]) {
          expect(pixel(out, x, y)).toEqual([255, 255, 255, 255]);
          expect(maskAt(outMask, x, y)).toBe(0);
        }
      }
      // Inside the photo the pixels are the picture's, not the background.
      let nonWhite = 0;
      for (let y = 0; y < 1024; y += 8) {
        for (let x = 48; x < 720; x += 8)
          if (
            pixel(out, x, y)
              .slice(0, 3)
              .some((v) => v < 200)
          )
            nonWhite++;
      }
      expect(nonWhite).toBeGreaterThan(1000);
    });
  });
});
