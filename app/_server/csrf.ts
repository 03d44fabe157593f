/**
 * Cross-site request refusal for the studio's own API (better-auth guards its endpoints itself).
 * With accounts on, the session is a cookie the browser attaches to any request to this origin,
 * including one a hostile page makes; and even in local mode a page on another site could ask a
 * studio on localhost to delete workflows. A state-changing request is therefore refused when the
 * browser says it comes from another site: its Origin header names another origin, or, without
 * an Origin, Fetch Metadata says "cross-site". Requests that carry neither come from programs,
 * not browsers (scripts, curl, tests), which cannot be tricked into sending someone's cookie.
 */

const SAFE_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);

/**
 * Why the request must be refused, or null if it may go on. `ownOrigins` are the origins this
 * studio is served from (the request's own, and BETTER_AUTH_URL's when set).
 */
export function crossSiteRefusal(
  method: string,
  headers: Headers,
  ownOrigins: readonly string[],
): string | null {
  if (SAFE_METHODS.has(method.toUpperCase())) return null;
  const origin = headers.get("origin");
  if (origin !== null) {
    return ownOrigins.includes(origin)
      ? null
      : `cross-site request refused: Origin ${origin} is not this studio`;
  }
  const site = headers.get("sec-fetch-site");
  if (site === "cross-site") return "cross-site request refused (Sec-Fetch-Site: cross-site)";
  return null;
}

/** The origins a request to this server may come from: its own, and the configured public one. */
export function ownOrigins(requestUrl: string, publicUrl: string | undefined): string[] {
  const origins = [new URL(requestUrl).origin];
  if (publicUrl) origins.push(new URL(publicUrl).origin);
  return origins;
}
