import { requireActor } from "@/app/_server/actor";
import { getPrisma } from "@/app/_server/db";
import { handle, notFound } from "@/app/_server/http";
import { getRunQueue } from "@/app/_server/runs/queue-provider";
import { findRun, findRunDocument, requestCancel, toRunView } from "@/app/_server/runs/runs";
import { parseWorkflow } from "@/nodes/core/document";

export const dynamic = "force-dynamic";
export const runtime = "nodejs";

interface Context {
  params: Promise<{ id: string }>;
}

/** The run: status, progress, per-node states, outputs with URLs, and the exact document run. */
export function GET(request: Request, { params }: Context): Promise<Response> {
  return handle(async () => {
    const actor = await requireActor(request, { bearer: true });
    const id = (await params).id;
    const prisma = getPrisma();
    const row = await findRun(prisma, id, actor);
    if (!row) throw notFound("run");
    const document = await findRunDocument(prisma, id, actor);
    const position = row.status === "queued" ? await (await getRunQueue()).position(id) : null;
    return Response.json({
      ...toRunView(row, position),
      document: document === null ? null : parseWorkflow(JSON.parse(document)),
    });
  });
}

/**
 * Cancels the run: a queued one at once, a running one within a sampler step (the executor
 * polls the flag; the queue signals it too). A finished run is left as it is. 200 with the run.
 */
export function DELETE(request: Request, { params }: Context): Promise<Response> {
  return handle(async () => {
    const actor = await requireActor(request, { bearer: true });
    const id = (await params).id;
    const prisma = getPrisma();
    const before = await requestCancel(prisma, id, actor);
    if (!before) throw notFound("run");
    if (before.cancelRequested) await (await getRunQueue()).cancel(id);
    const row = await findRun(prisma, id, actor);
    if (!row) throw notFound("run");
    return Response.json(toRunView(row, null));
  });
}
