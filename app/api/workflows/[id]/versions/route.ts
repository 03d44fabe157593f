import { getPrisma } from "../../../../_server/db";
import { handle, notFound } from "../../../../_server/http";
import { listVersions } from "../../../../_server/workflows";

export const dynamic = "force-dynamic";
export const runtime = "nodejs";

export function GET(
  _request: Request,
  { params }: { params: Promise<{ id: string }> },
): Promise<Response> {
  return handle(async () => {
    const versions = await listVersions(getPrisma(), (await params).id);
    if (!versions) throw notFound("workflow");
    return Response.json({ versions });
  });
}
