import { getPrisma } from "../../../../_server/db";
import { handle, notFound } from "../../../../_server/http";
import { copyTemplate } from "../../../../_server/workflows";

export const dynamic = "force-dynamic";
export const runtime = "nodejs";

/** "Use template": copies a read-only template into the library as an editable workflow. */
export function POST(
  _request: Request,
  { params }: { params: Promise<{ id: string }> },
): Promise<Response> {
  return handle(async () => {
    const copy = await copyTemplate(getPrisma(), (await params).id);
    if (!copy) throw notFound("template");
    return Response.json(copy, { status: 201, headers: { Location: `/api/workflows/${copy.id}` } });
  });
}
