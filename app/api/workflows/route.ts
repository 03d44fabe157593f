import { z } from "zod";
import { emptyWorkflow } from "@/nodes/core/document";
import { getPrisma } from "@/app/_server/db";
import { handle, parseBody, readJson, WORKFLOW_BODY_LIMIT } from "@/app/_server/http";
import { createWorkflow, listWorkflows, workflowNameSchema } from "@/app/_server/workflows";

export const dynamic = "force-dynamic";
export const runtime = "nodejs";

/** Both optional: `{}` makes an empty "Untitled workflow", `{ name }` an empty one so named. */
const createBody = z.strictObject({
  name: workflowNameSchema.optional(),
  document: z.unknown().optional(),
});

export function GET(): Promise<Response> {
  return handle(async () => Response.json({ workflows: await listWorkflows(getPrisma()) }));
}

export function POST(request: Request): Promise<Response> {
  return handle(async () => {
    const body = parseBody(createBody, await readJson(request, WORKFLOW_BODY_LIMIT));
    const workflow = await createWorkflow(getPrisma(), {
      document: body.document ?? emptyWorkflow(body.name),
      name: body.name,
    });
    return Response.json(workflow, {
      status: 201,
      headers: { Location: `/api/workflows/${workflow.id}` },
    });
  });
}
