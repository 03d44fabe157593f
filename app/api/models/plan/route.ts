import { z } from "zod";
import { requireAdmin } from "@/app/_server/actor";
import { HttpError, handle } from "@/app/_server/http";
import { planInstall } from "@/models/install/plan";

export const dynamic = "force-dynamic";
export const runtime = "nodejs";

const idsSchema = z
  .string()
  .max(4000)
  .transform((text) => text.split(",").filter(Boolean))
  .pipe(
    z
      .array(z.string().regex(/^[a-z0-9][a-z0-9-]*$/, "a model id"))
      .min(1)
      .max(64),
  );

/**
 * `GET /api/models/plan?ids=a,b,…`: what installing these models takes on the server (plan.ts:
 * per step its licence, bytes to download, peak disk, download or conversion; sizes the manifest
 * does not pin asked of the hub), and whether this visitor may install (an administrator with
 * accounts on, anyone in local mode). The editor's "This workflow needs N models" banner.
 */
export function GET(request: Request): Promise<Response> {
  return handle(async () => {
    const parsed = idsSchema.safeParse(new URL(request.url).searchParams.get("ids") ?? "");
    if (!parsed.success) {
      throw new HttpError(400, `ids: ${parsed.error.issues[0]?.message ?? "invalid"}`);
    }
    const plan = await planInstall(parsed.data, { signal: request.signal });
    const canInstall = await requireAdmin(request).then(
      () => true,
      () => false,
    );
    return Response.json({ plan, canInstall }, { headers: { "Cache-Control": "no-store" } });
  });
}
