import { requireActor } from "@/app/_server/actor";
import { getPrisma } from "@/app/_server/db";
import { handle, jsonError } from "@/app/_server/http";
import { readRunBody } from "@/app/_server/runs/run-body";
import { QUEUE_FULL_RETRY_AFTER_S, QueueFullError, startRun } from "@/app/_server/runs/start-run";

export const dynamic = "force-dynamic";
export const runtime = "nodejs";

/**
 * Queues a run of the saved workflow: 202 `{ id }`, then GET /api/runs/:id (or its /events) to
 * follow it. JSON or multipart (app/_server/runs/run-body.ts). With accounts on, a session or an
 * API token (`Authorization: Bearer`).
 */
export function POST(
  request: Request,
  { params }: { params: Promise<{ id: string }> },
): Promise<Response> {
  return handle(async () => {
    const actor = await requireActor(request, { bearer: true });
    const workflowId = (await params).id;
    const body = await readRunBody(request);
    try {
      const run = await startRun(getPrisma(), workflowId, body, actor);
      return Response.json(
        { id: run.id },
        { status: 202, headers: { Location: `/api/runs/${run.id}` } },
      );
    } catch (err) {
      if (err instanceof QueueFullError) {
        const res = jsonError(429, { error: err.message });
        res.headers.set("Retry-After", String(QUEUE_FULL_RETRY_AFTER_S));
        return res;
      }
      throw err;
    }
  });
}
