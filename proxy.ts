import { getSessionCookie } from "better-auth/cookies";
import { NextResponse, type NextRequest } from "next/server";
import { accountsEnabled } from "./app/_server/accounts-mode";
import {
  crossSiteRefusal,
  isTokenOnlyRequest,
  originSettings,
  ownOrigins,
} from "./app/_server/csrf";
import { securityPlan } from "./app/_server/security-headers";

/**
 * Runs before every request (pages, API calls, static files):
 * - sets the security headers, with a fresh Content-Security-Policy nonce for pages
 *   (security-headers.ts);
 * - refuses a state-changing API request that a browser says comes from another site (csrf.ts),
 *   unless it authenticates with an API token and no cookie (nothing a hostile page could forge);
 * - with accounts on, sends someone without a session cookie from the editor and the library to
 *   the sign-in page. This is only the quick, cookie-present check Next recommends for a proxy;
 *   every API route checks the session itself (actor.ts), which is what protects the data.
 */
export function proxy(request: NextRequest): NextResponse {
  // Every response, static files included, gets the security headers; pages get their CSP nonce.
  const security = securityPlan(request.nextUrl.pathname, request.headers, {
    dev: process.env.NODE_ENV === "development",
  });
  const response = gate(request, security.requestHeaders);
  for (const [name, value] of Object.entries(security.responseHeaders)) {
    response.headers.set(name, value);
  }
  return response;
}

/** The proxy's checks; `requestHeaders` (a page's CSP, for Next to take the nonce from) go on. */
function gate(request: NextRequest, requestHeaders: Headers | undefined): NextResponse {
  const next = () => NextResponse.next(requestHeaders && { request: { headers: requestHeaders } });
  const { pathname, search } = request.nextUrl;
  if (pathname.startsWith("/api/")) {
    if (isTokenOnlyRequest(request.headers, accountsEnabled())) return next();
    const refusal = crossSiteRefusal(
      request.method,
      request.headers,
      ownOrigins(request, originSettings()),
    );
    if (refusal) return NextResponse.json({ error: refusal }, { status: 403 });
    return next();
  }
  if (accountsEnabled() && isMemberPage(pathname) && !getSessionCookie(request)) {
    const signIn = new URL("/signin", request.url);
    signIn.searchParams.set("next", pathname + search);
    return NextResponse.redirect(signIn);
  }
  return next();
}

/** The editor and the library; share pages, the gallery and sign-in stay open to everyone. */
function isMemberPage(pathname: string): boolean {
  return pathname === "/" || pathname === "/library" || pathname.startsWith("/w/");
}

export const config = {
  // Everything: security headers go on every page, API response and static file.
  matcher: ["/:path*"],
};
