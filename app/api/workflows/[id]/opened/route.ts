import { getPrisma } from "../../../../_server/db";
import { handle, notFound } from "../../../../_server/http";
import { markOpened } from "../../../../_server/workflows";

export const dynamic = "force-dynamic";
export const runtime = "nodejs";

/** The editor calls this when it opens a workflow, for the library's "recently opened" sort. */
export function POST(
  _request: Request,
  { params }: { params: Promise<{ id: string }> },
): Promise<Response> {
  return handle(async () => {
    if (!(await markOpened(getPrisma(), (await params).id))) throw notFound("workflow");
    return new Response(null, { status: 204 });
  });
}
