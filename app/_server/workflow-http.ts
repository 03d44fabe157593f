import { jsonError } from "./http";
import { ReadOnlyWorkflowError, VersionConflictError } from "./workflow-errors";

/** The 409 body: enough for the editor to say who saved what, when, and offer its choices. */
export interface ConflictBody {
  error: string;
  field: "baseVersion";
  baseVersion: number;
  currentVersion: number;
  savedAt: string;
  savedBy: string | null;
  message: string | null;
}

/**
 * Runs a handler body, answering the store's refusals: 409 with the current version for a stale
 * save, 403 for a change to a template. Anything else is left to `handle` (http.ts).
 */
export async function withWorkflowErrors(run: () => Promise<Response>): Promise<Response> {
  try {
    return await run();
  } catch (err) {
    if (err instanceof VersionConflictError) {
      const body: ConflictBody = {
        error: err.message,
        field: "baseVersion",
        baseVersion: err.baseVersion,
        currentVersion: err.current.version,
        savedAt: err.current.savedAt.toISOString(),
        savedBy: err.current.savedBy,
        message: err.current.message,
      };
      return Response.json(body, { status: 409 });
    }
    if (err instanceof ReadOnlyWorkflowError) return jsonError(403, { error: err.message });
    throw err;
  }
}
