import { createHash } from "node:crypto";
import { beforeEach, describe, expect, it } from "vitest";
import {
  MODEL_CACHE_NAME,
  ModelCache,
  cacheKey,
  parseCacheKey,
  type ModelCacheEnv,
} from "./model-cache";

/**
 * Node has no Cache Storage, so these tests run the cache against a small in-memory one with the
 * same semantics for what the module uses (match, put, delete, keys; responses stored whole).
 * The real one is exercised in Chromium by tests/e2e/models.e2e.ts.
 */
class MemoryCache {
  readonly entries = new Map<string, { body: ArrayBuffer; headers: Headers }>();
  async match(key: RequestInfo | URL): Promise<Response | undefined> {
    const hit = this.entries.get(String(key instanceof Request ? key.url : key));
    return hit && new Response(hit.body.slice(0), { headers: hit.headers });
  }
  async put(key: RequestInfo | URL, response: Response): Promise<void> {
    const url = String(key instanceof Request ? key.url : key);
    this.entries.set(url, { body: await response.arrayBuffer(), headers: response.headers });
  }
  async delete(key: RequestInfo | URL): Promise<boolean> {
    return this.entries.delete(String(key instanceof Request ? key.url : key));
  }
  async keys(): Promise<Request[]> {
    return [...this.entries.keys()].map((url) => new Request(url));
  }
}

class MemoryCacheStorage {
  readonly caches = new Map<string, MemoryCache>();
  async open(name: string): Promise<MemoryCache> {
    if (!this.caches.has(name)) this.caches.set(name, new MemoryCache());
    return this.caches.get(name)!;
  }
  async has(name: string): Promise<boolean> {
    return this.caches.has(name);
  }
  async delete(name: string): Promise<boolean> {
    return this.caches.delete(name);
  }
}

const ORIGIN = "http://studio.test";
const bytesOf = (seed: number, n = 3000) =>
  Uint8Array.from({ length: n }, (_, i) => (i * seed) % 251);
const sha = (b: Uint8Array) => createHash("sha256").update(b).digest("hex");

const WEIGHTS = bytesOf(3);
const FILE = { name: "model.onnx", bytes: WEIGHTS.byteLength, sha256: sha(WEIGHTS) };

let storage: MemoryCacheStorage;
let served: Map<string, Uint8Array>;
let requests: string[];
let cache: ModelCache;

function makeCache(
  manifest: Record<string, { name: string; bytes: number | null; sha256: string | null }[]> = {},
  { secureContext = true } = {},
) {
  const env: ModelCacheEnv = {
    caches: secureContext ? (storage as unknown as CacheStorage) : undefined,
    origin: ORIGIN,
    manifestFiles: (id) => manifest[id],
    fetch: (async (input: RequestInfo | URL) => {
      const url = String(input);
      requests.push(url);
      const body = served.get(url);
      if (!body)
        return Response.json({ error: "model m is not installed on this server" }, { status: 404 });
      // Delivered in pieces, as a network body is.
      let offset = 0;
      const stream = new ReadableStream<Uint8Array>({
        pull(c) {
          if (offset >= body.byteLength) return c.close();
          c.enqueue(body.slice(offset, offset + 1000));
          offset += 1000;
        },
      });
      return new Response(stream, { headers: { "Content-Length": String(body.byteLength) } });
    }) as typeof fetch,
  };
  return new ModelCache(env);
}

beforeEach(() => {
  storage = new MemoryCacheStorage();
  served = new Map([[`${ORIGIN}/api/models/m/files/model.onnx`, WEIGHTS]]);
  requests = [];
  cache = makeCache({ m: [{ name: "model.onnx", bytes: null, sha256: null }] });
});

describe("cache keys", () => {
  it("round-trip model, file and hash, and ignore foreign keys", () => {
    const key = cacheKey(ORIGIN, "m", "model.onnx", FILE.sha256);
    expect(key).toBe(`${ORIGIN}/api/models/m/files/model.onnx?sha256=${FILE.sha256}`);
    expect(parseCacheKey(key)).toEqual({ modelId: "m", name: "model.onnx", sha256: FILE.sha256 });
    expect(parseCacheKey(`${ORIGIN}/api/assets/x`)).toBeUndefined();
    expect(parseCacheKey(`${ORIGIN}/api/models/m/files/model.onnx`)).toBeUndefined();
  });
});

