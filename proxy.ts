import { getSessionCookie } from "better-auth/cookies";
import { NextResponse, type NextRequest } from "next/server";
import { accountsEnabled } from "./app/_server/accounts-mode";
import { crossSiteRefusal, originSettings, ownOrigins } from "./app/_server/csrf";

/**
 * Runs before every API call and page:
 * - refuses a state-changing API request that a browser says comes from another site (csrf.ts);
 * - with accounts on, sends someone without a session cookie from the editor and the library to
 *   the sign-in page. This is only the quick, cookie-present check Next recommends for a proxy;
 *   every API route checks the session itself (actor.ts), which is what protects the data.
 */
export function proxy(request: NextRequest): NextResponse {
  const { pathname, search } = request.nextUrl;
  if (pathname.startsWith("/api/")) {
    const refusal = crossSiteRefusal(
      request.method,
      request.headers,
      ownOrigins(request, originSettings()),
    );
    if (refusal) return NextResponse.json({ error: refusal }, { status: 403 });
    return NextResponse.next();
  }
  if (accountsEnabled() && isMemberPage(pathname) && !getSessionCookie(request)) {
    const signIn = new URL("/signin", request.url);
    signIn.searchParams.set("next", pathname + search);
    return NextResponse.redirect(signIn);
  }
  return NextResponse.next();
}

/** The editor and the library; share pages, the gallery and sign-in stay open to everyone. */
function isMemberPage(pathname: string): boolean {
  return pathname === "/" || pathname === "/library" || pathname.startsWith("/w/");
}

export const config = {
  matcher: ["/api/:path*", "/", "/library", "/w/:path*"],
};
