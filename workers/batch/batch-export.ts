import { batchCsv, type BatchCsvRun } from "./batch-csv";

/**
 * What goes into a batch's "download all" ZIP, decided before a byte is read: `batch.csv` and
 * every input and output under a path of its own. Inputs shared by several runs (the same garment
 * against every person) are stored once and the CSV points each row at that one file.
 */

export interface BatchExportRun {
  readonly id: string;
  readonly status: string;
  /** Load Image node id → asset-store key of the image it took. */
  readonly inputs: Readonly<Record<string, string>>;
  readonly overrides: Readonly<Record<string, Readonly<Record<string, unknown>>>>;
  readonly outputs: readonly {
    readonly nodeId: string;
    readonly name: string;
    readonly key: string;
    readonly contentType: string;
  }[];
  readonly leffaLoss?: number | null;
  readonly error?: string | null;
  readonly worker?: string | null;
  readonly seconds?: number | null;
}

export interface ZipItem {
  /** Path inside the ZIP. */
  readonly path: string;
  /** Asset-store key to read it from. */
  readonly key: string;
  /** PNG, JPEG and WebP are compressed already: deflating them again only costs time. */
  readonly compress: boolean;
}

export interface BatchExportPlan {
  readonly csv: string;
  readonly items: readonly ZipItem[];
}

const EXTENSIONS: Record<string, string> = {
  "image/png": "png",
  "image/jpeg": "jpg",
  "image/webp": "webp",
};

/** A file name without path separators or control characters. */
function safeName(name: string): string {
  const cleaned = [...name]
    .map((c) => (c === "/" || c === "\\" || c.charCodeAt(0) < 0x20 ? "_" : c))
    .join("")
    .replace(/^\.+/, "_");
  return cleaned.slice(0, 120) || "_";
}

/**
 * Inputs under `inputs/<node>/<key's last segment>.<ext>` (the ext from `inputTypes`, key →
 * content type, when known); each run's outputs under `<nnn>-<run id>/<node>-<name>`, numbered
 * in the order given so the folders sort as the grid shows them.
 */
export function planBatchExport(
  runs: readonly BatchExportRun[],
  inputTypes: ReadonlyMap<string, string> = new Map(),
): BatchExportPlan {
  const items: ZipItem[] = [];
  const inputPaths = new Map<string, string>();
  const width = String(runs.length).length;
  const csvRuns: BatchCsvRun[] = runs.map((run, i) => {
    const inputs: Record<string, string> = {};
    for (const [nodeId, key] of Object.entries(run.inputs)) {
      const id = `${nodeId}\u0000${key}`;
      let path = inputPaths.get(id);
      if (!path) {
        const type = inputTypes.get(key);
        const ext = type ? EXTENSIONS[type] : undefined;
        const base = safeName(key.split("/").pop() ?? key);
        path = `inputs/${safeName(nodeId)}/${base}${ext ? `.${ext}` : ""}`;
        inputPaths.set(id, path);
        items.push({ path, key, compress: false });
      }
      inputs[nodeId] = path;
    }
    const folder = `${String(i + 1).padStart(width, "0")}-${safeName(run.id)}`;
    const outputs = run.outputs.map((o) => {
      const path = `${folder}/${safeName(`${o.nodeId}-${o.name}`)}`;
      items.push({ path, key: o.key, compress: !(o.contentType in EXTENSIONS) });
      return path;
    });
    return {
      id: run.id,
      status: run.status,
      inputs,
      params: run.overrides,
      outputs,
      leffaLoss: run.leffaLoss,
      error: run.error,
      worker: run.worker,
      seconds: run.seconds,
    };
  });
  return { csv: batchCsv(csvRuns), items };
}
