import { getPrisma } from "../../../../_server/db";
import { requireActor } from "../../../../_server/actor";
import { handle, notFound } from "../../../../_server/http";
import { listVersions } from "../../../../_server/workflows";

export const dynamic = "force-dynamic";
export const runtime = "nodejs";

export function GET(
  request: Request,
  { params }: { params: Promise<{ id: string }> },
): Promise<Response> {
  return handle(async () => {
    const actor = await requireActor(request, { bearer: true });
    const versions = await listVersions(getPrisma(), (await params).id, actor);
    if (!versions) throw notFound("workflow");
    return Response.json({ versions });
  });
}
