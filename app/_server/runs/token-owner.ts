import { accountsEnabled } from "../accounts-mode";
import { requireActor } from "../actor";
import { HttpError } from "../http";

/**
 * Who manages API tokens in a request: the signed-in user, by session only (a token cannot make,
 * list or revoke tokens). Tokens exist only with accounts; local mode needs none.
 */
export async function tokenOwner(request: Request): Promise<string> {
  if (!accountsEnabled()) {
    throw new HttpError(404, "API tokens need accounts (LEFFA_ACCOUNTS=on); local mode needs none");
  }
  const actor = await requireActor(request);
  if (actor.userId === null) throw new HttpError(401, "sign in to manage API tokens");
  return actor.userId;
}
