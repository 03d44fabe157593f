/**
 * The streaming promise: reading every tensor of a checkpoint one by one holds one tensor at a
 * time, not the file. A ~300 MB torch zip of 75 × 4 MB tensors is read through readFloat32 while
 * the process's resident and ArrayBuffer memory is sampled; growth must stay well under the file.
 */
import { mkdtemp, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, expect, it } from "vitest";
import { writeTorchZip, type TorchEntry } from "../../tests/helpers/checkpoint-writers";
import { openCheckpoint } from "./index";

const TENSORS = 75;
const ELEMENTS = 1024 * 1024; // 4 MB of float32 each

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), "checkpoint-streaming-"));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** Each tensor is filled with its own index, produced only when the writer reaches it. */
function lazyTensors(): Record<string, TorchEntry> {
  const tensors: Record<string, TorchEntry> = {};
  for (let i = 0; i < TENSORS; i++) {
    tensors[`blocks.${i}.weight`] = {
      dtype: "float32",
      shape: [1024, 1024],
      data: () => new Float32Array(ELEMENTS).fill(i),
    };
  }
  return tensors;
}

it(
  "reads a 300 MB checkpoint tensor by tensor in bounded memory",
  { timeout: 60_000 },
  async () => {
    const file = path.join(dir, "big.pth");
    await writeTorchZip(file, lazyTensors());
    const fileBytes = (await stat(file)).size;
    expect(fileBytes).toBeGreaterThan(TENSORS * ELEMENTS * 4);

    const before = process.memoryUsage();
    let peakRss = before.rss;
    let peakArrayBuffers = before.arrayBuffers;
    const ckpt = await openCheckpoint(file);
    try {
      expect(ckpt.tensors).toHaveLength(TENSORS);
      for (const [i, tensor] of ckpt.tensors.entries()) {
        const values = await tensor.readFloat32();
        // Spot-check the values so the reads are real: first, middle and last element.
        expect([values[0], values[ELEMENTS >> 1], values[ELEMENTS - 1]]).toEqual([i, i, i]);
        const now = process.memoryUsage();
        peakRss = Math.max(peakRss, now.rss);
        peakArrayBuffers = Math.max(peakArrayBuffers, now.arrayBuffers);
      }
    } finally {
      await ckpt.close();
    }
    const mb = (n: number) => n / 1024 / 1024;
    const rssGrowth = mb(peakRss - before.rss);
    const bufferGrowth = mb(peakArrayBuffers - before.arrayBuffers);
    const figures = `${mb(fileBytes).toFixed(0)} MB file: rss grew ${rssGrowth.toFixed(0)} MB, arrayBuffers ${bufferGrowth.toFixed(0)} MB`;
    expect(rssGrowth, figures).toBeLessThan(150);
    expect(bufferGrowth, figures).toBeLessThan(150);
  },
);
