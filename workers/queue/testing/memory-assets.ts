import type { AssetStore } from "../contract";

/** An AssetStore over a Map that counts writes per key, so tests can see a duplicate. */
export class MemoryAssetStore implements AssetStore {
  readonly description = "memory";
  readonly entries = new Map<string, { bytes: Uint8Array; contentType: string }>();
  readonly writes = new Map<string, number>();
  /** Set to make the store fail as an unreachable bucket would. */
  failing: Error | null = null;

  async put(key: string, bytes: Uint8Array, contentType: string): Promise<void> {
    if (this.failing) throw this.failing;
    this.entries.set(key, { bytes: bytes.slice(), contentType });
    this.writes.set(key, (this.writes.get(key) ?? 0) + 1);
  }

  async get(key: string): Promise<{ bytes: Uint8Array; contentType: string } | null> {
    if (this.failing) throw this.failing;
    return this.entries.get(key) ?? null;
  }

  async delete(key: string): Promise<void> {
    if (this.failing) throw this.failing;
    this.entries.delete(key);
  }

  keys(prefix = ""): string[] {
    return [...this.entries.keys()].filter((k) => k.startsWith(prefix)).sort();
  }
}
