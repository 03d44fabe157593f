import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  writeDetectron2Pkl,
  writeSafetensors,
  writeTorchLegacy,
  writeTorchZip,
} from "../../tests/helpers/checkpoint-writers";
import { detectCheckpointFormat, openCheckpoint } from "./index";

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), "checkpoint-"));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const w = { w: { dtype: "float32" as const, shape: [2], data: new Float32Array([1.25, -3]) } };

describe("openCheckpoint", () => {
  const writers = {
    "pytorch-zip": (f: string) => writeTorchZip(f, w),
    "pytorch-legacy": (f: string) => writeTorchLegacy(f, w),
    safetensors: (f: string) => writeSafetensors(f, w),
    "pickle-numpy": (f: string) => writeDetectron2Pkl(f, w),
  };
  for (const [format, write] of Object.entries(writers)) {
    it(`recognises ${format} by its first bytes, whatever the file is called`, async () => {
      const file = path.join(dir, `${format}.bin`);
      await write(file);
      const ckpt = await openCheckpoint(file);
      expect(ckpt.format).toBe(format);
      const name = format === "pickle-numpy" ? "model.w" : "w";
      expect(Array.from(await ckpt.get(name)!.readFloat32())).toEqual([1.25, -3]);
      await ckpt.close();
    });
  }

  it("names the bytes it does not recognise, and an empty file", async () => {
    await writeFile(path.join(dir, "junk.bin"), Buffer.from("GIF89a....."));
    await expect(openCheckpoint(path.join(dir, "junk.bin"))).rejects.toThrow(
      /^checkpoint .*junk\.bin: unrecognised format \(first bytes: 47 49 46 38/,
    );
    await writeFile(path.join(dir, "empty.bin"), "");
    await expect(openCheckpoint(path.join(dir, "empty.bin"))).rejects.toThrow(
      /none, the file is empty/,
    );
  });

  it("does not take a pickle or a huge length for safetensors", () => {
    const header = (n: bigint, next: number) => {
      const b = new Uint8Array(16);
      new DataView(b.buffer).setBigUint64(0, n, true);
      b[8] = next;
      return b;
    };
    expect(detectCheckpointFormat(header(10n, 0x7b), 100)).toBe("safetensors");
    expect(detectCheckpointFormat(header(1000n, 0x7b), 100)).toBeUndefined();
    expect(detectCheckpointFormat(header(10n, 0x20), 100)).toBeUndefined();
    expect(detectCheckpointFormat(Uint8Array.from([0x80, 0x02, 0x7d, 0x71]), 100)).toBe(
      "pickle-numpy",
    );
  });
});
