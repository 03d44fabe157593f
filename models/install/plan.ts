import { MODELS } from "../manifest";
import { modelEntrySchema, type ModelEntry } from "../manifest/schema";
import { readInstalled } from "../store";
import { checkpointBytesOnDisk, verifiedCheckpoint } from "./checkpoint";
import { InstallError } from "./errors";
import { hubFileInfo, hubSettings, isHubUrl, type HubFileInfo, type HubSettings } from "./hf";

/**
 * What installing a set of models takes, before a byte is written: per model (or per checkpoint,
 * for a conversion that makes several store entries at once) whether it is a download or a
 * conversion, its licence, the bytes still to download, what it leaves on disk and the disk it
 * needs at its peak (a conversion holds its checkpoint and its output at once). Sizes the
 * manifest does not pin are asked of the hub (a HEAD request, as huggingface_hub does); where
 * the hub cannot say, the size is unknown (null) and the item says why.
 */

export interface PlanItem {
  kind: "download" | "convert";
  /** Store entries this step installs (a Leffa checkpoint converts into four). */
  ids: string[];
  title: string;
  licence: ModelEntry["licence"];
  installed: boolean;
  /** Bytes still to download (0 when installed or already downloaded). */
  downloadBytes: number | null;
  /** Bytes the installed files take. For a conversion an upper bound: the checkpoint's size. */
  diskBytes: number | null;
  /** Disk this step needs while it runs: its downloads plus, for a conversion, its output. */
  peakBytes: number | null;
  /** For a conversion: the checkpoint it downloads. */
  checkpoint?: { name: string; url: string; bytes: number | null };
  /** Why a size is unknown, or what the hub refused (gated, missing). */
  problem?: string;
}

export interface InstallPlan {
  items: PlanItem[];
  /** Store entries asked for that the manifest does not know. */
  unknown: string[];
  downloadBytes: number;
  diskBytes: number;
  /** The most the store grows by at any moment of the install (checkpoints deleted as it goes). */
  peakBytes: number;
  /** Some size could not be known: the totals count only the known ones. */
  incomplete: boolean;
  keepCheckpoint: boolean;
}

export interface PlanOptions {
  entries?: readonly ModelEntry[];
  hub?: HubSettings;
  fetchImpl?: typeof fetch;
  /** Keep conversion checkpoints in `.downloads/` (the peak and the total disk grow by them). */
  keepCheckpoint?: boolean;
  /** What the hub says about a file (defaults to a HEAD request). */
  fileInfo?: (url: string) => Promise<HubFileInfo>;
  signal?: AbortSignal;
}

