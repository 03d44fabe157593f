import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { writeTorchLegacy } from "../../tests/helpers/checkpoint-writers";
import { openPytorchLegacy } from "./pytorch-legacy";
import { exactSmallFloats, float16Bits, seededFloats } from "./test-data";

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), "pytorch-legacy-"));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe("openPytorchLegacy", () => {
  it("reads tensors, shared storages and float16 from the pre-1.6 format", async () => {
    const file = path.join(dir, "old.pth");
    const weight = seededFloats(3 * 4, 5);
    const halves = exactSmallFloats(6);
    const shared = Float32Array.from({ length: 8 }, (_, i) => i * 10);
    await writeTorchLegacy(
      file,
      {
        model: {
          "fc.weight": { dtype: "float32", shape: [3, 4], data: weight },
          "fc.half": { dtype: "float16", shape: [6], data: float16Bits(halves) },
          tail: { storage: "s", offset: 4, shape: [2, 2], stride: [1, 2] },
        },
      },
      { storages: { s: { dtype: "float32", data: shared } } },
    );
    const ckpt = await openPytorchLegacy(file);
    try {
      expect(ckpt.format).toBe("pytorch-legacy");
      expect(ckpt.tensors.map((t) => [t.name, t.dtype, t.shape])).toEqual([
        ["model.fc.weight", "float32", [3, 4]],
        ["model.fc.half", "float16", [6]],
        ["model.tail", "float32", [2, 2]],
      ]);
      expect(await ckpt.get("model.fc.weight")!.readFloat32()).toEqual(weight);
      expect(await ckpt.get("model.fc.half")!.readFloat32()).toEqual(halves);
      expect(Array.from(await ckpt.get("model.tail")!.readFloat32())).toEqual([40, 60, 50, 70]);
    } finally {
      await ckpt.close();
    }
  });

  it("reads a pickle longer than its first read window", async () => {
    // Enough tensors that the pickles run past the reader's first 1 MiB window.
    const file = path.join(dir, "many.pth");
    const tensors = Object.fromEntries(
      Array.from({ length: 6000 }, (_, i) => [
        `model.layers.${i}.attention.a_fairly_long_parameter_name.weight`,
        {
          dtype: "float32" as const,
          shape: [1],
          data: new Float32Array([i]),
        },
      ]),
    );
    await writeTorchLegacy(file, tensors);
    const ckpt = await openPytorchLegacy(file);
    expect(ckpt.tensors).toHaveLength(6000);
    expect(Array.from(await ckpt.tensors[5999].readFloat32())).toEqual([5999]);
    await ckpt.close();
  });

  it("refuses a truncated file and a wrong magic number", async () => {
    const file = path.join(dir, "whole.pth");
    await writeTorchLegacy(file, {
      w: { dtype: "float32", shape: [100], data: seededFloats(100, 1) },
    });
    const bytes = await readFile(file);
    await writeFile(path.join(dir, "cut.pth"), bytes.subarray(0, bytes.length - 10));
    await expect(openPytorchLegacy(path.join(dir, "cut.pth"))).rejects.toThrow(
      /^pytorch-legacy .*cut\.pth: the file ends inside storage/,
    );
    await writeFile(path.join(dir, "cut2.pth"), bytes.subarray(0, 40));
    await expect(openPytorchLegacy(path.join(dir, "cut2.pth"))).rejects.toThrow(
      /pytorch-legacy .*pickle truncated/,
    );
    const wrong = Buffer.from(bytes);
    wrong[5] ^= 0xff;
    await writeFile(path.join(dir, "magic.pth"), wrong);
    await expect(openPytorchLegacy(path.join(dir, "magic.pth"))).rejects.toThrow(
      /magic number is missing/,
    );
  });
});
