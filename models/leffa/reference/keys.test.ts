import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { SD15_UNET, SD15_VAE, SDXL_UNET } from "../config";
import { type KeyShape, unetKeyShapes, vaeKeyShapes } from "./keys";

/** key → "shape status" from the published key layouts (leffa-keys.md companion files). */
function published(file: string, prefix: string): Map<string, string> {
  const text = readFileSync(path.join(__dirname, "..", "testdata", file), "utf8");
  const rows = text
    .split("\n")
    .filter((line) => line && !line.startsWith("#"))
    .map((line) => line.split("\t"));
  return new Map(
    rows
      .filter(([key]) => key.startsWith(prefix))
      .map(([key, shape, status]) => [
        key.slice(prefix.length),
        `${shape.replace(/\s/g, "")} ${status === "live" ? "live" : "dead"}`,
      ]),
  );
}

const ours = (keys: KeyShape[]) =>
  new Map(keys.map((k) => [k.key, `${JSON.stringify(k.shape)} ${k.live ? "live" : "dead"}`]));

describe("reference key enumeration", () => {
  it.each([
    ["unet_encoder.", "ref"],
    ["unet.", "gen"],
  ] as const)("matches the SD1.5 %s layout key for key, shape and liveness", (prefix, role) => {
    const expected = published("leffa-keys-virtual_tryon.tsv", prefix);
    expect(expected.size).toBe(686);
    expect(ours(unetKeyShapes(SD15_UNET, role))).toEqual(expected);
  });

  it.each([
    ["unet_encoder.", "ref"],
    ["unet.", "gen"],
  ] as const)("matches the SDXL %s layout apart from the dead add_embedding", (prefix, role) => {
    const expected = published("leffa-keys-pose_transfer.tsv", prefix);
    for (const key of expected.keys()) if (key.startsWith("add_embedding.")) expected.delete(key);
    expect(ours(unetKeyShapes(SDXL_UNET, role))).toEqual(expected);
  });

  it("matches the SD VAE layout", () => {
    const expected = published("leffa-keys-virtual_tryon.tsv", "vae.");
    expect(expected.size).toBe(248);
    expect(ours(vaeKeyShapes(SD15_VAE))).toEqual(expected);
  });
});
