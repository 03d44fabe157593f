import { create } from "zustand";
import { crossBatch, newBatchId, type BatchAxis } from "@/workers/batch/batch-plan";
import {
  isFinished,
  listServerRuns,
  startServerRun,
  uploadServerAsset,
  type ServerRun,
} from "./server-runs-api";

/**
 * "Run as batch": the images picked per Load Image node, uploaded once each, crossed into one
 * server run per combination sharing a batch id, then followed until every run has finished
 * (GET /api/runs?batch=…). Kept in a store so the grid survives closing and reopening its dialog.
 */

/** One picked file, with a local URL for its thumbnail in the grid. */
export interface PickedImage {
  readonly file: File;
  readonly url: string;
}

/** One cell of the grid: the inputs it took and, once queued, its run. */
export interface BatchCellState {
  readonly index: number;
  /** Load Image node id → the picked image's name and thumbnail. */
  readonly inputs: Readonly<Record<string, { readonly name: string; readonly url: string }>>;
  readonly runId: string | null;
  readonly run: ServerRun | null;
  /** Why it could not be queued. */
  readonly error?: string;
}

export type BatchPhase = "pick" | "uploading" | "queuing" | "running" | "finished";

interface BatchState {
  /** Load Image node id → the images picked for it. */
  readonly picks: Readonly<Record<string, readonly PickedImage[]>>;
  readonly phase: BatchPhase;
  /** What is happening, e.g. "Uploading 3 of 8". */
  readonly note: string;
  readonly batchId: string | null;
  readonly workflowId: string | null;
  /** The Load Image nodes crossed, in order (rows, then columns). */
  readonly axes: readonly string[];
  readonly cells: readonly BatchCellState[];
  pick(nodeId: string, files: readonly File[]): void;
  reset(): void;
}

const POLL_MS = 1000;

function release(picks: Readonly<Record<string, readonly PickedImage[]>>) {
  for (const list of Object.values(picks)) for (const p of list) URL.revokeObjectURL(p.url);
}

export const useBatch = create<BatchState>()((set, get) => ({
  picks: {},
  phase: "pick",
  note: "",
  batchId: null,
  workflowId: null,
  axes: [],
  cells: [],
  pick(nodeId, files) {
    const previous = get().picks[nodeId];
    if (previous) for (const p of previous) URL.revokeObjectURL(p.url);
    const picks = { ...get().picks };
    if (files.length === 0) delete picks[nodeId];
    else picks[nodeId] = files.map((file) => ({ file, url: URL.createObjectURL(file) }));
    set({ picks });
  },
  reset() {
    polling += 1;
    release(get().picks);
    set({ picks: {}, phase: "pick", note: "", batchId: null, axes: [], cells: [] });
  },
}));

/** How many runs the current picks make, or why they make none. */
export function plannedRuns(
  picks: Readonly<Record<string, readonly PickedImage[]>>,
): number | string {
  try {
    return crossBatch(pickAxes(picks)).length;
  } catch (err) {
    return (err as Error).message;
  }
}

function pickAxes(
  picks: Readonly<Record<string, readonly PickedImage[]>>,
): BatchAxis<PickedImage>[] {
  return Object.entries(picks)
    .filter(([, list]) => list.length > 0)
    .map(([nodeId, list]) => ({
      nodeId,
      items: list.map((p) => ({ name: p.file.name, value: p })),
    }));
}

/** A generation counter: a reset or a new batch stops the previous one's polling. */
let polling = 0;

/**
 * Uploads each picked image once, queues one run per combination of the saved workflow, then
 * follows them. Throws (nothing queued) when the picks do not make a batch.
 */
export async function startBatch(workflowId: string): Promise<void> {
  const { picks } = useBatch.getState();
  const cells = crossBatch(pickAxes(picks));
  const generation = ++polling;
  const batchId = newBatchId();
  const axes = [...new Set(cells.flatMap((c) => Object.keys(c.inputs)))];
  useBatch.setState({
    phase: "uploading",
    batchId,
    workflowId,
    axes,
    cells: cells.map((c) => ({
      index: c.index,
      inputs: Object.fromEntries(
        Object.entries(c.inputs).map(([id, item]) => [
          id,
          { name: item.name, url: item.value.url },
        ]),
      ),
      runId: null,
      run: null,
    })),
  });

  const assetIds = new Map<PickedImage, string>();
  const all = Object.values(picks).flat();
  try {
    for (const [i, picked] of all.entries()) {
      useBatch.setState({ note: `Uploading ${i + 1} of ${all.length}` });
      assetIds.set(picked, await uploadServerAsset(picked.file));
    }
  } catch (err) {
    useBatch.setState({ phase: "pick", note: `Upload failed: ${(err as Error).message}` });
    throw err;
  }

  useBatch.setState({ phase: "queuing" });
  for (const cell of cells) {
    if (generation !== polling) return;
    useBatch.setState({ note: `Queuing ${cell.index + 1} of ${cells.length}` });
    const inputs = Object.fromEntries(
      Object.entries(cell.inputs).map(([nodeId, item]) => [nodeId, assetIds.get(item.value)!]),
    );
    let runId: string | null = null;
    let error: string | undefined;
    try {
      runId = await startServerRun(workflowId, { inputs, batchId });
    } catch (err) {
      error = (err as Error).message;
    }
    useBatch.setState((s) => ({
      cells: s.cells.map((c) => (c.index === cell.index ? { ...c, runId, error } : c)),
    }));
  }
  useBatch.setState({ phase: "running", note: "" });
  await follow(batchId, generation);
}

/** Polls the batch's runs into its cells until every queued one has finished. */
async function follow(batchId: string, generation: number): Promise<void> {
  while (generation === polling) {
    let runs: ServerRun[];
    try {
      runs = await listServerRuns({ batch: batchId }, 1000);
    } catch (err) {
      useBatch.setState({ note: `Could not read the batch: ${(err as Error).message}` });
      await new Promise((r) => setTimeout(r, POLL_MS * 3));
      continue;
    }
    if (generation !== polling) return;
    const byId = new Map(runs.map((r) => [r.id, r]));
    const cells = useBatch
      .getState()
      .cells.map((c) => (c.runId && byId.has(c.runId) ? { ...c, run: byId.get(c.runId)! } : c));
    const finished = cells.every((c) => !c.runId || (c.run && isFinished(c.run.status)));
    const done = cells.filter((c) => c.run && isFinished(c.run.status)).length;
    useBatch.setState({
      cells,
      note: `${done} of ${cells.filter((c) => c.runId).length} finished`,
      ...(finished ? { phase: "finished" as const } : {}),
    });
    if (finished) return;
    await new Promise((r) => setTimeout(r, POLL_MS));
  }
}

/** The image a cell shows as its result: the last image output (the end of the graph). */
export function resultImage(run: ServerRun | null): string | null {
  const images = (run?.outputs ?? []).filter((o) => o.contentType.startsWith("image/"));
  return images.length ? images[images.length - 1].url : null;
}
