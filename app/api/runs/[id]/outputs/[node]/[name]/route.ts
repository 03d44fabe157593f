import { requireActor } from "@/app/_server/actor";
import { getPrisma } from "@/app/_server/db";
import { handle, notFound } from "@/app/_server/http";
import { getAssetStore } from "@/app/_server/runs/asset-store";
import { findRunOutput } from "@/app/_server/runs/runs";
import { storedImageHeaders } from "@/app/_server/stored-image";

export const dynamic = "force-dynamic";
export const runtime = "nodejs";

/**
 * One output of a run, from the asset store. Only the outputs the run recorded can be fetched (the
 * key comes from the row, never from the URL), and only by whoever may see the run.
 */
export function GET(
  request: Request,
  { params }: { params: Promise<{ id: string; node: string; name: string }> },
): Promise<Response> {
  return handle(async () => {
    const actor = await requireActor(request, { bearer: true });
    const { id, node, name } = await params;
    const output = await findRunOutput(getPrisma(), id, node, name, actor);
    if (!output) throw notFound("output");
    const stored = await getAssetStore().get(output.key);
    if (!stored) throw notFound("output");
    const bytes = new Uint8Array(stored.bytes);
    return new Response(bytes, {
      headers: {
        // Images are served as what their bytes are; anything else is a download.
        ...storedImageHeaders(bytes, output.name),
        // A retried run writes the same key again, so this can change: private, revalidated.
        "Cache-Control": "private, no-cache",
      },
    });
  });
}
