import type { ModelTensor } from "../../core/types";

/**
 * The unconditional reference features (the reference UNet run on a zero latent) depend only on
 * the model, the resolution and the timestep — never on the garment — so they are worth keeping
 * across runs: the next run with the same model and resolution then runs the reference UNet on the
 * garment alone (batch 1 instead of 2). An LRU bounded in bytes; evicted entries are disposed,
 * which frees GPU memory when the tensors live there.
 *
 * A run visits its timesteps in a cycle; when a budget holds fewer entries than the run has steps,
 * LRU evicts each entry before it is needed again — so the sampler only caches runs that fit
 * whole (17 MB per timestep at 512×384: 30 steps ≈ 520 MB fits the default budget; 69 MB at
 * 1024×768 does not).
 */
export class ReferenceFeatureCache {
  private readonly entries = new Map<string, { tensors: ModelTensor[]; bytes: number }>();
  private bytes = 0;

  constructor(readonly budgetBytes = 640 * 1024 ** 2) {}

  static key(modelId: string, width: number, height: number, timestep: number): string {
    return `${modelId}|${width}x${height}|t${timestep}`;
  }

  /** The features for `key`, now the most recently used, or undefined. */
  get(key: string): readonly ModelTensor[] | undefined {
    const entry = this.entries.get(key);
    if (!entry) return undefined;
    this.entries.delete(key);
    this.entries.set(key, entry);
    return entry.tensors;
  }

  /** Takes ownership of `tensors`; an entry larger than the whole budget is disposed at once. */
  set(key: string, tensors: ModelTensor[], bytes: number): void {
    this.drop(key);
    if (bytes > this.budgetBytes) {
      for (const t of tensors) t.dispose();
      return;
    }
    this.entries.set(key, { tensors, bytes });
    this.bytes += bytes;
    for (const oldest of this.entries.keys()) {
      if (this.bytes <= this.budgetBytes) break;
      this.drop(oldest);
    }
  }

  get size(): number {
    return this.entries.size;
  }

  get usedBytes(): number {
    return this.bytes;
  }

  clear(): void {
    for (const key of [...this.entries.keys()]) this.drop(key);
  }

  private drop(key: string): void {
    const entry = this.entries.get(key);
    if (!entry) return;
    this.entries.delete(key);
    this.bytes -= entry.bytes;
    for (const t of entry.tensors) t.dispose();
  }
}
