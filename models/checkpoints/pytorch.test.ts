import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { pipeline } from "node:stream/promises";
import { createWriteStream } from "node:fs";
import yauzl from "yauzl";
import yazl from "yazl";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  global,
  pickle,
  PyReduce,
  tuple,
  writeTorchZip,
} from "../../tests/helpers/checkpoint-writers";
import { openPytorchZip } from "./pytorch";
import { bfloat16Bits, exactSmallFloats, float16Bits, seededFloats } from "./test-data";

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), "pytorch-zip-"));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const file = (name: string) => path.join(dir, name);

describe("openPytorchZip", () => {
  it("lists tensors from metadata and reads float32 values exactly", async () => {
    const weight = seededFloats(2 * 3 * 3 * 3, 1);
    const bias = seededFloats(2, 2);
    await writeTorchZip(file("plain.pth"), {
      "conv.weight": { dtype: "float32", shape: [2, 3, 3, 3], data: weight },
      "conv.bias": { dtype: "float32", shape: [2], data: bias },
      scalar: { dtype: "float32", shape: [], data: new Float32Array([7.5]) },
    });
    const ckpt = await openPytorchZip(file("plain.pth"));
    try {
      expect(ckpt.format).toBe("pytorch-zip");
      expect(ckpt.tensors.map((t) => [t.name, t.dtype, t.shape, t.byteLength])).toEqual([
        ["conv.weight", "float32", [2, 3, 3, 3], 216],
        ["conv.bias", "float32", [2], 8],
        ["scalar", "float32", [], 4],
      ]);
      expect(await ckpt.get("conv.weight")!.readFloat32()).toEqual(weight);
      expect(await ckpt.get("conv.bias")!.readFloat32()).toEqual(bias);
      expect(Array.from(await ckpt.get("scalar")!.readFloat32())).toEqual([7.5]);
      expect(await ckpt.get("conv.bias")!.readRaw()).toEqual(new Uint8Array(bias.buffer));
      expect(ckpt.get("missing")).toBeUndefined();
    } finally {
      await ckpt.close();
    }
  });

  it("converts float16, bfloat16, float64 and int64 to float32", async () => {
    const values = exactSmallFloats(40);
    await writeTorchZip(file("dtypes.pth"), {
      half: { dtype: "float16", shape: [4, 10], data: float16Bits(values) },
      brain: { dtype: "bfloat16", shape: [40], data: bfloat16Bits(values) },
      double: { dtype: "float64", shape: [2, 20], data: Float64Array.from(values) },
      steps: { dtype: "int64", shape: [3], data: new BigInt64Array([0n, -5n, 1n << 40n]) },
    });
    const ckpt = await openPytorchZip(file("dtypes.pth"));
    try {
      expect(ckpt.tensors.map((t) => [t.dtype, t.byteLength])).toEqual([
        ["float16", 80],
        ["bfloat16", 80],
        ["float64", 320],
        ["int64", 24],
      ]);
      expect(await ckpt.get("half")!.readFloat32()).toEqual(values);
      expect(await ckpt.get("brain")!.readFloat32()).toEqual(values);
      expect(await ckpt.get("double")!.readFloat32()).toEqual(values);
      expect(Array.from(await ckpt.get("steps")!.readFloat32())).toEqual([0, -5, 2 ** 40]);
      expect(new Uint16Array((await ckpt.get("half")!.readRaw()).buffer)).toEqual(
        float16Bits(values),
      );
    } finally {
      await ckpt.close();
    }
  });

  it("reads views that share a storage, at offsets and with transposed strides", async () => {
    // One storage of 12 floats: [0..5] is a 2×3 matrix, [6..11] another; plus its transpose.
    const shared = Float32Array.from({ length: 12 }, (_, i) => i);
    await writeTorchZip(
      file("shared.pth"),
      {
        first: { storage: "s", offset: 0, shape: [2, 3], stride: [3, 1] },
        second: { storage: "s", offset: 6, shape: [2, 3], stride: [3, 1] },
        secondT: { storage: "s", offset: 6, shape: [3, 2], stride: [1, 3] },
        column: { storage: "s", offset: 1, shape: [2], stride: [3] },
      },
      { storages: { s: { dtype: "float32", data: shared } } },
    );
    const ckpt = await openPytorchZip(file("shared.pth"));
    try {
      expect(Array.from(await ckpt.get("first")!.readFloat32())).toEqual([0, 1, 2, 3, 4, 5]);
      expect(Array.from(await ckpt.get("second")!.readFloat32())).toEqual([6, 7, 8, 9, 10, 11]);
      expect(Array.from(await ckpt.get("secondT")!.readFloat32())).toEqual([6, 9, 7, 10, 8, 11]);
      expect(Array.from(await ckpt.get("column")!.readFloat32())).toEqual([1, 4]);
      expect(ckpt.get("secondT")!.byteLength).toBe(24);
    } finally {
      await ckpt.close();
    }
  });

  it("names nested tensors by their dotted path, under any archive name", async () => {
    await writeTorchZip(
      file("virtual_tryon.pth"),
      {
        state_dict: {
          "unet.conv_in.weight": { dtype: "float32", shape: [1], data: new Float32Array([3]) },
        },
      },
      { archiveName: "virtual_tryon" },
    );
    const ckpt = await openPytorchZip(file("virtual_tryon.pth"));
    expect(ckpt.tensors.map((t) => t.name)).toEqual(["state_dict.unet.conv_in.weight"]);
    expect(Array.from(await ckpt.tensors[0].readFloat32())).toEqual([3]);
    await ckpt.close();
  });

  it("reads zip64 archives, as torch writes them past 4 GB", async () => {
    const values = seededFloats(300, 13);
    await writeTorchZip(
      file("zip64.pth"),
      { a: { dtype: "float32", shape: [300], data: values } },
      { zip64: true },
    );
    const bytes = await readFile(file("zip64.pth"));
    expect(bytes.includes(Buffer.from([0x50, 0x4b, 0x06, 0x06]))).toBe(true); // zip64 end record
    const ckpt = await openPytorchZip(file("zip64.pth"));
    expect(await ckpt.get("a")!.readFloat32()).toEqual(values);
    await ckpt.close();
  });

  it("inflates storages that were compressed", async () => {
    const values = seededFloats(5000, 9);
    await writeTorchZip(
      file("deflated.pth"),
      { a: { dtype: "float32", shape: [5000], data: values } },
      { compress: true },
    );
    const ckpt = await openPytorchZip(file("deflated.pth"));
    expect(await ckpt.get("a")!.readFloat32()).toEqual(values);
    await ckpt.close();
  });
});

