import { findModel } from "../../models/manifest";
import {
  ModelFileError,
  readVerified,
  sha256Hex,
  type ModelFileRef,
  type ProgressCallback,
} from "./verified-download";

export { ModelFileError, type ModelFileRef, type ProgressCallback };

/**
 * The browser's copy of model files, in Cache Storage (one entry per file and sha256), so a model
 * is downloaded once and survives reloads. Bytes are verified once, on the way in (download or
 * import); an entry carries a header saying so, and a hit is trusted without hashing again:
 * hashing a 2 GB file on every session load would cost seconds.
 *
 * Runs in the worker. The Models panel reaches it through the worker API; the session loader
 * calls `fetchModelFile` directly, with its own progress callback.
 */

export const MODEL_CACHE_NAME = "leffa-models-v1";

const HEADER_VERIFIED = "X-Leffa-Verified";
const HEADER_SHA256 = "X-Leffa-Sha256";
const HEADER_BYTES = "X-Leffa-Bytes";
const HEADER_CACHED_AT = "X-Leffa-Cached-At";
const HEADER_ORIGIN = "X-Leffa-Origin";

/** Where a cached file came from; "import-unchecked" had no known hash to be checked against. */
export type CachedOrigin = "server" | "import" | "import-unchecked";

export interface CachedModelFile {
  readonly modelId: string;
  readonly name: string;
  readonly bytes: number;
  readonly sha256: string;
  readonly cachedAt: string;
  readonly origin: CachedOrigin;
}

/** What the cache needs from its surroundings; the defaults are the worker's globals. */
export interface ModelCacheEnv {
  /**
   * Absent outside a secure context: a studio opened over plain HTTP from another machine has no
   * Cache Storage, so its models are downloaded (and verified) on every load instead.
   */
  readonly caches: CacheStorage | undefined;
  readonly fetch: typeof fetch;
  /** The studio's origin: cache keys and downloads are absolute URLs under it. */
  readonly origin: string;
  /** A model's files as the manifest lists them, or undefined for an unknown id. */
  readonly manifestFiles: (
    modelId: string,
  ) => readonly { name: string; bytes: number | null; sha256: string | null }[] | undefined;
}

export function defaultEnv(): ModelCacheEnv {
  return {
    // `self.caches` is undefined, not absent, on an insecure page, whatever the DOM types say.
    caches: (self as { caches?: CacheStorage }).caches,
    fetch: self.fetch.bind(self),
    origin: self.location.origin,
    manifestFiles: (id) => findModel(id)?.files,
  };
}

/** The server route a file is downloaded from. */
export function fileUrl(origin: string, modelId: string, name: string): string {
  return `${origin}/api/models/${encodeURIComponent(modelId)}/files/${encodeURIComponent(name)}`;
}

/** The cache key: the file's URL plus its hash, so a reinstalled (changed) file is a new entry. */
export function cacheKey(origin: string, modelId: string, name: string, sha256: string): string {
  return `${fileUrl(origin, modelId, name)}?sha256=${sha256}`;
}

const KEY_PATH = /^\/api\/models\/([^/]+)\/files\/([^/]+)$/;

/** The model and file a cache key names, or undefined for a key this module did not write. */
export function parseCacheKey(
  url: string,
): { modelId: string; name: string; sha256: string } | undefined {
  const parsed = new URL(url);
  const match = KEY_PATH.exec(parsed.pathname);
  const sha256 = parsed.searchParams.get("sha256");
  if (!match || !sha256) return undefined;
  return { modelId: decodeURIComponent(match[1]), name: decodeURIComponent(match[2]), sha256 };
}

function isQuotaError(err: unknown): boolean {
  return err instanceof DOMException && err.name === "QuotaExceededError";
}

export class ModelCache {
  constructor(private readonly env: ModelCacheEnv) {}

  private async open(): Promise<Cache | undefined> {
    return this.env.caches?.open(MODEL_CACHE_NAME);
  }

  /** Whether a cache of this name exists; false where there is no Cache Storage at all. */
  private async exists(): Promise<boolean> {
    return (await this.env.caches?.has(MODEL_CACHE_NAME)) ?? false;
  }

  /** The verified cached bytes of a file with this hash, or undefined (a broken entry is dropped). */
  private async cached(
    cache: Cache,
    key: string,
    file: ModelFileRef,
  ): Promise<Uint8Array | undefined> {
    const hit = await cache.match(key);
    if (!hit) return undefined;
    const verified =
      hit.headers.get(HEADER_VERIFIED) === "sha256" &&
      hit.headers.get(HEADER_SHA256) === file.sha256;
    const bytes = verified ? new Uint8Array(await hit.arrayBuffer()) : undefined;
    // The length is checked (cheap) in case the browser kept a partial body after a crash.
    if (bytes && bytes.byteLength === Number(hit.headers.get(HEADER_BYTES))) return bytes;
    await cache.delete(key);
    return undefined;
  }

