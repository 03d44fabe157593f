/**
 * `npm run studio -- batch <workflow.json|.png> --input <nodeId>=<dir|image> [--input …] --out <dir>`
 *
 * "Run as batch" without the editor: each `--input` names a Load Image node and a folder of
 * images (or one image); one node runs once per image, two nodes are crossed (every person with
 * every garment). Runs locally on the headless runtime, one host for the whole batch so models
 * load once and shared upstream results come from the cache. Writes each run's outputs under
 * `<out>/<nnn>-<input names>/` and `<out>/batch.csv` (inputs, params, outputs, Leffa loss).
 */
import { mkdir, readdir, readFile, stat, writeFile } from "node:fs/promises";
import { basename, extname, join, relative } from "node:path";
import { sha256 } from "@noble/hashes/sha2.js";
import { bytesToHex } from "@noble/hashes/utils.js";
import type { WorkflowDocument } from "../nodes/core/document";
import { nodeCodec } from "../workers/codec/node-codec";
import { createNodeHost } from "../workers/node-host";
import { executeWorkflow } from "../workers/runtime/execute";
import { batchCsv, type BatchCsvRun } from "../workers/batch/batch-csv";
import { crossBatch, type BatchAxis } from "../workers/batch/batch-plan";
import { leffaLossFromText } from "../workers/batch/leffa-loss-text";

const IMAGE_EXTENSIONS = new Set([".png", ".jpg", ".jpeg", ".webp"]);

/** The images an `--input` names: the file itself, or a folder's images in name order. */
export async function listImages(path: string): Promise<string[]> {
  const info = await stat(path);
  if (!info.isDirectory()) return [path];
  const names = (await readdir(path))
    .filter((n) => IMAGE_EXTENSIONS.has(extname(n).toLowerCase()) && !n.startsWith("."))
    .sort();
  if (names.length === 0) throw new Error(`${path} holds no PNG, JPEG or WebP image`);
  return names.map((n) => join(path, n));
}

/** `--input nodeId=path` specs as batch axes, each checked against the document. */
export async function batchAxes(
  doc: WorkflowDocument,
  specs: readonly string[],
): Promise<BatchAxis<string>[]> {
  const axes: BatchAxis<string>[] = [];
  for (const spec of specs) {
    const eq = spec.indexOf("=");
    if (eq < 1) throw new Error(`--input expects <nodeId>=<folder or image>, got "${spec}"`);
    const nodeId = spec.slice(0, eq);
    const node = doc.nodes.find((n) => n.id === nodeId);
    if (!node) throw new Error(`--input: no node "${nodeId}" in the workflow`);
    if (node.type !== "load-image") {
      throw new Error(`--input: node "${nodeId}" is a ${node.type}, not a load-image`);
    }
    const files = await listImages(spec.slice(eq + 1));
    axes.push({ nodeId, items: files.map((f) => ({ name: basename(f), value: f })) });
  }
  return axes;
}

/** A folder name from the run's number and its input names. */
function runFolder(index: number, total: number, names: readonly string[]): string {
  const stem = names.map((n) => basename(n, extname(n))).join("__");
  const safe = stem.replace(/[^A-Za-z0-9._-]+/g, "_").slice(0, 80);
  return `${String(index + 1).padStart(String(total).length, "0")}-${safe}`;
}

export interface LocalBatchOptions {
  readonly doc: WorkflowDocument;
  readonly inputs: readonly string[];
  readonly out: string;
  readonly runtime: "native" | "wasm";
  readonly log?: (line: string) => void;
}

/** Runs every combination locally; resolves with the CSV rows written (one per run). */
export async function runLocalBatch(options: LocalBatchOptions): Promise<BatchCsvRun[]> {
  const { doc, out } = options;
  const log = options.log ?? console.log;
  const cells = crossBatch(await batchAxes(doc, options.inputs));
  const assets = new Map<string, Uint8Array>();
  const host = createNodeHost({ assets, runtime: options.runtime });
  await mkdir(out, { recursive: true });
  const rows: BatchCsvRun[] = [];
  for (const cell of cells) {
    const run = structuredClone(doc);
    for (const [nodeId, item] of Object.entries(cell.inputs)) {
      const bytes = new Uint8Array(await readFile(item.value));
      const id = bytesToHex(sha256(bytes));
      assets.set(id, bytes);
      const node = run.nodes.find((n) => n.id === nodeId)!;
      node.params = { ...node.params, image: id };
    }
    const names = Object.values(cell.inputs).map((i) => i.name);
    const folder = runFolder(cell.index, cells.length, names);
    const started = performance.now();
    let error: string | undefined;
    const outcome = await executeWorkflow(run, host, {
      runId: `batch-${cell.index}`,
      onEvent: (e) => {
        if (e.type === "node-status" && e.status === "error" && !error) {
          error = `${e.nodeId}: ${e.message ?? "failed"}`;
        }
      },
    });
    const seconds = Math.round(performance.now() - started) / 1000;
    await mkdir(join(out, folder), { recursive: true });
    const outputs: string[] = [];
    let leffaLoss: number | null = null;
    for (const [nodeId, result] of outcome.results) {
      leffaLoss ??= leffaLossFromText(result.ui?.text);
      for (const f of result.ui?.files ?? []) {
        const path = join(out, folder, `${nodeId}-${f.name}`);
        await writeFile(path, f.bytes);
        outputs.push(relative(out, path));
      }
      if (result.ui?.files?.length) continue;
      for (const [i, image] of (result.ui?.images ?? []).entries()) {
        const path = join(out, folder, `${nodeId}-${i}.png`);
        await writeFile(path, await nodeCodec.encodePng(image));
        outputs.push(relative(out, path));
      }
    }
    rows.push({
      id: folder,
      status: outcome.status,
      inputs: Object.fromEntries(
        Object.entries(cell.inputs).map(([nodeId, item]) => [nodeId, item.value]),
      ),
      params: {},
      outputs,
      leffaLoss,
      error: error ?? null,
      worker: "local",
      seconds,
    });
    log(
      `${String(cell.index + 1).padStart(String(cells.length).length)}/${cells.length} ` +
        `${outcome.status.padEnd(9)} ${names.join(" × ")} (${seconds.toFixed(1)} s)` +
        (leffaLoss !== null ? ` · Leffa loss ${leffaLoss.toFixed(4)}` : "") +
        (error ? ` · ${error}` : ""),
    );
  }
  await writeFile(join(out, "batch.csv"), batchCsv(rows));
  return rows;
}
