import { getPrisma } from "../../../_server/db";
import { handle, notFound } from "../../../_server/http";
import { getSharedWorkflow } from "../../../_server/sharing";

export const dynamic = "force-dynamic";
export const runtime = "nodejs";

/** A published workflow, read-only, for anyone with the link; 404 once unpublished. */
export function GET(
  _request: Request,
  { params }: { params: Promise<{ token: string }> },
): Promise<Response> {
  return handle(async () => {
    const shared = await getSharedWorkflow(getPrisma(), (await params).token);
    if (!shared) throw notFound("shared workflow");
    return Response.json(shared);
  });
}
