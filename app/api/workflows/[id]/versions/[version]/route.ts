import { getPrisma } from "../../../../../_server/db";
import { requireActor } from "../../../../../_server/actor";
import { handle, notFound } from "../../../../../_server/http";
import { getVersionDocument } from "../../../../../_server/workflows";

export const dynamic = "force-dynamic";
export const runtime = "nodejs";

/** The document exactly as one save left it (for history and restore). */
export function GET(
  request: Request,
  { params }: { params: Promise<{ id: string; version: string }> },
): Promise<Response> {
  return handle(async () => {
    const { id, version } = await params;
    const number = Number(version);
    if (!Number.isInteger(number) || number < 1) throw notFound("version");
    const actor = await requireActor(request, { bearer: true });
    const document = await getVersionDocument(getPrisma(), id, number, actor);
    if (!document) throw notFound("version");
    return Response.json({ version: number, document });
  });
}