export async function planInstall(
  ids: readonly string[],
  opts: PlanOptions = {},
): Promise<InstallPlan> {
  const entries = (opts.entries ?? MODELS).map((e) => modelEntrySchema.parse(e));
  const hub = opts.hub ?? hubSettings();
  const info =
    opts.fileInfo ??
    ((url: string) =>
      isHubUrl(url)
        ? hubFileInfo(url, hub, opts.fetchImpl, opts.signal)
        : Promise.resolve({ declaredSha256: null, bytes: null }));
  const wanted = [...new Set(ids)];
  const unknown = wanted.filter((id) => !entries.some((e) => e.id === id));
  const items: PlanItem[] = [];
  const conversions = new Map<string, PlanItem>();

  for (const id of wanted) {
    const entry = entries.find((e) => e.id === id);
    if (!entry) continue;
    const record = await readInstalled(id).catch(() => undefined);
    const installed = record !== undefined;
    const recordedBytes = record?.files.reduce((sum, f) => sum + f.bytes, 0) ?? 0;
    const source = entry.source;
    if (source.kind === "convert") {
      const existing = conversions.get(source.checkpoint);
      if (existing) {
        existing.ids.push(id);
        existing.installed &&= installed;
        if (existing.installed) existing.diskBytes = (existing.diskBytes ?? 0) + recordedBytes;
        continue;
      }
      const item: PlanItem = {
        kind: "convert",
        ids: [id],
        title: entry.title,
        licence: entry.licence,
        installed,
        downloadBytes: null,
        diskBytes: installed ? recordedBytes : null,
        peakBytes: null,
        checkpoint: { name: source.checkpoint, url: source.checkpointUrl, bytes: null },
      };
      conversions.set(source.checkpoint, item);
      items.push(item);
      continue;
    }
    const item: PlanItem = {
      kind: "download",
      ids: [id],
      title: entry.title,
      licence: entry.licence,
      installed,
      downloadBytes: installed ? 0 : null,
      diskBytes: null,
      peakBytes: installed ? 0 : null,
    };
    items.push(item);
    if (installed) {
      item.diskBytes = recordedBytes;
      continue;
    }
    if (source.kind === "npm") {
      const extracted = source.extract.reduce((sum, f) => sum + f.bytes, 0);
      const outputs = entry.files.reduce((sum, f) => sum + (f.bytes ?? 0), 0);
      item.diskBytes = Math.max(outputs, extracted);
      if (!installed) {
        item.downloadBytes = extracted;
        // As the installer's own estimate: the tarball, its extracted files and the build.
        item.peakBytes = 2 * extracted + (source.build === "ncnn-to-onnx" ? 2 : 1) * extracted;
      }
      continue;
    }
    let total = 0;
    let known = true;
    for (const file of entry.files) {
      let bytes = file.bytes;
      if (bytes === null) {
        try {
          bytes = (await info(source.urls[file.name])).bytes;
        } catch (err) {
          item.problem = problemText(err);
        }
      }
      if (bytes === null) known = false;
      else total += bytes;
    }
    item.diskBytes = known ? total : null;
    if (!installed) {
      item.downloadBytes = known ? total : null;
      item.peakBytes = item.downloadBytes;
    }
    if (!known) item.problem ??= "the hub did not say how large a file is";
  }

  // Conversions: the checkpoint's size from the hub, less what `.downloads/` already holds.
  for (const item of conversions.values()) {
    const checkpoint = item.checkpoint!;
    if (item.installed) {
      item.downloadBytes = 0;
      item.peakBytes = 0;
      continue;
    }
    const verified = await verifiedCheckpoint({ name: checkpoint.name, url: checkpoint.url });
    if (verified) checkpoint.bytes = verified.bytes;
    else {
      try {
        checkpoint.bytes = (await info(checkpoint.url)).bytes;
      } catch (err) {
        item.problem = problemText(err);
      }
    }
    if (checkpoint.bytes === null) {
      item.problem ??= `the hub did not say how large ${checkpoint.name} is`;
      continue;
    }
    const onDisk = await checkpointBytesOnDisk(checkpoint.name);
    item.downloadBytes = Math.max(0, checkpoint.bytes - onDisk);
    // The converted graphs are never larger than the checkpoint (fp16 or fp32 weights from fp32
    // or fp16 ones, unused keys dropped): its size bounds the output.
    item.diskBytes = checkpoint.bytes;
    item.peakBytes = item.downloadBytes + checkpoint.bytes;
  }

  const keep = opts.keepCheckpoint ?? false;
  let grown = 0;
  let peak = 0;
  for (const item of items) {
    if (item.installed) continue;
    grown += item.peakBytes ?? 0;
    peak = Math.max(peak, grown);
    // The checkpoint is deleted once converted.
    if (item.kind === "convert" && !keep) grown -= item.checkpoint?.bytes ?? 0;
  }
  const sum = (pick: (i: PlanItem) => number | null) =>
    items.reduce((s, i) => s + (i.installed ? 0 : (pick(i) ?? 0)), 0);
  return {
    items,
    unknown,
    downloadBytes: sum((i) => i.downloadBytes),
    diskBytes:
      sum((i) => i.diskBytes) +
      (keep ? sum((i) => (i.kind === "convert" ? i.checkpoint!.bytes : 0)) : 0),
    peakBytes: peak,
    incomplete: items.some(
      (i) => !i.installed && (i.downloadBytes === null || i.peakBytes === null),
    ),
    keepCheckpoint: keep,
  };
}

function problemText(err: unknown): string {
  if (err instanceof InstallError) return err.message;
  return (err as Error)?.message ?? String(err);
}
