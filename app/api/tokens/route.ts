import { z } from "zod";
import { getPrisma } from "@/app/_server/db";
import { handle, HttpError, parseBody, readJson } from "@/app/_server/http";
import { tokenOwner } from "@/app/_server/runs/token-owner";
import {
  createApiToken,
  listApiTokens,
  tokenNameSchema,
  TooManyTokensError,
} from "@/app/_server/runs/api-tokens";

export const dynamic = "force-dynamic";
export const runtime = "nodejs";

const createBody = z.strictObject({ name: tokenNameSchema });

/** The user's tokens (never the tokens themselves: only their first characters). */
export function GET(request: Request): Promise<Response> {
  return handle(async () => {
    const userId = await tokenOwner(request);
    return Response.json({ tokens: await listApiTokens(getPrisma(), userId) });
  });
}

/** Makes a token: 201 with `token`, shown this once; only its hash is kept. */
export function POST(request: Request): Promise<Response> {
  return handle(async () => {
    const userId = await tokenOwner(request);
    const { name } = parseBody(createBody, await readJson(request, 4096));
    try {
      const created = await createApiToken(getPrisma(), userId, name);
      return Response.json(created, { status: 201, headers: { "Cache-Control": "no-store" } });
    } catch (err) {
      if (err instanceof TooManyTokensError) throw new HttpError(409, err.message);
      throw err;
    }
  });
}
