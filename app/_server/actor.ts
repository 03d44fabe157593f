import { accountsEnabled } from "./accounts-mode";
import { getAuth } from "./auth";
import { HttpError } from "./http";

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

/**
 * The actor of a request that reads or changes the library: LOCAL_ACTOR with accounts off; the
 * signed-in user with them on, or 401 for nobody.
 */
export async function requireActor(request: Request): Promise<Actor> {
  if (!accountsEnabled()) return LOCAL_ACTOR;
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
