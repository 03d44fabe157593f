import { toNextJsHandler } from "better-auth/next-js";
import { accountsEnabled } from "../../../_server/accounts-mode";
import { getAuth } from "../../../_server/auth";
import { handle, jsonError, readBytes } from "../../../_server/http";

export const dynamic = "force-dynamic";
export const runtime = "nodejs";

/** A sign-up is a name, an email and a password: a few hundred bytes. */
const AUTH_BODY_LIMIT = 16 * 1024;

function disabled(): Response {
  return jsonError(404, { error: "accounts are off in this studio (set LEFFA_ACCOUNTS=on)" });
}

/** better-auth's endpoints (session, sign-up, sign-in, sign-out) when accounts are on. */
export function GET(request: Request): Promise<Response> {
  return handle(async () => {
    if (!accountsEnabled()) return disabled();
    return toNextJsHandler(getAuth()).GET(request);
  });
}

export function POST(request: Request): Promise<Response> {
  return handle(async () => {
    if (!accountsEnabled()) return disabled();
    // Read (and bound) the body here: the library would read whatever size arrives.
    const body = await readBytes(request, AUTH_BODY_LIMIT);
    const bounded = new Request(request, { body: body.byteLength > 0 ? body : undefined });
    return toNextJsHandler(getAuth()).POST(bounded);
  });
}
