import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { writeSafetensors } from "../../tests/helpers/checkpoint-writers";
import { openSafetensors } from "./safetensors";
import { bfloat16Bits, exactSmallFloats, float16Bits, seededFloats } from "./test-data";

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), "safetensors-"));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** A hand-made file: header JSON as given, then `dataBytes` zero bytes. */
async function handMade(name: string, header: unknown, dataBytes: number): Promise<string> {
  const json = Buffer.from(JSON.stringify(header));
  const length = Buffer.alloc(8);
  length.writeBigUInt64LE(BigInt(json.length));
  const file = path.join(dir, name);
  await writeFile(file, Buffer.concat([length, json, Buffer.alloc(dataBytes)]));
  return file;
}

describe("openSafetensors", () => {
  it("reads every dtype and the metadata", async () => {
    const file = path.join(dir, "model.safetensors");
    const values = exactSmallFloats(12);
    const weights = seededFloats(24, 4);
    await writeSafetensors(
      file,
      {
        "a.weight": { dtype: "float32", shape: [2, 3, 4], data: weights },
        "a.half": { dtype: "float16", shape: [3, 4], data: float16Bits(values) },
        "a.brain": { dtype: "bfloat16", shape: [12], data: bfloat16Bits(values) },
        "a.double": { dtype: "float64", shape: [12], data: Float64Array.from(values) },
        "a.ids": { dtype: "int64", shape: [2], data: new BigInt64Array([3n, -4n]) },
        "a.mask": { dtype: "bool", shape: [3], data: new Uint8Array([1, 0, 1]) },
      },
      { format: "pt" },
    );
    const ckpt = await openSafetensors(file);
    try {
      expect(ckpt.format).toBe("safetensors");
      expect(ckpt.metadata).toEqual({ format: "pt" });
      expect(ckpt.tensors.map((t) => [t.name, t.dtype, t.shape, t.byteLength])).toEqual([
        ["a.weight", "float32", [2, 3, 4], 96],
        ["a.half", "float16", [3, 4], 24],
        ["a.brain", "bfloat16", [12], 24],
        ["a.double", "float64", [12], 96],
        ["a.ids", "int64", [2], 16],
        ["a.mask", "bool", [3], 3],
      ]);
      expect(await ckpt.get("a.weight")!.readFloat32()).toEqual(weights);
      expect(await ckpt.get("a.half")!.readFloat32()).toEqual(values);
      expect(await ckpt.get("a.brain")!.readFloat32()).toEqual(values);
      expect(await ckpt.get("a.double")!.readFloat32()).toEqual(values);
      expect(Array.from(await ckpt.get("a.ids")!.readFloat32())).toEqual([3, -4]);
      expect(Array.from(await ckpt.get("a.mask")!.readRaw())).toEqual([1, 0, 1]);
    } finally {
      await ckpt.close();
    }
  });

  it("refuses overlapping tensors, wrong sizes, unknown dtypes and offsets past the end", async () => {
    const t = (dtype: string, shape: number[], begin: number, end: number) => ({
      dtype,
      shape,
      data_offsets: [begin, end],
    });
    const overlap = await handMade(
      "overlap.safetensors",
      { a: t("F32", [2], 0, 8), b: t("F32", [2], 4, 12) },
      12,
    );
    await expect(openSafetensors(overlap)).rejects.toThrow(/tensors "a" and "b" overlap/);
    const size = await handMade("size.safetensors", { a: t("F32", [3], 0, 8) }, 8);
    await expect(openSafetensors(size)).rejects.toThrow(
      /"a" spans bytes \[0, 8\), but F32 \[3\] needs 12/,
    );
    const dtype = await handMade("dtype.safetensors", { a: t("F8_E4M3", [2], 0, 2) }, 2);
    await expect(openSafetensors(dtype)).rejects.toThrow(/dtype F8_E4M3, which is not supported/);
    const past = await handMade("past.safetensors", { a: t("F32", [4], 0, 16) }, 8);
    await expect(openSafetensors(past)).rejects.toThrow(/ends at byte 16 of a 8-byte data section/);
    const shape = await handMade(
      "shape.safetensors",
      { a: { dtype: "F32", shape: [-1], data_offsets: [0, 4] } },
      4,
    );
    await expect(openSafetensors(shape)).rejects.toThrow(/^safetensors .*tensor "a"/);
    const empties = await handMade(
      "empty.safetensors",
      { a: t("F32", [0], 0, 0), b: t("F32", [1], 0, 4) },
      4,
    );
    const ok = await openSafetensors(empties);
    expect(ok.tensors.map((x) => x.byteLength).sort()).toEqual([0, 4]);
    await ok.close();
  });

  it("refuses a truncated header, a huge header length and bad JSON", async () => {
    const file = path.join(dir, "whole.safetensors");
    await writeSafetensors(file, { a: { dtype: "float32", shape: [8], data: seededFloats(8, 2) } });
    const bytes = await readFile(file);
    await writeFile(path.join(dir, "cut.safetensors"), bytes.subarray(0, 20));
    await expect(openSafetensors(path.join(dir, "cut.safetensors"))).rejects.toThrow(
      /does not fit .*truncated/,
    );
    await writeFile(path.join(dir, "cut2.safetensors"), bytes.subarray(0, bytes.length - 4));
    await expect(openSafetensors(path.join(dir, "cut2.safetensors"))).rejects.toThrow(
      /"a" ends at byte 32 of a 28-byte/,
    );
    const huge = Buffer.from(bytes);
    huge.writeBigUInt64LE(1n << 40n);
    await writeFile(path.join(dir, "huge.safetensors"), huge);
    await expect(openSafetensors(path.join(dir, "huge.safetensors"))).rejects.toThrow(
      /over the 100 MB limit/,
    );
    const garbled = Buffer.from(bytes);
    garbled[9] = 0x7b; // {{"a": … is not JSON
    await writeFile(path.join(dir, "json.safetensors"), garbled);
    await expect(openSafetensors(path.join(dir, "json.safetensors"))).rejects.toThrow(
      /header is not valid JSON/,
    );
  });
});
