import { z } from "zod";
import { getPrisma } from "../../../../../../_server/db";
import { requireActor } from "../../../../../../_server/actor";
import { handle, notFound, parseBody, readJson } from "../../../../../../_server/http";
import { withWorkflowErrors } from "../../../../../../_server/workflow-http";
import { restoreVersion } from "../../../../../../_server/workflows";

export const dynamic = "force-dynamic";
export const runtime = "nodejs";

const restoreBody = z.strictObject({
  /** As for a save: the version the client is looking at; a stale one gets 409. */
  baseVersion: z.number().int().min(1).optional(),
});

/** `{}` or `{ baseVersion }`. Saves the version's document as a new version ("restored from vN"); history is kept whole. */
export function POST(
  request: Request,
  { params }: { params: Promise<{ id: string; version: string }> },
): Promise<Response> {
  return handle(() =>
    withWorkflowErrors(async () => {
      const { id, version } = await params;
      const number = Number(version);
      if (!Number.isInteger(number) || number < 1) throw notFound("version");
      const body = parseBody(restoreBody, await readJson(request, 4096));
      const actor = await requireActor(request);
      const workflow = await restoreVersion(getPrisma(), id, number, actor, body.baseVersion);
      if (!workflow) throw notFound("version");
      return Response.json(workflow);
    }),
  );
}