  /**
   * The bytes of one model file: from the cache when a verified copy with this hash is there,
   * else downloaded from the server with progress, checked, and cached. Nothing is cached when a
   * check fails.
   */
  async fetchModelFile(
    modelId: string,
    file: ModelFileRef,
    onProgress?: ProgressCallback,
    signal?: AbortSignal,
  ): Promise<{ bytes: Uint8Array; fromCache: boolean }> {
    const label = `${modelId}/${file.name}`;
    const cache = await this.open();
    const key = cacheKey(this.env.origin, modelId, file.name, file.sha256);
    const hit = cache && (await this.cached(cache, key, file));
    if (hit) {
      onProgress?.(hit.byteLength, hit.byteLength);
      return { bytes: hit, fromCache: true };
    }

    let response: Response;
    try {
      // The browser's HTTP cache would only hold a second copy of what Cache Storage keeps.
      response = await this.env.fetch(fileUrl(this.env.origin, modelId, file.name), {
        signal,
        cache: "no-store",
      });
    } catch (err) {
      if (signal?.aborted) throw err;
      throw new ModelFileError(`${label}: the download failed: ${(err as Error).message}`);
    }
    if (!response.ok || !response.body) {
      const detail = await response
        .json()
        .then((b: { error?: string }) => b.error)
        .catch(() => undefined);
      throw new ModelFileError(
        `${label}: the server answered HTTP ${response.status}${detail ? `: ${detail}` : ""}`,
      );
    }
    const declared = Number(response.headers.get("content-length"));
    const bytes = await readVerified(response.body, file, label, {
      declaredTotal: Number.isFinite(declared) && declared > 0 ? declared : null,
      onProgress,
      signal,
    });
    if (cache) await this.store(cache, modelId, file.name, bytes, file.sha256, "server");
    return { bytes, fromCache: false };
  }

  private async store(
    cache: Cache,
    modelId: string,
    name: string,
    bytes: Uint8Array,
    sha256: string,
    origin: CachedOrigin,
  ): Promise<CachedModelFile> {
    const entry: CachedModelFile = {
      modelId,
      name,
      bytes: bytes.byteLength,
      sha256,
      cachedAt: new Date().toISOString(),
      origin,
    };
    const response = new Response(bytes as Uint8Array<ArrayBuffer>, {
      headers: {
        "Content-Type": "application/octet-stream",
        "Content-Length": String(bytes.byteLength),
        [HEADER_VERIFIED]: "sha256",
        [HEADER_SHA256]: sha256,
        [HEADER_BYTES]: String(bytes.byteLength),
        [HEADER_CACHED_AT]: entry.cachedAt,
        [HEADER_ORIGIN]: origin,
      },
    });
    try {
      await cache.put(cacheKey(this.env.origin, modelId, name, sha256), response);
    } catch (err) {
      if (!isQuotaError(err)) throw err;
      throw new ModelFileError(
        `${modelId}/${name}: the browser has no room to cache ${(bytes.byteLength / 1024 / 1024).toFixed(1)} MB; clear cached models or free disk space`,
      );
    }
    // Older versions of the same file (another hash) are dead weight now.
    for (const other of await this.entries(cache)) {
      if (other.modelId === modelId && other.name === name && other.sha256 !== sha256) {
        await cache.delete(cacheKey(this.env.origin, modelId, name, other.sha256));
      }
    }
    return entry;
  }

  private async entries(cache: Cache): Promise<CachedModelFile[]> {
    const out: CachedModelFile[] = [];
    for (const request of await cache.keys()) {
      const key = parseCacheKey(request.url);
      if (!key) continue;
      const response = await cache.match(request);
      if (!response) continue;
      out.push({
        ...key,
        bytes: Number(response.headers.get(HEADER_BYTES) ?? 0),
        cachedAt: response.headers.get(HEADER_CACHED_AT) ?? "",
        origin: (response.headers.get(HEADER_ORIGIN) as CachedOrigin | null) ?? "server",
      });
    }
    return out;
  }

  /** Every cached model file, whatever its hash. */
  async list(): Promise<CachedModelFile[]> {
    const cache = (await this.exists()) ? await this.open() : undefined;
    return cache ? this.entries(cache) : [];
  }

  /** Drops one model's files, or every cached model file; returns how many were removed. */
  async clear(modelId?: string): Promise<number> {
    const cache = (await this.exists()) ? await this.open() : undefined;
    if (!cache) return 0;
    const entries = await this.entries(cache);
    if (modelId === undefined) {
      await this.env.caches?.delete(MODEL_CACHE_NAME);
      return entries.length;
    }
    const mine = entries.filter((e) => e.modelId === modelId);
    for (const e of mine)
      await cache.delete(cacheKey(this.env.origin, e.modelId, e.name, e.sha256));
    return mine.length;
  }

