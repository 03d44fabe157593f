import { z } from "zod";
import { getPrisma } from "../../_server/db";
import { handle, parseBody } from "../../_server/http";
import { searchParamsRecord } from "../../_server/library-query";
import { listGallery } from "../../_server/sharing";

export const dynamic = "force-dynamic";
export const runtime = "nodejs";

const galleryQuery = z.strictObject({ offset: z.coerce.number().int().min(0).default(0) });

/** The public gallery: workflows published as "public", newest first, reached by share token. */
export function GET(request: Request): Promise<Response> {
  return handle(async () => {
    const { offset } = parseBody(
      galleryQuery,
      searchParamsRecord(new URL(request.url).searchParams),
    );
    return Response.json(await listGallery(getPrisma(), offset));
  });
}
