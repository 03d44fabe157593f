import { createHash } from "node:crypto";
import { createReadStream } from "node:fs";

export interface FileDigest {
  sha256: string;
  bytes: number;
}

/** sha256 of a file, read as a stream so multi-GB models never sit in memory. */
export async function sha256File(
  file: string,
  onBytes?: (bytesSoFar: number) => void,
): Promise<FileDigest> {
  const hash = createHash("sha256");
  let bytes = 0;
  for await (const chunk of createReadStream(file, { highWaterMark: 1 << 20 })) {
    hash.update(chunk as Buffer);
    bytes += (chunk as Buffer).length;
    onBytes?.(bytes);
  }
  return { sha256: hash.digest("hex"), bytes };
}

export function sha256Bytes(data: Uint8Array): string {
  return createHash("sha256").update(data).digest("hex");
}
