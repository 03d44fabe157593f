import { requireActor } from "@/app/_server/actor";
import { getPrisma } from "@/app/_server/db";
import { handle, notFound } from "@/app/_server/http";
import { getRunQueue } from "@/app/_server/runs/queue-provider";
import { runEventStream } from "@/app/_server/runs/run-events";
import { findRun } from "@/app/_server/runs/runs";

export const dynamic = "force-dynamic";
export const runtime = "nodejs";

/** Server-sent events for one run until it finishes (app/_server/runs/run-events.ts). */
export function GET(
  request: Request,
  { params }: { params: Promise<{ id: string }> },
): Promise<Response> {
  return handle(async () => {
    const actor = await requireActor(request, { bearer: true });
    const id = (await params).id;
    const prisma = getPrisma();
    if (!(await findRun(prisma, id, actor))) throw notFound("run");
    const queue = await getRunQueue();
    const stream = runEventStream({
      load: () => findRun(prisma, id, actor),
      position: () => queue.position(id),
      signal: request.signal,
    });
    return new Response(stream, {
      headers: {
        "Content-Type": "text/event-stream; charset=utf-8",
        "Cache-Control": "no-cache, no-transform",
        // nginx and similar proxies buffer responses unless told not to.
        "X-Accel-Buffering": "no",
      },
    });
  });
}