  /**
   * Caches a file the user picked from disk. It is checked against what is known of it: the
   * manifest's size and hash and the `expected` ones (the server's installed record); a file
   * nothing is known of is cached under its own hash and marked unchecked.
   */
  async importFile(
    modelId: string,
    name: string,
    bytes: Uint8Array,
    expected?: { bytes: number | null; sha256: string | null },
  ): Promise<CachedModelFile> {
    const files = this.env.manifestFiles(modelId);
    if (!files) throw new ModelFileError(`unknown model "${modelId}"`);
    const known = files.find((f) => f.name === name);
    if (!known) {
      throw new ModelFileError(
        `${modelId} has no file named "${name}"; its files: ${files.map((f) => f.name).join(", ")}`,
      );
    }
    const label = `${modelId}/${name}`;
    const size = known.bytes ?? expected?.bytes ?? null;
    if (size !== null && bytes.byteLength !== size) {
      throw new ModelFileError(
        `${label}: the chosen file has ${bytes.byteLength} bytes; the model's file has ${size}`,
      );
    }
    const actual = sha256Hex(bytes);
    const wanted = known.sha256 ?? expected?.sha256 ?? null;
    if (wanted !== null && actual !== wanted) {
      throw new ModelFileError(
        `${label}: checksum mismatch (sha256 ${actual.slice(0, 12)}…, expected ${wanted.slice(0, 12)}…); the file was not cached`,
      );
    }
    const origin: CachedOrigin = wanted === null ? "import-unchecked" : "import";
    const cache = await this.open();
    if (!cache) {
      throw new ModelFileError(
        `${label}: this page is not a secure context, so the browser keeps no models for it; ` +
          "open the studio over HTTPS or on localhost to import model files",
      );
    }
    return this.store(cache, modelId, name, bytes, actual, origin);
  }
}

let shared: ModelCache | undefined;
function modelCache(): ModelCache {
  shared ??= new ModelCache(defaultEnv());
  return shared;
}

/**
 * The bytes of one model file for a session: cached and verified, downloaded once. `onProgress`
 * is called per chunk (loaded, total) during a download and once with the full size on a hit.
 */
export async function fetchModelFile(
  modelId: string,
  file: ModelFileRef,
  onProgress?: ProgressCallback,
  signal?: AbortSignal,
): Promise<Uint8Array> {
  return (await modelCache().fetchModelFile(modelId, file, onProgress, signal)).bytes;
}

/** Progress of one file among several, for loaders that fetch a whole model. */
export interface ModelFileProgress {
  readonly name: string;
  readonly loaded: number;
  readonly total: number | null;
}

/** Every file of a model (in order, one at a time to bound memory), keyed by name. */
export async function fetchModelFiles(
  modelId: string,
  files: readonly ModelFileRef[],
  onProgress?: (p: ModelFileProgress) => void,
  signal?: AbortSignal,
): Promise<Map<string, Uint8Array>> {
  const out = new Map<string, Uint8Array>();
  for (const file of files) {
    const report =
      onProgress &&
      ((loaded: number, total: number | null) => onProgress({ name: file.name, loaded, total }));
    out.set(file.name, await fetchModelFile(modelId, file, report, signal));
  }
  return out;
}

export function listCachedModels(): Promise<CachedModelFile[]> {
  return modelCache().list();
}

export function clearModelCache(modelId?: string): Promise<number> {
  return modelCache().clear(modelId);
}

export function importModelFile(
  modelId: string,
  name: string,
  bytes: Uint8Array,
  expected?: { bytes: number | null; sha256: string | null },
): Promise<CachedModelFile> {
  return modelCache().importFile(modelId, name, bytes, expected);
}

// Downloads started through the worker API, so the panel can cancel one (an AbortSignal cannot
// cross the worker boundary).
const downloads = new Map<string, AbortController>();

/** Caches a file for the Models panel without handing its bytes back across the worker boundary. */
export async function cacheModelFile(
  modelId: string,
  file: ModelFileRef,
  onProgress?: ProgressCallback,
  downloadId?: string,
): Promise<{ bytes: number; fromCache: boolean }> {
  const controller = new AbortController();
  if (downloadId) downloads.set(downloadId, controller);
  try {
    const result = await modelCache().fetchModelFile(modelId, file, onProgress, controller.signal);
    return { bytes: result.bytes.byteLength, fromCache: result.fromCache };
  } finally {
    if (downloadId) downloads.delete(downloadId);
  }
}

export function cancelModelDownload(downloadId: string): void {
  downloads.get(downloadId)?.abort(new DOMException("the download was cancelled", "AbortError"));
}
