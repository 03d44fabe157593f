import { z } from "zod";
import { requireActor } from "@/app/_server/actor";
import { getPrisma } from "@/app/_server/db";
import { handle, parseBody } from "@/app/_server/http";
import { searchParamsRecord } from "@/app/_server/library-query";
import { getRunQueue } from "@/app/_server/runs/queue-provider";
import { listRuns, toRunView } from "@/app/_server/runs/runs";

export const dynamic = "force-dynamic";
export const runtime = "nodejs";

const listQuery = z.strictObject({
  workflow: z.string().min(1).max(200).optional(),
  batch: z.string().min(1).max(64).optional(),
  offset: z.coerce.number().int().min(0).max(1_000_000).default(0),
  limit: z.coerce.number().int().min(1).max(100).default(30),
});

/** The actor's runs, newest first: `?workflow=<id>` for one workflow's, `?batch=<id>` for a batch. */
export function GET(request: Request): Promise<Response> {
  return handle(async () => {
    const actor = await requireActor(request, { bearer: true });
    const query = parseBody(listQuery, searchParamsRecord(new URL(request.url).searchParams));
    const page = await listRuns(
      getPrisma(),
      {
        workflowId: query.workflow,
        batchId: query.batch,
        offset: query.offset,
        limit: query.limit,
      },
      actor,
    );
    const queue = await getRunQueue();
    const runs = await Promise.all(
      page.runs.map(async (row) =>
        toRunView(row, row.status === "queued" ? await queue.position(row.id) : null),
      ),
    );
    return Response.json({ runs, nextOffset: page.nextOffset });
  });
}
