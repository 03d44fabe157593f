import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import * as ort from "onnxruntime-node";
import { describe, expect, it } from "vitest";
import { GraphBuilder } from "./builder";
import { writeModelFiles } from "./write-files";

/** y = x · W with W produced lazily; counts how often each producer runs. */
function lazyNet(calls: string[]): GraphBuilder {
  const g = new GraphBuilder("lazy");
  const x = g.input("x", "float32", [1, 4]);
  const small = g.lazyInitializer("small", "float32", [1], () => {
    calls.push("small");
    return new Uint8Array(new Float32Array([0.5]).buffer);
  });
  const w = g.lazyInitializer("w", "float32", [4, 256], () => {
    calls.push("w");
    return new Uint8Array(new Float32Array(1024).map((_, i) => (i % 7) - 3).buffer);
  });
  const [y] = g.node("MatMul", [x, w]);
  g.node("Add", [y, small], {}, ["y"]);
  g.output("y", "float32", [1, 256]);
  return g;
}

describe("lazy initializers", () => {
  it("are produced only when written, and the written model runs", async () => {
    const calls: string[] = [];
    const g = lazyNet(calls);
    expect(g.pendingInitializers).toBe(2);
    expect(() => g.toBytes()).toThrow(/not produced yet/);
    expect(calls).toEqual([]);
    const dir = await mkdtemp(path.join(tmpdir(), "lazy-"));
    try {
      const written = await writeModelFiles(g, dir, "m", { externalThreshold: 1024 });
      expect(calls).toEqual(["small", "w"]);
      expect(written.dataPath).toBeDefined();
      expect((await readFile(written.dataPath as string)).byteLength).toBe(4096);
      const session = await ort.InferenceSession.create(written.onnxPath);
      const x = new ort.Tensor("float32", new Float32Array([1, 2, 3, 4]), [1, 4]);
      const { y } = await session.run({ x });
      const w = (i: number, j: number) => ((i * 256 + j) % 7) - 3;
      const expected = Array.from({ length: 256 }, (_, j) =>
        [1, 2, 3, 4].reduce((s, v, i) => s + v * w(i, j), 0.5),
      );
      expect(Array.from(y.data as Float32Array)).toEqual(expected);
      await session.release();
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it("materialize() makes toBytes work and a wrong byte count is an error", async () => {
    const g = lazyNet([]);
    await g.materialize();
    expect(g.pendingInitializers).toBe(0);
    expect(g.toBytes().byteLength).toBeGreaterThan(4096);

    const bad = new GraphBuilder("bad");
    bad.lazyInitializer("w", "float16", [3], () => new Uint8Array(4));
    await expect(bad.materialize()).rejects.toThrow(/produced 4 bytes, expected 6/);
  });
});
