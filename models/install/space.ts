import { statfs } from "node:fs/promises";
import { InstallError } from "./errors";
import { humanBytes } from "./format";

/** Free bytes on the file system holding `dir`. Injectable so tests need not fill a disk. */
export type FreeSpaceProbe = (dir: string) => Promise<number>;

export const freeBytesOnDisk: FreeSpaceProbe = async (dir) => {
  const s = await statfs(dir);
  return Number(s.bavail) * Number(s.bsize);
};

/** Fails before any byte is written when the folder cannot hold what the install still needs. */
export async function ensureFreeSpace(
  dir: string,
  bytesNeeded: number,
  probe: FreeSpaceProbe = freeBytesOnDisk,
): Promise<void> {
  if (bytesNeeded <= 0) return;
  const free = await probe(dir);
  if (free < bytesNeeded) {
    throw new InstallError(
      "no-space",
      `not enough free space in ${dir}: ${humanBytes(bytesNeeded)} (${bytesNeeded} bytes) needed, ` +
        `${humanBytes(free)} free. Free some space or point MODELS_DIR at a larger disk.`,
    );
  }
}
