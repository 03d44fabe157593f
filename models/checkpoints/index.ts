/**
 * Checkpoint readers: `openCheckpoint` recognises the format by its first bytes and returns the
 * tensors it holds, each read from disk only when asked.
 */
import { open } from "node:fs/promises";
import { openPickleNumpy } from "./pickle-numpy";
import { openPytorchZip } from "./pytorch";
import { LEGACY_MAGIC, openPytorchLegacy } from "./pytorch-legacy";
import { openSafetensors } from "./safetensors";
import { CheckpointError, type Checkpoint, type CheckpointFormat } from "./types";

export type { Checkpoint, CheckpointFormat, DType, TensorInfo } from "./types";
export { CheckpointError } from "./types";
export { toFloat32 } from "./to-float32";

const PICKLE_PROTO = 0x80;
const LONG1 = 0x8a;

/** The format from the first 16 bytes and the file size, or undefined if none matches. */
export function detectCheckpointFormat(
  head: Uint8Array,
  fileSize: number,
): CheckpointFormat | undefined {
  if (head[0] === 0x50 && head[1] === 0x4b && head[2] === 0x03 && head[3] === 0x04)
    return "pytorch-zip";
  if (head[0] === PICKLE_PROTO && head[1] >= 2 && head[1] <= 5) {
    // Legacy torch files open with a pickled LONG1 magic number; other pickles are numpy's.
    return head[2] === LONG1 && readLong1(head.subarray(3)) === LEGACY_MAGIC
      ? "pytorch-legacy"
      : "pickle-numpy";
  }
  if (head.length >= 9) {
    const headerLength = new DataView(head.buffer, head.byteOffset, 8).getBigUint64(0, true);
    if (headerLength >= 2n && headerLength <= BigInt(fileSize - 8) && head[8] === 0x7b)
      return "safetensors";
  }
  return undefined;
}

function readLong1(bytes: Uint8Array): bigint | undefined {
  const n = bytes[0];
  if (n === undefined || bytes.length < n + 1) return undefined;
  let value = 0n;
  for (let i = n; i >= 1; i--) value = (value << 8n) | BigInt(bytes[i]);
  return value;
}

export async function openCheckpoint(file: string): Promise<Checkpoint> {
  const handle = await open(file, "r");
  let head: Uint8Array;
  let size: number;
  try {
    size = (await handle.stat()).size;
    head = new Uint8Array(16);
    const { bytesRead } = await handle.read(head, 0, 16, 0);
    head = head.subarray(0, bytesRead);
  } finally {
    await handle.close();
  }
  switch (detectCheckpointFormat(head, size)) {
    case "pytorch-zip":
      return openPytorchZip(file);
    case "pytorch-legacy":
      return openPytorchLegacy(file);
    case "safetensors":
      return openSafetensors(file);
    case "pickle-numpy":
      return openPickleNumpy(file);
    case undefined: {
      const hex = Buffer.from(head).toString("hex").replace(/(..)/g, "$1 ").trim();
      throw new CheckpointError(
        "checkpoint",
        file,
        `unrecognised format (first bytes: ${hex || "none, the file is empty"}); ` +
          "expected a PyTorch zip or legacy file, safetensors, or a pickle of numpy arrays",
      );
    }
  }
}
