import { getPrisma } from "../../../../_server/db";
import { requireActor } from "../../../../_server/actor";
import { handle, notFound } from "../../../../_server/http";
import { markOpened } from "../../../../_server/workflows";

export const dynamic = "force-dynamic";
export const runtime = "nodejs";

/** The editor calls this when it opens a workflow, for the library's "recently opened" sort. */
export function POST(
  request: Request,
  { params }: { params: Promise<{ id: string }> },
): Promise<Response> {
  return handle(async () => {
    const actor = await requireActor(request);
    if (!(await markOpened(getPrisma(), (await params).id, actor))) throw notFound("workflow");
    return new Response(null, { status: 204 });
  });
}