describe("fetchModelFile", () => {
  it("downloads once with progress, then serves the cached copy", async () => {
    const progress: number[] = [];
    const first = await cache.fetchModelFile("m", FILE, (loaded) => progress.push(loaded));
    expect(first.fromCache).toBe(false);
    expect(first.bytes).toEqual(WEIGHTS);
    expect(progress[0]).toBe(0);
    expect(progress.at(-1)).toBe(WEIGHTS.byteLength);
    expect(progress.length).toBeGreaterThan(2);

    const hitProgress: [number, number | null][] = [];
    const second = await cache.fetchModelFile("m", FILE, (l, t) => hitProgress.push([l, t]));
    expect(second.fromCache).toBe(true);
    expect(second.bytes).toEqual(WEIGHTS);
    expect(hitProgress).toEqual([[WEIGHTS.byteLength, WEIGHTS.byteLength]]);
    expect(requests).toHaveLength(1);
  });

  it("trusts a verified entry without hashing it again", async () => {
    await cache.fetchModelFile("m", FILE);
    // Same length, other bytes: only a re-hash could notice, and a hit must not re-hash.
    const entry = storage.caches.get(MODEL_CACHE_NAME)!.entries.values().next().value!;
    new Uint8Array(entry.body).fill(7);
    const again = await cache.fetchModelFile("m", FILE);
    expect(again.fromCache).toBe(true);
    expect(again.bytes[0]).toBe(7);
  });

  it("re-downloads when the cached entry lacks the verified marker or is short", async () => {
    await cache.fetchModelFile("m", FILE);
    const entries = storage.caches.get(MODEL_CACHE_NAME)!.entries;
    const [key, entry] = entries.entries().next().value!;
    entries.set(key, { body: entry.body.slice(0, 10), headers: entry.headers });
    expect((await cache.fetchModelFile("m", FILE)).fromCache).toBe(false);
    const headers = new Headers(entry.headers);
    headers.delete("X-Leffa-Verified");
    entries.set(key, { body: entry.body, headers });
    expect((await cache.fetchModelFile("m", FILE)).fromCache).toBe(false);
    expect(requests).toHaveLength(3);
  });

  it("refuses a file whose hash differs, names it, and caches nothing", async () => {
    const wrong = { ...FILE, sha256: "0".repeat(64) };
    await expect(cache.fetchModelFile("m", wrong)).rejects.toThrow(
      /m\/model\.onnx: checksum mismatch/,
    );
    expect(await cache.list()).toEqual([]);
  });

  it("reports the server's error with the HTTP status", async () => {
    await expect(cache.fetchModelFile("m", { ...FILE, name: "other.onnx" })).rejects.toThrow(
      "m/other.onnx: the server answered HTTP 404: model m is not installed on this server",
    );
  });

  it("replaces the entry of an older version of the same file", async () => {
    await cache.fetchModelFile("m", FILE);
    const newer = bytesOf(5);
    served.set(`${ORIGIN}/api/models/m/files/model.onnx`, newer);
    await cache.fetchModelFile("m", {
      name: "model.onnx",
      bytes: newer.byteLength,
      sha256: sha(newer),
    });
    const listed = await cache.list();
    expect(listed.map((e) => e.sha256)).toEqual([sha(newer)]);
  });
});

describe("list and clear", () => {
  it("lists cached files and clears one model or all", async () => {
    expect(await cache.list()).toEqual([]);
    await cache.fetchModelFile("m", FILE);
    const other = bytesOf(11, 500);
    served.set(`${ORIGIN}/api/models/n/files/w.bin`, other);
    await cache.fetchModelFile("n", { name: "w.bin", bytes: 500, sha256: sha(other) });

    const listed = await cache.list();
    expect(
      listed.map(({ modelId, name, bytes, origin }) => ({ modelId, name, bytes, origin })),
    ).toEqual([
      { modelId: "m", name: "model.onnx", bytes: WEIGHTS.byteLength, origin: "server" },
      { modelId: "n", name: "w.bin", bytes: 500, origin: "server" },
    ]);
    expect(await cache.clear("m")).toBe(1);
    expect((await cache.list()).map((e) => e.modelId)).toEqual(["n"]);
    expect(await cache.clear()).toBe(1);
    expect(await storage.has(MODEL_CACHE_NAME)).toBe(false);
    expect(await cache.clear()).toBe(0);
  });
});

describe("importFile", () => {
  it("caches a file that matches the expected size and hash, then serves it offline", async () => {
    served.clear();
    const entry = await cache.importFile("m", "model.onnx", WEIGHTS, {
      bytes: FILE.bytes,
      sha256: FILE.sha256,
    });
    expect(entry).toMatchObject({
      modelId: "m",
      name: "model.onnx",
      sha256: FILE.sha256,
      origin: "import",
    });
    expect((await cache.fetchModelFile("m", FILE)).fromCache).toBe(true);
    expect(requests).toEqual([]);
  });

  it("checks against the manifest when it pins the file", async () => {
    cache = makeCache({ m: [{ name: "model.onnx", bytes: FILE.bytes, sha256: FILE.sha256 }] });
    await expect(cache.importFile("m", "model.onnx", bytesOf(5))).rejects.toThrow(
      /checksum mismatch/,
    );
    await expect(cache.importFile("m", "model.onnx", WEIGHTS.slice(1))).rejects.toThrow(
      `m/model.onnx: the chosen file has ${FILE.bytes - 1} bytes; the model's file has ${FILE.bytes}`,
    );
    expect(await cache.list()).toEqual([]);
  });

  it("caches an unknown file under its own hash, marked unchecked", async () => {
    const entry = await cache.importFile("m", "model.onnx", WEIGHTS);
    expect(entry.origin).toBe("import-unchecked");
    expect(entry.sha256).toBe(FILE.sha256);
  });

  it("refuses unknown models and files", async () => {
    await expect(cache.importFile("nope", "model.onnx", WEIGHTS)).rejects.toThrow(
      'unknown model "nope"',
    );
    await expect(cache.importFile("m", "x.onnx", WEIGHTS)).rejects.toThrow(
      'm has no file named "x.onnx"; its files: model.onnx',
    );
  });
});

describe("a page without Cache Storage (not a secure context)", () => {
  it("downloads and verifies on every load, lists nothing and refuses imports", async () => {
    const uncached = makeCache(
      { m: [{ name: "model.onnx", bytes: null, sha256: null }] },
      { secureContext: false },
    );
    for (let i = 0; i < 2; i++) {
      const got = await uncached.fetchModelFile("m", FILE);
      expect(got.fromCache).toBe(false);
      expect(got.bytes).toEqual(WEIGHTS);
    }
    expect(requests).toHaveLength(2);
    await expect(uncached.fetchModelFile("m", { ...FILE, sha256: "0".repeat(64) })).rejects.toThrow(
      /checksum|sha256/i,
    );
    expect(await uncached.list()).toEqual([]);
    expect(await uncached.clear()).toBe(0);
    await expect(uncached.importFile("m", "model.onnx", WEIGHTS)).rejects.toThrow(
      /not a secure context.*HTTPS or on localhost/,
    );
  });
});
