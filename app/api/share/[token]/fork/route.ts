import { getPrisma } from "../../../../_server/db";
import { requireActor } from "../../../../_server/actor";
import { handle, notFound } from "../../../../_server/http";
import { forkShared } from "../../../../_server/sharing";

export const dynamic = "force-dynamic";
export const runtime = "nodejs";

/** Copies a shared workflow into one's own library; the original is never touched. */
export function POST(
  request: Request,
  { params }: { params: Promise<{ token: string }> },
): Promise<Response> {
  return handle(async () => {
    const actor = await requireActor(request);
    const fork = await forkShared(getPrisma(), (await params).token, actor);
    if (!fork) throw notFound("shared workflow");
    return Response.json(fork, { status: 201, headers: { Location: `/api/workflows/${fork.id}` } });
  });
}
