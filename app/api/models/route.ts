import { modelSummary } from "@/app/_server/model-summary";
import { handle } from "@/app/_server/http";
import { listModels } from "@/models/install";

export const dynamic = "force-dynamic";
export const runtime = "nodejs";

/** Every model the manifest knows, with the server's installed record (or null). */
export function GET(): Promise<Response> {
  return handle(async () => {
    const models = (await listModels()).map((m) => modelSummary(m.entry, m.installed));
    return Response.json({ models }, { headers: { "Cache-Control": "no-store" } });
  });
}
