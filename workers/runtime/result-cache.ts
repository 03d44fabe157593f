import type { NodeResult, PortValue } from "../../nodes/core/types";

/** Approximate bytes held by a value: typed arrays dominate, the rest is counted as small. */
function valueBytes(value: PortValue | undefined): number {
  if (value && typeof value === "object" && "data" in value && ArrayBuffer.isView(value.data)) {
    return value.data.byteLength;
  }
  return 64;
}

function resultBytes(result: NodeResult): number {
  let total = 0;
  for (const v of Object.values(result.outputs)) total += valueBytes(v);
  for (const img of result.ui?.images ?? []) total += img.data.byteLength;
  for (const f of result.ui?.files ?? []) total += f.bytes.byteLength;
  return total;
}

/**
 * Node results by cache key, least recently used evicted first once the byte budget is exceeded.
 * A Map iterates in insertion order, so re-inserting on access keeps it an LRU.
 */
export class ResultCache {
  private readonly entries = new Map<string, { result: NodeResult; bytes: number }>();
  private total = 0;

  constructor(private readonly budgetBytes: number) {}

  get(key: string): NodeResult | undefined {
    const entry = this.entries.get(key);
    if (!entry) return undefined;
    this.entries.delete(key);
    this.entries.set(key, entry);
    return entry.result;
  }

  set(key: string, result: NodeResult): void {
    const bytes = resultBytes(result);
    const old = this.entries.get(key);
    if (old) {
      this.total -= old.bytes;
      this.entries.delete(key);
    }
    this.entries.set(key, { result, bytes });
    this.total += bytes;
    for (const [k, e] of this.entries) {
      if (this.total <= this.budgetBytes || k === key) break;
      this.entries.delete(k);
      this.total -= e.bytes;
    }
  }

  clear(): void {
    this.entries.clear();
    this.total = 0;
  }

  get size(): number {
    return this.entries.size;
  }

  get bytes(): number {
    return this.total;
  }
}
