import { getPrisma } from "../../../../_server/db";
import { requireActor } from "../../../../_server/actor";
import { handle, notFound } from "../../../../_server/http";
import { copyTemplate } from "../../../../_server/workflows";

export const dynamic = "force-dynamic";
export const runtime = "nodejs";

/** "Use template": copies a read-only template into the library as an editable workflow. */
export function POST(
  request: Request,
  { params }: { params: Promise<{ id: string }> },
): Promise<Response> {
  return handle(async () => {
    const actor = await requireActor(request);
    const copy = await copyTemplate(getPrisma(), (await params).id, actor);
    if (!copy) throw notFound("template");
    return Response.json(copy, { status: 201, headers: { Location: `/api/workflows/${copy.id}` } });
  });
}
