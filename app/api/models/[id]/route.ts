import { requireAdmin } from "@/app/_server/actor";
import { HttpError, handle } from "@/app/_server/http";
import { isInstalling } from "@/app/_server/install-stream";
import { knownModel } from "@/app/_server/model-summary";
import { InstallError, removeModel } from "@/models/install";

export const dynamic = "force-dynamic";
export const runtime = "nodejs";

/** Removes an installed model from the server's store (an administrator, with accounts on). */
export function DELETE(
  request: Request,
  { params }: { params: Promise<{ id: string }> },
): Promise<Response> {
  return handle(async () => {
    await requireAdmin(request);
    const { id } = knownModel((await params).id);
    if (isInstalling(id)) throw new HttpError(409, `model ${id} is being installed; wait for it`);
    try {
      await removeModel(id);
    } catch (err) {
      if (err instanceof InstallError && err.code === "not-installed") {
        throw new HttpError(404, err.message);
      }
      throw err;
    }
    return Response.json({ removed: id });
  });
}
