/**
 * Checkpoint-reader throughput and memory, for `npm run bench:models` (or on its own:
 * `npx tsx tests/bench/checkpoint-reader.ts`). Writes a ~1 GB torch.save zip of fp32 tensors to
 * the temp directory, reads every tensor back as float32 one by one, and reports MB/s and the
 * peak resident memory of the process while reading. The file is deleted afterwards.
 *
 * The file was just written, so it is read mostly from the page cache: this measures the
 * reader's own cost (zip lookup, reads, conversion), not the disk.
 */
import { mkdtemp, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { openCheckpoint } from "../../models/checkpoints";
import { writeTorchZip, type TorchEntry } from "../helpers/checkpoint-writers";

export interface CheckpointReaderBench {
  mbPerSecond: number;
  peakRssMb: number;
  fileMb: number;
}

const TENSORS = 64;
const ELEMENTS = 4 * 1024 * 1024; // 16 MB of float32 each: 64 × 16 MB ≈ 1 GB

export async function benchCheckpointReader(): Promise<CheckpointReaderBench> {
  const dir = await mkdtemp(path.join(tmpdir(), "bench-checkpoint-"));
  try {
    const file = path.join(dir, "bench.pth");
    const tensors: Record<string, TorchEntry> = {};
    for (let i = 0; i < TENSORS; i++) {
      tensors[`layers.${i}.weight`] = {
        dtype: "float32",
        shape: [2048, 2048],
        data: () => new Float32Array(ELEMENTS).fill(i / TENSORS),
      };
    }
    await writeTorchZip(file, tensors);
    const fileMb = (await stat(file)).size / 1024 / 1024;

    let peakRss = process.memoryUsage().rss;
    let checksum = 0;
    const start = performance.now();
    const ckpt = await openCheckpoint(file);
    for (const tensor of ckpt.tensors) {
      const values = await tensor.readFloat32();
      checksum += values[values.length - 1]; // touch the data so the read cannot be skipped
      peakRss = Math.max(peakRss, process.memoryUsage().rss);
    }
    await ckpt.close();
    const seconds = (performance.now() - start) / 1000;
    if (Math.abs(checksum - ((TENSORS - 1) * TENSORS) / 2 / TENSORS) > 1e-3) {
      throw new Error(`checkpoint bench read wrong values (checksum ${checksum})`);
    }
    return { mbPerSecond: fileMb / seconds, peakRssMb: peakRss / 1024 / 1024, fileMb };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const result = await benchCheckpointReader();
  console.log(
    `checkpoint reader: ${result.fileMb.toFixed(0)} MB torch zip read as fp32 at ` +
      `${result.mbPerSecond.toFixed(0)} MB/s, peak RSS ${result.peakRssMb.toFixed(0)} MB`,
  );
}
