import { handle } from "@/app/_server/http";
import { serveModelFile } from "@/app/_server/model-files";

export const dynamic = "force-dynamic";
export const runtime = "nodejs";

type Context = { params: Promise<{ id: string; name: string }> };

/** One installed model file, with Range, ETag and If-None-Match (see serveModelFile). */
export function GET(request: Request, { params }: Context): Promise<Response> {
  return handle(async () => {
    const { id, name } = await params;
    return serveModelFile(request, id, name);
  });
}

export function HEAD(request: Request, context: Context): Promise<Response> {
  return GET(request, context);
}
