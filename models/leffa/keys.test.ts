import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { SD15_UNET, SD15_VAE, SDXL_UNET, TINY_UNET } from "./config";
import { refFeatureCount, unetKeys, vaeKeys } from "./keys";

function readTsv(name: string): string[] {
  const file = path.join(__dirname, "testdata", name);
  return readFileSync(file, "utf8")
    .split("\n")
    .filter((line) => line && !line.startsWith("#"));
}

const line = (prefix: string) => (k: { key: string; shape: number[]; status: string }) =>
  `${prefix}${k.key}\t[${k.shape.join(",")}]\t${k.status}`;

describe("Leffa key layout", () => {
  it("reproduces the 1,620 virtual_tryon keys, shapes and statuses in order", () => {
    const expected = readTsv("leffa-keys-virtual_tryon.tsv");
    const actual = [
      ...vaeKeys(SD15_VAE).map(line("vae.")),
      ...unetKeys(SD15_UNET, "ref").map(line("unet_encoder.")),
      ...unetKeys({ ...SD15_UNET, in_channels: 12 }, "gen").map(line("unet.")),
    ];
    expect(actual.length).toBe(1620);
    expect(actual).toEqual(expected);
  });

  it("reproduces the 3,608 pose_transfer (SDXL) keys, including add_embedding and the long ref tail", () => {
    const expected = readTsv("leffa-keys-pose_transfer.tsv");
    const actual = [
      ...vaeKeys(SD15_VAE).map(line("vae.")),
      ...unetKeys(SDXL_UNET, "ref").map(line("unet_encoder.")),
      ...unetKeys({ ...SDXL_UNET, in_channels: 12 }, "gen").map(line("unet.")),
    ];
    expect(actual.length).toBe(3608);
    expect(actual).toEqual(expected);
    expect(refFeatureCount(SDXL_UNET)).toBe(70);
  });

  it("counts 16 reference features for SD1.5 and 4 for the tiny UNet", () => {
    expect(refFeatureCount(SD15_UNET)).toBe(16);
    expect(refFeatureCount(TINY_UNET)).toBe(4);
  });
});
