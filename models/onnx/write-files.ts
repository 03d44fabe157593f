import { open, rename, rm, writeFile } from "node:fs/promises";
import path from "node:path";
import type { GraphBuilder, ToFilesOptions } from "./builder";

/**
 * Writes a built graph to `<dir>/<baseName>.onnx` (+ `<baseName>.onnx_data` when it has external
 * data). Node only. The data file is written chunk by chunk through one file handle, so a model of
 * several GB never sits in one buffer; each file is written under a temporary name and renamed, so
 * a crash never leaves a half-written model that looks complete.
 */
export interface WrittenModel {
  readonly onnxPath: string;
  readonly dataPath?: string;
  /** Total bytes written (both files). */
  readonly bytes: number;
}

export async function writeModelFiles(
  graph: GraphBuilder,
  dir: string,
  baseName: string,
  options: ToFilesOptions = {},
): Promise<WrittenModel> {
  // Lazy initializers that stay inline are produced now; the external ones are produced one by
  // one while the data file is written, so only one of them is in memory at a time.
  await graph.materialize(options.externalThreshold ?? 1024);
  const files = graph.toStreamingFiles(baseName, options);
  const onnxPath = path.join(dir, `${baseName}.onnx`);
  let dataPath: string | undefined;
  if (files.data) {
    dataPath = path.join(dir, files.data.name);
    await writeChunks(dataPath, files.data.chunks());
  }
  await atomically(onnxPath, (temp) => writeFile(temp, files.onnx));
  return { onnxPath, dataPath, bytes: files.onnx.byteLength + (files.data?.byteLength ?? 0) };
}

async function writeChunks(
  target: string,
  chunks: Iterable<Uint8Array> | AsyncIterable<Uint8Array>,
): Promise<void> {
  await atomically(target, async (temp) => {
    const handle = await open(temp, "w");
    try {
      for await (const chunk of chunks) {
        let done = 0;
        while (done < chunk.byteLength) {
          const { bytesWritten } = await handle.write(chunk, done, chunk.byteLength - done);
          done += bytesWritten;
        }
      }
    } finally {
      await handle.close();
    }
  });
}

async function atomically(target: string, write: (temp: string) => Promise<void>): Promise<void> {
  const temp = `${target}.partial`;
  try {
    await write(temp);
    await rename(temp, target);
  } catch (error) {
    await rm(temp, { force: true });
    throw error;
  }
}
