import { existsSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import sharp from "sharp";
import { createImage, type RgbaImage } from "../../nodes/core/image";

/**
 * The shared real photographs: `FIXTURES_DIR`, else `shared/fixtures/images` beside the checkout,
 * else the workplace's copy (a CI clone may live elsewhere). Read in place, never copied into the
 * repository.
 */
export const FIXTURES_DIR = path.resolve(
  process.env.FIXTURES_DIR ??
    [
      fileURLToPath(new URL("../../../shared/fixtures/images/", import.meta.url)),
      "/work/shared/fixtures/images",
    ].find((dir) => existsSync(dir)) ??
    "/work/shared/fixtures/images",
);

export function fixture(name: "person-upper-body.png" | "two-people-bench.png"): string {
  return path.join(FIXTURES_DIR, name);
}

/** A crop of a fixture photograph as a studio image (RGBA8). */
export async function fixtureCrop(
  name: Parameters<typeof fixture>[0],
  rect: { left: number; top: number; width: number; height: number },
): Promise<RgbaImage> {
  const { data, info } = await sharp(fixture(name))
    .extract(rect)
    .ensureAlpha()
    .raw()
    .toBuffer({ resolveWithObject: true });
  return createImage(info.width, info.height, new Uint8ClampedArray(data));
}
