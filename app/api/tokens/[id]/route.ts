import { getPrisma } from "@/app/_server/db";
import { handle, notFound } from "@/app/_server/http";
import { revokeApiToken } from "@/app/_server/runs/api-tokens";
import { tokenOwner } from "@/app/_server/runs/token-owner";

export const dynamic = "force-dynamic";
export const runtime = "nodejs";

/** Revokes one of the user's tokens: requests with it get 401 from then on. 204. */
export function DELETE(
  request: Request,
  { params }: { params: Promise<{ id: string }> },
): Promise<Response> {
  return handle(async () => {
    const userId = await tokenOwner(request);
    if (!(await revokeApiToken(getPrisma(), userId, (await params).id))) throw notFound("token");
    return new Response(null, { status: 204 });
  });
}
