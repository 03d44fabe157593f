import { Readable } from "node:stream";
import { requireActor } from "@/app/_server/actor";
import { batchExportRuns } from "@/app/_server/batches/batch-export-runs";
import { getPrisma } from "@/app/_server/db";
import { handle, HttpError, notFound } from "@/app/_server/http";
import { getAssetStore } from "@/app/_server/runs/asset-store";
import { planBatchExport } from "@/workers/batch/batch-export";
import { batchZipStream } from "@/workers/batch/batch-zip";

export const dynamic = "force-dynamic";
export const runtime = "nodejs";

const BATCH_ID = /^[A-Za-z0-9_-]{1,64}$/;

/**
 * "Download all" for a batch (the runs POSTed with one `batchId`): a ZIP with `batch.csv` (one
 * row per run: inputs, params, outputs, status) and the input and output images it names,
 * streamed from the asset store. Runs still going are listed with what they have so far.
 */
export function GET(
  request: Request,
  { params }: { params: Promise<{ id: string }> },
): Promise<Response> {
  return handle(async () => {
    const actor = await requireActor(request, { bearer: true });
    const batchId = (await params).id;
    if (!BATCH_ID.test(batchId)) {
      throw new HttpError(400, "batch: must be 1–64 letters, digits, '_' or '-'", "batch");
    }
    const store = getAssetStore();
    const { runs, inputTypes } = await batchExportRuns(getPrisma(), batchId, actor, async (key) => {
      const stored = await store.get(key);
      return stored ? new TextDecoder().decode(stored.bytes) : null;
    });
    if (runs.length === 0) throw notFound("batch");
    const zip = batchZipStream(
      planBatchExport(runs, inputTypes),
      async (key) => (await store.get(key))?.bytes ?? null,
    );
    return new Response(Readable.toWeb(zip) as ReadableStream<Uint8Array>, {
      headers: {
        "Content-Type": "application/zip",
        "Content-Disposition": `attachment; filename="${batchId}.zip"`,
        "Cache-Control": "no-store",
      },
    });
  });
}
