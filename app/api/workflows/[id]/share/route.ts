import { z } from "zod";
import { getPrisma } from "../../../../_server/db";
import { requireActor } from "../../../../_server/actor";
import { handle, notFound, parseBody, readJson } from "../../../../_server/http";
import { setVisibility } from "../../../../_server/sharing";
import { withWorkflowErrors } from "../../../../_server/workflow-http";

export const dynamic = "force-dynamic";
export const runtime = "nodejs";

interface Context {
  params: Promise<{ id: string }>;
}

const shareBody = z.strictObject({ visibility: z.enum(["private", "link", "public"]) });

/** Publishes ("link" or "public") or unpublishes ("private"); answers the token and its page. */
export function PUT(request: Request, { params }: Context): Promise<Response> {
  return handle(() =>
    withWorkflowErrors(async () => {
      const actor = await requireActor(request);
      const body = parseBody(shareBody, await readJson(request, 4096));
      const state = await setVisibility(getPrisma(), (await params).id, body.visibility, actor);
      if (!state) throw notFound("workflow");
      return Response.json({
        ...state,
        sharePath: state.shareToken ? `/s/${state.shareToken}` : null,
      });
    }),
  );
}

/** Unpublishes: the token is revoked, so the old link answers 404. */
export function DELETE(request: Request, { params }: Context): Promise<Response> {
  return handle(() =>
    withWorkflowErrors(async () => {
      const actor = await requireActor(request);
      const state = await setVisibility(getPrisma(), (await params).id, "private", actor);
      if (!state) throw notFound("workflow");
      return Response.json({ ...state, sharePath: null });
    }),
  );
}