describe("openPytorchZip refuses broken files", () => {
  async function zipWith(name: string, entries: Record<string, Uint8Array>): Promise<string> {
    const zip = new yazl.ZipFile();
    for (const [entry, bytes] of Object.entries(entries))
      zip.addBuffer(Buffer.from(bytes), entry, { compress: false });
    zip.end();
    await pipeline(zip.outputStream, createWriteStream(file(name)));
    return file(name);
  }

  it("a truncated file", async () => {
    await writeTorchZip(file("whole.pth"), {
      a: { dtype: "float32", shape: [1000], data: seededFloats(1000, 3) },
    });
    const bytes = await readFile(file("whole.pth"));
    await writeFile(file("cut.pth"), bytes.subarray(0, bytes.length - 200));
    await expect(openPytorchZip(file("cut.pth"))).rejects.toThrow(
      /^pytorch-zip .*cut\.pth: not a readable zip/,
    );
  });

  it("a zip without data.pkl", async () => {
    const name = await zipWith("nopkl.pth", { "archive/version": Buffer.from("3\n") });
    await expect(openPytorchZip(name)).rejects.toThrow(/no <archive>\/data\.pkl/);
  });

  it("a pickle that names a global outside the allow-list", async () => {
    const evil = pickle(new PyReduce(global("os", "system"), tuple("echo hi")));
    const name = await zipWith("evil.pth", { "archive/data.pkl": evil });
    await expect(openPytorchZip(name)).rejects.toThrow(
      /archive\/data\.pkl: .*global "os\.system" is not in the allow-list/,
    );
  });

  it("a corrupt pickle", async () => {
    const name = await zipWith("garbage.pth", {
      "archive/data.pkl": Uint8Array.from([0x80, 0x02, 0xfe, 0x2e]),
    });
    await expect(openPytorchZip(name)).rejects.toThrow(/pytorch-zip .*unsupported opcode 0xfe/);
  });

  it("a storage entry that is missing or too short", async () => {
    await writeTorchZip(file("ok.pth"), {
      w: { dtype: "float32", shape: [4], data: new Float32Array(4) },
    });
    // Rebuild the same archive by hand, without the storage or with half of it.
    const pkl = await extract(file("ok.pth"), "archive/data.pkl");
    const missing = await zipWith("missing.pth", { "archive/data.pkl": pkl });
    await expect(openPytorchZip(missing)).rejects.toThrow(
      /storage "0" is missing \(no archive\/data\/0 entry\)/,
    );
    const short = await zipWith("short.pth", {
      "archive/data.pkl": pkl,
      "archive/data/0": new Uint8Array(8),
    });
    await expect(openPytorchZip(short)).rejects.toThrow(
      /archive\/data\/0 holds 8 bytes, but its storage needs 16/,
    );
  });

  it("a tensor that reaches past its storage", async () => {
    await writeTorchZip(
      file("overrun.pth"),
      { w: { storage: "s", offset: 2, shape: [3], stride: [1] } },
      { storages: { s: { dtype: "float32", data: new Float32Array(4) } } },
    );
    await expect(openPytorchZip(file("overrun.pth"))).rejects.toThrow(
      /reaches element 5 of storage "0", which holds 4/,
    );
  });
});

async function extract(zipFile: string, entryName: string): Promise<Uint8Array> {
  return new Promise((resolve, reject) => {
    yauzl.open(zipFile, { lazyEntries: true }, (err, zip) => {
      if (err) return reject(err);
      zip.on("entry", (entry: yauzl.Entry) => {
        if (entry.fileName !== entryName) return zip.readEntry();
        zip.openReadStream(entry, async (e, stream) => {
          if (e) return reject(e);
          const chunks: Buffer[] = [];
          for await (const c of stream) chunks.push(c as Buffer);
          zip.close();
          resolve(Buffer.concat(chunks));
        });
      });
      zip.on("end", () => reject(new Error(`${entryName} not found`)));
      zip.readEntry();
    });
  });
}
