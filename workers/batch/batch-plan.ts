/**
 * "Run as batch": many images for one Load Image node, or two nodes crossed (persons × garments),
 * become one run per combination. Pure, so the editor, the CLI and their tests share it.
 */

/** One picked image: a name to show and list in the CSV, and whatever the caller runs it from. */
export interface BatchItem<T> {
  readonly name: string;
  readonly value: T;
}

/** The images picked for one Load Image node. */
export interface BatchAxis<T> {
  readonly nodeId: string;
  readonly items: readonly BatchItem<T>[];
}

/** One run of the batch: for each axis's node, the item it takes. */
export interface BatchCell<T> {
  /** 0-based, in row-major order: the first axis varies slowest. */
  readonly index: number;
  readonly inputs: Readonly<Record<string, BatchItem<T>>>;
}

/** Most runs one batch may queue: well past a 500-garment catalogue, well short of a typo's 10⁶. */
export const MAX_BATCH_RUNS = 1000;

/** Every combination of the axes' items (one axis: each item; two: the cross product). */
export function crossBatch<T>(axes: readonly BatchAxis<T>[]): BatchCell<T>[] {
  if (axes.length === 0) throw new Error("pick images for at least one Load Image node");
  if (axes.length > 2) throw new Error("a batch crosses at most two Load Image nodes");
  const seen = new Set<string>();
  for (const axis of axes) {
    if (seen.has(axis.nodeId)) throw new Error(`node "${axis.nodeId}" is picked twice`);
    seen.add(axis.nodeId);
    if (axis.items.length === 0) throw new Error(`no images picked for node "${axis.nodeId}"`);
  }
  const total = axes.reduce((n, a) => n * a.items.length, 1);
  if (total > MAX_BATCH_RUNS) {
    throw new Error(
      `${axes.map((a) => a.items.length).join(" × ")} = ${total} runs; a batch holds at most ${MAX_BATCH_RUNS}`,
    );
  }
  let cells: Record<string, BatchItem<T>>[] = [{}];
  for (const axis of axes) {
    cells = cells.flatMap((partial) =>
      axis.items.map((item) => ({ ...partial, [axis.nodeId]: item })),
    );
  }
  return cells.map((inputs, index) => ({ index, inputs }));
}

/** A batch id the run API accepts (1–64 of letters, digits, '_' and '-'). */
export function newBatchId(random: () => number = Math.random): string {
  const stamp = Date.now().toString(36);
  const tail = Array.from({ length: 8 }, () => Math.floor(random() * 36).toString(36)).join("");
  return `batch-${stamp}-${tail}`;
}
