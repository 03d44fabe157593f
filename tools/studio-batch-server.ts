/**
 * `npm run studio -- batch --server <url> [--token <api token>] --workflow <id> --input
 * <nodeId>=<folder|image>… --out <dir>`: the same batch through the runs API instead of this
 * machine. Each combination is one multipart POST /api/workflows/:id/runs (its images as file
 * parts, all sharing one batch id); the runs are followed with GET /api/runs?batch=… and the
 * batch's ZIP (batch.csv, inputs, outputs) is saved as <out>/<batch id>.zip.
 */
import { mkdir, readFile, writeFile } from "node:fs/promises";
import { extname, join } from "node:path";
import { crossBatch, newBatchId, type BatchAxis } from "../workers/batch/batch-plan";
import { listImages } from "./studio-batch";

const TYPES: Record<string, string> = {
  ".png": "image/png",
  ".jpg": "image/jpeg",
  ".jpeg": "image/jpeg",
  ".webp": "image/webp",
};
const FINISHED = new Set(["done", "error", "cancelled"]);

export interface ServerBatchOptions {
  readonly server: string;
  readonly token?: string;
  readonly workflowId: string;
  readonly inputs: readonly string[];
  readonly out: string;
  readonly pollMs?: number;
  readonly log?: (line: string) => void;
}

async function axesOf(specs: readonly string[]): Promise<BatchAxis<string>[]> {
  const axes: BatchAxis<string>[] = [];
  for (const spec of specs) {
    const eq = spec.indexOf("=");
    if (eq < 1) throw new Error(`--input expects <nodeId>=<folder or image>, got "${spec}"`);
    const files = await listImages(spec.slice(eq + 1));
    axes.push({
      nodeId: spec.slice(0, eq),
      items: files.map((f) => ({ name: f, value: f })),
    });
  }
  return axes;
}

/** Queues, follows and downloads the batch; resolves with the runs' final statuses. */
export async function runServerBatch(options: ServerBatchOptions): Promise<{
  batchId: string;
  statuses: string[];
  zip: string;
}> {
  const log = options.log ?? console.log;
  const base = options.server.replace(/\/+$/, "");
  const headers: Record<string, string> = options.token
    ? { Authorization: `Bearer ${options.token}` }
    : {};
  const call = async (path: string, init: RequestInit = {}) => {
    const res = await fetch(`${base}${path}`, { ...init, headers: { ...headers } });
    if (!res.ok) {
      const body = (await res.json().catch(() => ({}))) as { error?: string };
      throw new Error(`${init.method ?? "GET"} ${path}: ${body.error ?? `HTTP ${res.status}`}`);
    }
    return res;
  };

  const cells = crossBatch(await axesOf(options.inputs));
  const batchId = newBatchId();
  const ids: string[] = [];
  for (const cell of cells) {
    const form = new FormData();
    for (const [nodeId, item] of Object.entries(cell.inputs)) {
      const type = TYPES[extname(item.value).toLowerCase()] ?? "application/octet-stream";
      form.append(nodeId, new Blob([await readFile(item.value)], { type }), item.value);
    }
    form.append("batchId", batchId);
    const res = await call(`/api/workflows/${encodeURIComponent(options.workflowId)}/runs`, {
      method: "POST",
      body: form,
    });
    ids.push(((await res.json()) as { id: string }).id);
  }
  log(`queued ${ids.length} run(s) as ${batchId}`);

  let statuses: string[] = [];
  for (;;) {
    const res = await call(`/api/runs?batch=${batchId}&limit=100`);
    const page = (await res.json()) as { runs: { id: string; status: string }[] };
    const byId = new Map(page.runs.map((r) => [r.id, r.status]));
    // A batch over 100 runs: the rest are read one by one.
    for (const id of ids) {
      if (!byId.has(id)) {
        const run = (await (await call(`/api/runs/${id}`)).json()) as { status: string };
        byId.set(id, run.status);
      }
    }
    statuses = ids.map((id) => byId.get(id) ?? "queued");
    const finished = statuses.filter((s) => FINISHED.has(s)).length;
    log(`${finished}/${ids.length} finished`);
    if (finished === ids.length) break;
    await new Promise((r) => setTimeout(r, options.pollMs ?? 1000));
  }
  await mkdir(options.out, { recursive: true });
  const zip = join(options.out, `${batchId}.zip`);
  const res = await call(`/api/batches/${batchId}/zip`);
  await writeFile(zip, new Uint8Array(await res.arrayBuffer()));
  return { batchId, statuses, zip };
}
