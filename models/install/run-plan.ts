import { mkdir } from "node:fs/promises";
import { findModel } from "../manifest";
import type { ModelEntry } from "../manifest/schema";
import { modelsDir, readInstalled, type InstalledRecord } from "../store";
import { deleteCheckpoint, fetchCheckpoint } from "./checkpoint";
import { runConverter, type ConverterOptions } from "./converters";
import { InstallError } from "./errors";
import { installModel, type InstallOptions } from "./installer";
import { planInstall, type InstallPlan, type PlanItem } from "./plan";
import { ensureFreeSpace } from "./space";
import { acquireStoreLock } from "./store-lock";

/**
 * Carries out an install plan (plan.ts): one install at a time per store (store-lock.ts), the
 * space for the whole plan checked before the first byte, then every step in order. A download
 * goes through the installer; a conversion downloads its checkpoint into `.downloads/`
 * (resumable, verified), converts it, installs the graphs atomically and deletes the checkpoint
 * unless asked to keep it. Whatever fails, nothing half-made is "installed": a rerun resumes
 * partial downloads and reconverts from a verified checkpoint.
 */

export interface RunPlanOptions extends InstallOptions {
  keepCheckpoint?: boolean;
  converter?: Pick<ConverterOptions, "leffaConfig">;
  /** Before each step (the CLI prints it). */
  onStep?: (item: PlanItem, index: number) => void;
}

export interface RunPlanResult {
  installed: string[];
  skipped: string[];
}

export async function runPlan(
  plan: InstallPlan,
  opts: RunPlanOptions = {},
): Promise<RunPlanResult> {
  if (plan.unknown.length > 0) {
    throw new InstallError("unknown-model", `unknown model(s): ${plan.unknown.join(", ")}`);
  }
  const store = modelsDir();
  await mkdir(store, { recursive: true });
  const lock = await acquireStoreLock(
    store,
    plan.items.flatMap((i) => i.ids).join(", ") || "nothing",
  );
  try {
    await ensureFreeSpace(store, plan.peakBytes, opts.freeBytes);
    const result: RunPlanResult = { installed: [], skipped: [] };
    for (const [index, item] of plan.items.entries()) {
      if (opts.signal?.aborted) throw new InstallError("cancelled", "install cancelled");
      if (item.installed) {
        result.skipped.push(...item.ids);
        continue;
      }
      opts.onStep?.(item, index);
      if (item.kind === "download") {
        for (const id of item.ids) await installModel(id, opts);
      } else {
        await convertItem(item, opts);
      }
      result.installed.push(...item.ids);
    }
    return result;
  } finally {
    await lock.release();
  }
}

async function convertItem(item: PlanItem, opts: RunPlanOptions): Promise<InstalledRecord[]> {
  const entry = entryOf(item.ids[0], opts.entries);
  const source = entry.source;
  if (source.kind !== "convert") throw new Error(`internal: ${entry.id} is no conversion`);
  const checkpoint = await fetchCheckpoint(
    { name: source.checkpoint, url: source.checkpointUrl },
    {
      hub: opts.hub,
      fetchImpl: opts.fetchImpl,
      signal: opts.signal,
      freeBytes: opts.freeBytes,
      openPart: opts.openPart,
      onProgress: (phase, bytes, total) =>
        opts.onProgress?.({ modelId: entry.id, file: source.checkpoint, phase, bytes, total }),
    },
  );
  // The output may need the checkpoint's size again (plan.ts bounds it so).
  await ensureFreeSpace(modelsDir(), checkpoint.bytes, opts.freeBytes);
  const converted = await runConverter(source, checkpoint.file, {
    signal: opts.signal,
    leffaConfig: opts.converter?.leffaConfig,
    onProgress: (done, total, message) =>
      opts.onProgress?.({
        modelId: entry.id,
        file: message,
        phase: "convert",
        bytes: done,
        total,
      }),
  });
  const missing = item.ids.filter((id) => !converted.models.includes(id));
  if (missing.length > 0) {
    throw new Error(`internal: converting ${source.checkpoint} did not make ${missing.join(", ")}`);
  }
  if (!opts.keepCheckpoint) await deleteCheckpoint(source.checkpoint);
  return [];
}

function entryOf(id: string, entries: readonly ModelEntry[] | undefined): ModelEntry {
  const entry = entries ? entries.find((e) => e.id === id) : findModel(id);
  if (!entry) throw new InstallError("unknown-model", `unknown model "${id}"`);
  return entry;
}

/**
 * Installs one model whatever its source, as the server's install route does: a download through
 * the installer, a conversion by downloading its checkpoint and converting it (which installs
 * every entry made from that checkpoint). Resolves with the model's installed record.
 */
export async function installAnyModel(
  id: string,
  opts: RunPlanOptions = {},
): Promise<InstalledRecord> {
  const plan = await planInstall([id], {
    entries: opts.entries,
    hub: opts.hub,
    fetchImpl: opts.fetchImpl,
    keepCheckpoint: opts.keepCheckpoint,
    signal: opts.signal,
  });
  if (plan.items[0]?.kind === "download") return installModel(id, opts);
  await runPlan(plan, opts);
  const record = await readInstalled(id);
  if (!record) throw new InstallError("not-installed", `${id}: the conversion did not install it`);
  return record;
}
