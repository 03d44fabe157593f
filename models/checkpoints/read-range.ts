import type { FileHandle } from "node:fs/promises";

/**
 * Exactly `length` bytes from `position` into a fresh, 8-byte-aligned buffer (so typed views of
 * any dtype need no copy). A short read means the file is shorter than its metadata says.
 */
export async function readRange(
  handle: FileHandle,
  position: number,
  length: number,
): Promise<Uint8Array> {
  const out = new Uint8Array(length);
  let done = 0;
  while (done < length) {
    // fs.read takes at most 2 GiB per call.
    const chunk = Math.min(length - done, 1 << 30);
    const { bytesRead } = await handle.read(out, done, chunk, position + done);
    if (bytesRead === 0) {
      throw new RangeError(
        `the file ends at byte ${position + done}, ${length - done} bytes short of the ` +
          `${length} bytes expected from byte ${position}`,
      );
    }
    done += bytesRead;
  }
  return out;
}
