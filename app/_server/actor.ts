import { accountsEnabled } from "./accounts-mode";
import { getAuth } from "./auth";
import { bearerToken } from "./bearer";
import { getPrisma } from "./db";
import { HttpError } from "./http";
import { verifyApiToken } from "./runs/api-tokens";

/**
 * Who a request acts for. In the default local mode nobody signs in and the one person at the
 * keyboard may do everything (`userId` null); with accounts on, a signed-in user acts for
 * themselves and may only change what they own.
 */
export interface Actor {
  readonly userId: string | null;
  /** Shown in version history ("saved by"); null in local mode. */
  readonly name: string | null;
}

export const LOCAL_ACTOR: Actor = { userId: null, name: null };

/** The signed-in user of a request, or null (accounts off, or no valid session cookie). */
export async function sessionUser(
  headers: Headers,
): Promise<{ id: string; name: string; email: string } | null> {
  if (!accountsEnabled()) return null;
  const session = await getAuth().api.getSession({ headers });
  return session
    ? { id: session.user.id, name: session.user.name, email: session.user.email }
    : null;
}

export interface ActorOptions {
  /**
   * Accept a personal API token (`Authorization: Bearer lst_…`, runs/api-tokens.ts): the runs
   * API and workflow reads do; everything else needs a signed-in session, so a leaked token can
   * start runs but never edit, delete or share a workflow, nor make more tokens.
   */
  readonly bearer?: boolean;
}

/**
 * The actor of a request that reads or changes the library: LOCAL_ACTOR with accounts off; the
 * signed-in user with them on, or 401 for nobody. A request carrying a Bearer token is judged by
 * the token alone, never by a cookie beside it.
 */
export async function requireActor(request: Request, options: ActorOptions = {}): Promise<Actor> {
  if (!accountsEnabled()) return LOCAL_ACTOR;
  const token = bearerToken(request.headers);
  if (token !== null) {
    if (!options.bearer) {
      throw new HttpError(
        401,
        "API tokens are accepted by the runs API and workflow reads only; sign in for this",
      );
    }
    const check = await verifyApiToken(getPrisma(), token);
    if (!check.ok) {
      throw new HttpError(
        401,
        check.reason === "revoked" ? "this API token was revoked" : "not a valid API token",
      );
    }
    return { userId: check.user.id, name: check.user.name };
  }
  const user = await sessionUser(request.headers);
  if (!user) throw new HttpError(401, "sign in to use the library");
  return { userId: user.id, name: user.name };
}

/** Prisma filter: the workflows an actor may open (their own and the templates). */
export function readableBy(actor: Actor) {
  return actor.userId === null ? {} : { OR: [{ ownerId: actor.userId }, { isTemplate: true }] };
}

/** Prisma filter: the workflows an actor may change (templates are refused separately). */
export function writableBy(actor: Actor) {
  return actor.userId === null ? {} : { ownerId: actor.userId };
}

/**
 * For what changes the server for everyone (installing or removing models): anyone in local
 * mode; with accounts on, only the addresses listed in LEFFA_ADMIN_EMAILS (comma-separated).
 */
export async function requireAdmin(request: Request): Promise<void> {
  if (!accountsEnabled()) return;
  const user = await sessionUser(request.headers);
  if (!user) throw new HttpError(401, "sign in to manage models");
  const admins = (process.env.LEFFA_ADMIN_EMAILS ?? "")
    .split(",")
    .map((e) => e.trim().toLowerCase())
    .filter(Boolean);
  if (!admins.includes(user.email.toLowerCase())) {
    throw new HttpError(403, "only the studio's administrators (LEFFA_ADMIN_EMAILS) manage models");
  }
}
