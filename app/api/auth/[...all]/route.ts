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

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/**
 * better-auth answers errors as `{ code, message }`, some (an unknown endpoint, a wrong method)
 * with no body at all. Every API error here carries `error` (http.ts), so refusals get it too,
 * keeping the library's own keys for its client.
 */
async function withErrorBody(res: Response): Promise<Response> {
  if (res.status < 400) return res;
  const text = await res.text();
  let body: Record<string, unknown> = {};
  try {
    const parsed: unknown = JSON.parse(text);
    if (isRecord(parsed)) body = parsed;
  } catch {
    // Not JSON (or empty): the text, if any, becomes the message.
  }
  const message =
    (typeof body.error === "string" && body.error) ||
    (typeof body.message === "string" && body.message) ||
    text.trim().slice(0, 500) ||
    (res.status === 404
      ? "no such accounts endpoint"
      : `accounts request refused (HTTP ${res.status})`);
  const headers = new Headers(res.headers);
  headers.set("content-type", "application/json");
  headers.delete("content-length");
  // Its validation errors name the field as "[body.email] Invalid input…": say so as ours do.
  const field = /^\[body\.([\w.]+)\]/.exec(message)?.[1];
  const normalized = { ...body, error: message, ...(field ? { field } : {}) };
  return new Response(JSON.stringify(normalized), { status: res.status, headers });
}

/**
 * better-auth's paths are all short. A long one is no endpoint, and is refused before the library
 * sees it: its rate limiter stores the path in an indexed column, which PostgreSQL refuses for
 * keys over a few kilobytes (a 500).
 */
const AUTH_PATH_MAX = 256;

function unknownEndpoint(request: Request): Response | null {
  if (new URL(request.url).pathname.length <= AUTH_PATH_MAX) return null;
  return jsonError(404, { error: "no such accounts endpoint" });
}

/** better-auth's endpoints (session, sign-up, sign-in, sign-out) when accounts are on. */
export function GET(request: Request): Promise<Response> {
  return handle(async () => {
    if (!accountsEnabled()) return disabled();
    const unknown = unknownEndpoint(request);
    if (unknown) return unknown;
    return withErrorBody(await toNextJsHandler(getAuth()).GET(request));
  });
}

export function POST(request: Request): Promise<Response> {
  return handle(async () => {
    if (!accountsEnabled()) return disabled();
    const unknown = unknownEndpoint(request);
    if (unknown) return unknown;
    // Read (and bound) the body here: the library would read whatever size arrives.
    const body = await readBytes(request, AUTH_BODY_LIMIT);
    // A fresh request, not one derived from `request`: its body stream is used up now, which
    // undici refuses to copy even when the body was empty.
    const bounded = new Request(request.url, {
      method: request.method,
      headers: request.headers,
      body: body.byteLength > 0 ? body : undefined,
      signal: request.signal,
    });
    return withErrorBody(await toNextJsHandler(getAuth()).POST(bounded));
  });
}
