import { open, rm, stat, truncate, type FileHandle } from "node:fs/promises";
import path from "node:path";
import { Readable, Writable } from "node:stream";
import { pipeline } from "node:stream/promises";
import type { ReadableStream as NodeReadableStream } from "node:stream/web";
import { InstallError, fetchFailure, isAbortError, isNoSpaceError } from "./errors";

export interface DownloadOptions {
  url: string;
  /** Where the bytes accumulate (`<file>.part`); whatever is there already is resumed. */
  partFile: string;
  /** The size the manifest promises, when it knows it. */
  expectedBytes: number | null;
  fetchImpl?: typeof fetch;
  signal?: AbortSignal;
  onProgress?: (bytes: number, total: number | null) => void;
  /** Called once the size still to come is known, before any byte is written (space checks). */
  beforeBody?: (bytesToCome: number | null) => Promise<void>;
  /** Opens the partial file (`fs.promises.open` by default; tests inject a disk that fills up). */
  openPart?: (file: string, flags: "w" | "a") => Promise<Pick<FileHandle, "write" | "close">>;
}

/**
 * Downloads `url` into `partFile`, continuing a previous partial download with an HTTP Range
 * request. A server that ignores the range (200) or rejects it (416 on a partial file) makes the
 * download start over. A body that ends early throws "truncated" and keeps the partial file, so the
 * next call resumes. Returns the complete file's size.
 */
export async function downloadToPart(opts: DownloadOptions): Promise<number> {
  return attempt(opts, true);
}

async function attempt(opts: DownloadOptions, mayRestart: boolean): Promise<number> {
  const { url, partFile, expectedBytes } = opts;
  const fetchImpl = opts.fetchImpl ?? fetch;
  let start = await fileSize(partFile);
  if (expectedBytes !== null && start > expectedBytes) {
    // Longer than the real file: it cannot be a prefix of it.
    await truncate(partFile, 0);
    start = 0;
  }
  if (expectedBytes !== null && start === expectedBytes) return start;

  let res: Response;
  try {
    res = await fetchImpl(url, {
      headers: start > 0 ? { Range: `bytes=${start}-` } : {},
      signal: opts.signal,
      redirect: "follow",
    });
  } catch (err) {
    throw fetchFailure(err, url);
  }

  if (res.status === 416) {
    await res.body?.cancel();
    const total = parseContentRange(res.headers.get("content-range"))?.total ?? null;
    if (start > 0 && total === start) return start; // the partial file was already complete
    if (!mayRestart) throw new InstallError("http", `HTTP 416 (range not satisfiable) for ${url}`);
    await rm(partFile, { force: true });
    return attempt(opts, false);
  }
  if (res.status !== 200 && res.status !== 206) {
    await res.body?.cancel();
    throw new InstallError(
      "http",
      `HTTP ${res.status}${res.statusText ? ` ${res.statusText}` : ""} for ${url}`,
    );
  }

  let total: number | null;
  let bodyLength = numberHeader(res.headers.get("content-length"));
  if (res.status === 206) {
    const range = parseContentRange(res.headers.get("content-range"));
    if (!range || range.start !== start) {
      // A range we did not ask for: safest is to start again from zero.
      await res.body?.cancel();
      if (!mayRestart) throw new InstallError("http", `unexpected Content-Range from ${url}`);
      await rm(partFile, { force: true });
      return attempt(opts, false);
    }
    total = range.total;
    bodyLength ??= range.end !== null ? range.end - range.start + 1 : null;
  } else {
    // 200: the server sends the whole file, whatever we asked for.
    start = 0;
    total = bodyLength;
  }
  total ??= expectedBytes;

  if (expectedBytes !== null && total !== null && total !== expectedBytes) {
    await res.body?.cancel();
    await rm(partFile, { force: true });
    throw new InstallError(
      "checksum",
      `${path.basename(url)}: the server reports ${total} bytes, the manifest expects ${expectedBytes} (${url})`,
    );
  }
  if (!res.body) throw new InstallError("truncated", `empty response body from ${url}`);
  try {
    await opts.beforeBody?.(total !== null ? total - start : null);
  } catch (err) {
    await res.body.cancel();
    throw err;
  }

  let written = start;
  opts.onProgress?.(written, total);
  const handle = await (opts.openPart ?? open)(partFile, start === 0 ? "w" : "a");
  // Progress counts bytes once they are in the file, so a cancel keeps all it reported.
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      handle.write(chunk).then(() => {
        written += chunk.length;
        opts.onProgress?.(written, total);
        done();
      }, done);
    },
  });
  try {
    await pipeline(
      Readable.fromWeb(res.body as NodeReadableStream<Uint8Array>, { signal: opts.signal }),
      sink,
    );
  } catch (err) {
    if (isAbortError(err) || opts.signal?.aborted) {
      throw new InstallError(
        "cancelled",
        `cancelled after ${written} bytes of ${path.basename(partFile)}; run again to resume`,
      );
    }
    if (isNoSpaceError(err)) {
      throw new InstallError(
        "no-space",
        `no space left in ${path.dirname(partFile)}: ${total !== null ? total - written : "more"} bytes still needed`,
        { cause: err },
      );
    }
    throw truncated(url, written, total, err);
  } finally {
    await handle.close();
  }

  const received = written - start;
  if ((bodyLength !== null && received < bodyLength) || (total !== null && written < total)) {
    throw truncated(url, written, total);
  }
  if (total !== null && written > total) {
    await rm(partFile, { force: true });
    throw new InstallError(
      "http",
      `${url} sent ${written} bytes, more than the ${total} announced`,
    );
  }
  return written;
}

function truncated(url: string, written: number, total: number | null, cause?: unknown) {
  return new InstallError(
    "truncated",
    `download of ${url} stopped after ${written}${total !== null ? ` of ${total}` : ""} bytes ` +
      `(connection dropped or response shorter than announced); run the install again to resume`,
    { cause },
  );
}

export function parseContentRange(
  header: string | null,
): { start: number; end: number | null; total: number | null } | undefined {
  if (!header) return undefined;
  const full = /^bytes (\d+)-(\d+)\/(\d+|\*)$/.exec(header.trim());
  if (full) {
    return {
      start: Number(full[1]),
      end: Number(full[2]),
      total: full[3] === "*" ? null : Number(full[3]),
    };
  }
  const unsatisfied = /^bytes \*\/(\d+)$/.exec(header.trim());
  if (unsatisfied) return { start: 0, end: null, total: Number(unsatisfied[1]) };
  return undefined;
}

function numberHeader(value: string | null): number | null {
  if (value === null || !/^\d+$/.test(value)) return null;
  return Number(value);
}

async function fileSize(file: string): Promise<number> {
  try {
    return (await stat(file)).size;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return 0;
    throw err;
  }
}
