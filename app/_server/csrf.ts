/**
 * Cross-site request refusal for the studio's own API (better-auth guards its endpoints itself,
 * with the same list of origins: auth.ts). With accounts on, the session is a cookie the browser
 * attaches to any request to this origin, including one a hostile page makes; and even in local
 * mode a page on another site could ask a studio on localhost to delete workflows. A
 * state-changing request is therefore refused when the browser says it comes from another site:
 * its Origin header names another origin, or, without an Origin, Fetch Metadata says
 * "cross-site". Requests that carry neither come from programs, not browsers (scripts, curl,
 * tests), which cannot be tricked into sending someone's cookie.
 */

import { bearerToken } from "./bearer";

const SAFE_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);

/** How this deployment is reached: read from the environment once per request (originSettings). */
export interface OriginSettings {
  /** The studio's public URL (LEFFA_PUBLIC_URL, or BETTER_AUTH_URL as accounts already set it). */
  readonly publicUrl?: string;
  /**
   * LEFFA_TRUST_PROXY: a reverse proxy in front of the studio sets X-Forwarded-Host and
   * X-Forwarded-Proto, and strips any a client sent. Off, those headers are ignored: anyone can
   * send them.
   */
  readonly trustProxy: boolean;
  /** LEFFA_ALLOWED_HOSTS: host names (not addresses) the studio may be reached by. */
  readonly allowedHosts: readonly string[];
}

/** The request as far as origins go; both NextRequest and Request fit. */
export interface RequestLike {
  readonly url: string;
  readonly headers: Headers;
}

const ON = /^(on|1|true|yes)$/i;

export function originSettings(
  env: Readonly<Record<string, string | undefined>> = process.env,
): OriginSettings {
  return {
    publicUrl: env.LEFFA_PUBLIC_URL || env.BETTER_AUTH_URL || undefined,
    trustProxy: ON.test(env.LEFFA_TRUST_PROXY ?? ""),
    allowedHosts: (env.LEFFA_ALLOWED_HOSTS ?? "")
      .split(",")
      .map((host) => host.trim().toLowerCase())
      .filter(Boolean),
  };
}

/**
 * Why the request must be refused, or null if it may go on. `ownOrigins` are the origins this
 * studio is served from (see `ownOrigins`).
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
      : `cross-site request refused: Origin ${origin} is not this studio ` +
          `(a studio reached by a host name other than localhost names it in LEFFA_PUBLIC_URL ` +
          `or LEFFA_ALLOWED_HOSTS)`;
  }
  const site = headers.get("sec-fetch-site");
  if (site === "cross-site") return "cross-site request refused (Sec-Fetch-Site: cross-site)";
  return null;
}

/**
 * The origins a request to this server may come from: the one the browser addressed (the Host
 * header, or X-Forwarded-Host/-Proto behind a trusted proxy), the server's own idea of its URL,
 * and the configured public URL. Next's request URL alone is not enough: it always says
 * `localhost`, so a studio opened at 127.0.0.1, on a LAN address or behind a proxy could not save.
 *
 * The addressed host counts only when it is a loopback name, an IP address or a configured name.
 * A host *name* must be configured because of DNS rebinding: a hostile site can point its own
 * name at 127.0.0.1, and its page's requests then carry that name as both Host and Origin.
 */
export function ownOrigins(request: RequestLike, settings: OriginSettings): string[] {
  const origins = new Set<string>([new URL(request.url).origin]);
  const publicOrigin = settings.publicUrl ? new URL(settings.publicUrl) : undefined;
  if (publicOrigin) origins.add(publicOrigin.origin);

  const addressed = addressedOrigin(request, settings.trustProxy);
  if (addressed) {
    const host = addressed.hostname;
    const named = publicOrigin?.hostname === host || settings.allowedHosts.includes(host);
    if (named || isLoopbackName(host) || isIpLiteral(host)) origins.add(addressed.origin);
  }
  return [...origins];
}

/** The origin the client used to reach us, or undefined when the headers do not make a URL. */
function addressedOrigin(request: RequestLike, trustProxy: boolean): URL | undefined {
  const forwarded = (name: string) =>
    trustProxy ? request.headers.get(name)?.split(",")[0]?.trim() || undefined : undefined;
  const protocol = forwarded("x-forwarded-proto") ?? new URL(request.url).protocol.slice(0, -1);
  const host = forwarded("x-forwarded-host") ?? request.headers.get("host");
  // A Host header is a host and a port, nothing more: no user, path, query or fragment.
  if (!host || /[\s/?#@\\]/.test(host) || !/^https?$/.test(protocol)) return undefined;
  try {
    return new URL(`${protocol}://${host}`);
  } catch {
    return undefined;
  }
}

function isLoopbackName(host: string): boolean {
  return host === "localhost" || host.endsWith(".localhost");
}

/** IPv4 (as the URL parser normalises it) or a bracketed IPv6 address. */
function isIpLiteral(host: string): boolean {
  return /^\d{1,3}(\.\d{1,3}){3}$/.test(host) || (host.startsWith("[") && host.endsWith("]"));
}

/**
 * A request that authenticates with an API token (accounts on) and carries no cookie: a script,
 * or a page that holds the token itself. A hostile site cannot make a browser attach someone's
 * token, so there is nothing to forge and the cross-site check does not apply. With a cookie it
 * still does (actor.ts then ignores the cookie, but the check costs nothing), and in local mode,
 * where nothing is checked but the origin, it always does.
 */
export function isTokenOnlyRequest(headers: Headers, accountsOn: boolean): boolean {
  return accountsOn && bearerToken(headers) !== null && !headers.has("cookie");
}
