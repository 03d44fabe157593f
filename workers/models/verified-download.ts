import { sha256 } from "@noble/hashes/sha2.js";
import { bytesToHex, concatBytes } from "@noble/hashes/utils.js";

/**
 * Reading a model file's bytes while checking them: the size as they arrive (a server that sends
 * more than promised is stopped early) and the sha256 incrementally, so a multi-gigabyte file is
 * hashed once, during the download, and never read a second time.
 */

/** A model file as the studio knows it: the hash is the one the bytes must have. */
export interface ModelFileRef {
  readonly name: string;
  /** Null when nobody has said yet (converted files before install); then any size goes. */
  readonly bytes: number | null;
  readonly sha256: string;
}

/** A download or import that failed its checks; the message names the model and the file. */
export class ModelFileError extends Error {
  override readonly name = "ModelFileError";
}

export type ProgressCallback = (loaded: number, total: number | null) => void;

function mb(bytes: number): string {
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}

/**
 * Reads `body` completely, checking it against `file`; `label` ("model/file") names it in errors.
 * `declaredTotal` (Content-Length) is only used for progress when the file's size is unknown.
 */
export async function readVerified(
  body: ReadableStream<Uint8Array>,
  file: ModelFileRef,
  label: string,
  options: {
    declaredTotal?: number | null;
    onProgress?: ProgressCallback;
    signal?: AbortSignal;
  } = {},
): Promise<Uint8Array> {
  const total = file.bytes ?? options.declaredTotal ?? null;
  const hash = sha256.create();
  // With the size known the bytes go straight into their final array: no second copy at the end.
  const whole = file.bytes !== null ? new Uint8Array(file.bytes) : null;
  const chunks: Uint8Array[] = [];
  let loaded = 0;
  const reader = body.getReader();
  try {
    options.onProgress?.(0, total);
    for (;;) {
      options.signal?.throwIfAborted();
      const { done, value } = await reader.read();
      if (done) break;
      if (whole && loaded + value.byteLength > whole.byteLength) {
        throw new ModelFileError(
          `${label}: the download is larger than the expected ${whole.byteLength} bytes`,
        );
      }
      hash.update(value);
      if (whole) whole.set(value, loaded);
      else chunks.push(value);
      loaded += value.byteLength;
      options.onProgress?.(loaded, total);
    }
  } catch (err) {
    await reader.cancel().catch(() => undefined);
    throw err;
  } finally {
    reader.releaseLock();
  }
  if (whole && loaded !== whole.byteLength) {
    throw new ModelFileError(
      `${label}: the download stopped at ${loaded} of ${whole.byteLength} bytes (${mb(loaded)} of ${mb(whole.byteLength)})`,
    );
  }
  const actual = bytesToHex(hash.digest());
  if (actual !== file.sha256) {
    throw new ModelFileError(
      `${label}: checksum mismatch (sha256 ${actual.slice(0, 12)}…, expected ${file.sha256.slice(0, 12)}…); the file was not cached`,
    );
  }
  return whole ?? concatBytes(...chunks);
}

/** The sha256 of bytes already in memory, as lowercase hex. */
export function sha256Hex(bytes: Uint8Array): string {
  return bytesToHex(sha256(bytes));
}

/**
 * Limits a progress callback to one call per `intervalMs`, keeping the first and the last (loaded
 * reaching total) so a bar always starts and ends. Across the worker boundary every call is a
 * message; a fast download would otherwise send tens of thousands.
 */
export function throttleProgress(
  callback: ProgressCallback,
  intervalMs = 100,
  now: () => number = () => performance.now(),
): ProgressCallback {
  let last = -Infinity;
  return (loaded, total) => {
    const t = now();
    if (loaded !== 0 && loaded !== total && t - last < intervalMs) return;
    last = t;
    callback(loaded, total);
  };
}
