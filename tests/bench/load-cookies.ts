/**
 * The few cookie rules a simulated user needs to keep a better-auth session: store what
 * Set-Cookie sets, forget what it expires, send name=value pairs back. One host, plain HTTP, so
 * Domain, Path and Secure never select between cookies here. Pure (load-cookies.test.ts).
 */

export type CookieJar = Map<string, string>;

export function storeCookies(jar: CookieJar, setCookie: readonly string[] | undefined): void {
  for (const header of setCookie ?? []) {
    const [pair, ...attributes] = header.split(";");
    const eq = pair.indexOf("=");
    if (eq <= 0) continue;
    const name = pair.slice(0, eq).trim();
    const value = pair.slice(eq + 1).trim();
    const expired = attributes.some((a) => {
      const [attr, v = ""] = a.split("=").map((s) => s.trim());
      if (/^max-age$/i.test(attr)) return Number(v) <= 0;
      if (/^expires$/i.test(attr)) return Date.parse(v) <= Date.now();
      return false;
    });
    if (expired || value === "") jar.delete(name);
    else jar.set(name, value);
  }
}

/** The Cookie header for the jar, or undefined when it is empty. */
export function cookieHeader(jar: CookieJar): string | undefined {
  if (jar.size === 0) return undefined;
  return [...jar].map(([name, value]) => `${name}=${value}`).join("; ");
}
