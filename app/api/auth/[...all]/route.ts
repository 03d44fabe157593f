import { toNextJsHandler } from "better-auth/next-js";
import { accountsEnabled } from "../../../_server/accounts-mode";
import { getAuth } from "../../../_server/auth";
import { jsonError } from "../../../_server/http";

export const dynamic = "force-dynamic";
export const runtime = "nodejs";

/** better-auth's endpoints (sign-up, sign-in, sign-out, session) when accounts are on. */
function dispatch(request: Request): Promise<Response> | Response {
  if (!accountsEnabled()) {
    return jsonError(404, { error: "accounts are off in this studio (set LEFFA_ACCOUNTS=on)" });
  }
  const handler = toNextJsHandler(getAuth());
  return request.method === "GET" ? handler.GET(request) : handler.POST(request);
}

export const GET = dispatch;
export const POST = dispatch;
