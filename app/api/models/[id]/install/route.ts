import { requireAdmin } from "@/app/_server/actor";
import { HttpError, handle } from "@/app/_server/http";
import { installStream, isInstalling } from "@/app/_server/install-stream";
import { knownModel } from "@/app/_server/model-summary";
import { installAnyModel } from "@/models/install/run-plan";

export const dynamic = "force-dynamic";
export const runtime = "nodejs";

/**
 * Installs a model into the server's store and streams the progress as NDJSON (see
 * installStream). Anyone in local mode; an administrator with accounts on (actor.ts).
 */
export function POST(
  request: Request,
  { params }: { params: Promise<{ id: string }> },
): Promise<Response> {
  return handle(async () => {
    await requireAdmin(request);
    const { id } = knownModel((await params).id);
    if (isInstalling(id)) throw new HttpError(409, `model ${id} is already being installed`);
    // A client that goes away cancels the body stream, which cancels the install; request.signal
    // is not used because its timing around streamed responses differs between Next versions.
    // Conversions too: the checkpoint is downloaded (resumable) and converted on the server.
    const body = installStream(id, installAnyModel);
    return new Response(body, {
      headers: {
        "Content-Type": "application/x-ndjson; charset=utf-8",
        "Cache-Control": "no-store",
        "X-Content-Type-Options": "nosniff",
      },
    });
  });
}
