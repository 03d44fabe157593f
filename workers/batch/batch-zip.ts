import { Readable } from "node:stream";
import yazl from "yazl";
import type { BatchExportPlan } from "./batch-export";

/**
 * Streams a batch's ZIP (yazl): `batch.csv` first, then each item read from the store only when
 * the archive reaches it, so a 500-run batch never sits in memory at once. An item the store no
 * longer has fails the stream with its path named.
 */
export function batchZipStream(
  plan: BatchExportPlan,
  read: (key: string) => Promise<Uint8Array | null>,
): Readable {
  const zip = new yazl.ZipFile();
  zip.addBuffer(Buffer.from(plan.csv, "utf8"), "batch.csv");
  for (const item of plan.items) {
    zip.addReadStreamLazy(item.path, { compress: item.compress }, (cb) => {
      read(item.key).then(
        (bytes) =>
          bytes
            ? cb(null, Readable.from([Buffer.from(bytes)]))
            : cb(new Error(`${item.path}: not in the asset store (${item.key})`), null as never),
        (err: unknown) => cb(err as Error, null as never),
      );
    });
  }
  zip.end();
  const out = zip.outputStream as Readable;
  // yazl reports a failed item on the ZipFile, not on its output: end the output with it.
  zip.on("error", (err: Error) => out.destroy(err));
  return out;
}
