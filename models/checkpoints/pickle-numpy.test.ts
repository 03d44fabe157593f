import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  global,
  pickle,
  PyReduce,
  tuple,
  writeDetectron2Pkl,
  type NumpyArraySpec,
  type Py,
} from "../../tests/helpers/checkpoint-writers";
import { openPickleNumpy } from "./pickle-numpy";
import { seededFloats } from "./test-data";

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), "pickle-numpy-"));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const conv = seededFloats(4 * 3 * 3 * 3, 11);
// Every byte value appears, so a latin1 round trip that mangled any of them would show.
const bytesAll = Uint8Array.from({ length: 256 }, (_, i) => i);
const arrays: Record<string, NumpyArraySpec> = {
  "backbone.stem.conv1.weight": { dtype: "float32", shape: [4, 3, 3, 3], data: conv },
  "backbone.every_byte": { dtype: "float32", shape: [64], data: bytesAll },
  "roi_heads.box_predictor.bias": {
    dtype: "float64",
    shape: [3],
    data: new Float64Array([0.5, -0.25, 1e-3]),
  },
  "roi_heads.num_batches_tracked": { dtype: "int64", shape: [], data: new BigInt64Array([90000n]) },
  big: { dtype: "float32", shape: [100, 10], data: seededFloats(1000, 12) },
};

describe("openPickleNumpy (detectron2 .pkl)", () => {
  for (const writer of ["python3", "python2"] as const) {
    it(`reads arrays pickled by ${writer}`, async () => {
      const file = path.join(dir, `model_final_${writer}.pkl`);
      await writeDetectron2Pkl(file, arrays, { writer });
      const ckpt = await openPickleNumpy(file);
      try {
        expect(ckpt.format).toBe("pickle-numpy");
        expect(ckpt.tensors.map((t) => [t.name, t.dtype, t.shape, t.byteLength])).toEqual([
          ["model.backbone.stem.conv1.weight", "float32", [4, 3, 3, 3], 432],
          ["model.backbone.every_byte", "float32", [64], 256],
          ["model.roi_heads.box_predictor.bias", "float64", [3], 24],
          ["model.roi_heads.num_batches_tracked", "int64", [], 8],
          ["model.big", "float32", [100, 10], 4000],
        ]);
        expect(await ckpt.get("model.backbone.stem.conv1.weight")!.readFloat32()).toEqual(conv);
        expect(await ckpt.get("model.backbone.every_byte")!.readRaw()).toEqual(bytesAll);
        expect(
          Array.from(await ckpt.get("model.roi_heads.box_predictor.bias")!.readFloat32()),
        ).toEqual([0.5, -0.25, Math.fround(1e-3)]);
        expect(
          Array.from(await ckpt.get("model.roi_heads.num_batches_tracked")!.readFloat32()),
        ).toEqual([90000]);
        expect(await ckpt.get("model.big")!.readFloat32()).toEqual(arrays.big.data);
      } finally {
        await ckpt.close();
      }
    });
  }

  it("reorders Fortran-ordered arrays into C order", async () => {
    const file = path.join(dir, "fortran.pkl");
    // The 2×3 matrix [[1,2,3],[4,5,6]] stored column by column.
    await writeDetectron2Pkl(file, {
      m: {
        dtype: "float32",
        shape: [2, 3],
        data: new Float32Array([1, 4, 2, 5, 3, 6]),
        fortran: true,
      },
    });
    const ckpt = await openPickleNumpy(file);
    expect(Array.from(await ckpt.get("model.m")!.readFloat32())).toEqual([1, 2, 3, 4, 5, 6]);
    await ckpt.close();
  });

  it("reads protocol-5 arrays made by numpy._core.numeric._frombuffer", async () => {
    // What numpy 2 writes for `pickle.dump({"model": {"w": a}}, f, protocol=5)`.
    const dtype = new PyReduce(
      global("numpy", "dtype"),
      tuple("f4", false, true),
      tuple(3, "<", null, null, null, -1, -1, 0),
    );
    const data = new Float32Array([1, 2, 3, 4, 5, 6]);
    const array = (order: string) =>
      new PyReduce(
        global("numpy._core.numeric", "_frombuffer"),
        tuple(new Uint8Array(data.buffer), dtype, tuple(2, 3), order),
      );
    const root = new Map<Py, Py>([
      [
        "model",
        new Map<Py, Py>([
          ["c", array("C")],
          ["f", array("F")],
        ]),
      ],
    ]);
    await writeFile(path.join(dir, "p5.pkl"), pickle(root, 5));
    const ckpt = await openPickleNumpy(path.join(dir, "p5.pkl"));
    expect(Array.from(await ckpt.get("model.c")!.readFloat32())).toEqual([1, 2, 3, 4, 5, 6]);
    expect(Array.from(await ckpt.get("model.f")!.readFloat32())).toEqual([1, 3, 5, 2, 4, 6]);
    await ckpt.close();
  });

  it("refuses unsupported dtypes, big-endian data, truncation and foreign globals", async () => {
    const one = { w: { dtype: "float32" as const, shape: [2], data: new Float32Array([1, 2]) } };
    await writeDetectron2Pkl(path.join(dir, "i2.pkl"), one, { dtypeCode: "i2" });
    await expect(openPickleNumpy(path.join(dir, "i2.pkl"))).rejects.toThrow(
      /^pickle-numpy .*i2\.pkl: array "model\.w" cannot be read: numpy dtype "i2" is not supported/,
    );
    await writeDetectron2Pkl(path.join(dir, "be.pkl"), one, { dtypeCode: ">f4" });
    await expect(openPickleNumpy(path.join(dir, "be.pkl"))).rejects.toThrow(
      /"model\.w" cannot be read: it is big-endian/,
    );

    const whole = await readFile(path.join(dir, "model_final_python3.pkl"));
    await writeFile(path.join(dir, "cut.pkl"), whole.subarray(0, whole.length >> 1));
    await expect(openPickleNumpy(path.join(dir, "cut.pkl"))).rejects.toThrow(
      /pickle-numpy .*pickle truncated/,
    );

    const foreign = Buffer.from(
      whole.toString("latin1").replace("numpy\ndtype", "posix\nsystem"),
      "latin1",
    );
    await writeFile(path.join(dir, "foreign.pkl"), foreign);
    await expect(openPickleNumpy(path.join(dir, "foreign.pkl"))).rejects.toThrow(
      /global "posix\.system" is not in the allow-list/,
    );
  });
});
