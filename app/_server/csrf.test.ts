import { describe, expect, it } from "vitest";
import {
  crossSiteRefusal,
  isTokenOnlyRequest,
  originSettings,
  ownOrigins,
  type OriginSettings,
  type RequestLike,
} from "./csrf";

const OWN = ["http://localhost:3000"];
const headers = (h: Record<string, string>) => new Headers(h);

describe("crossSiteRefusal", () => {
  it("lets reads through whatever their origin", () => {
    for (const method of ["GET", "HEAD", "OPTIONS"]) {
      expect(crossSiteRefusal(method, headers({ origin: "https://evil.example" }), OWN)).toBeNull();
    }
  });

  it("refuses a change from another origin, or one Fetch Metadata marks cross-site", () => {
    for (const method of ["POST", "PUT", "PATCH", "DELETE"]) {
      expect(crossSiteRefusal(method, headers({ origin: "https://evil.example" }), OWN)).toMatch(
        /evil\.example is not this studio/,
      );
      expect(crossSiteRefusal(method, headers({ "sec-fetch-site": "cross-site" }), OWN)).toMatch(
        /cross-site/,
      );
    }
    // Same host, other port: another origin.
    expect(crossSiteRefusal("POST", headers({ origin: "http://localhost:3001" }), OWN)).not.toBe(
      null,
    );
    expect(crossSiteRefusal("POST", headers({ origin: "null" }), OWN)).not.toBeNull();
  });

  it("accepts its own origin, same-origin fetches and programs without browser headers", () => {
    expect(crossSiteRefusal("POST", headers({ origin: "http://localhost:3000" }), OWN)).toBeNull();
    expect(crossSiteRefusal("POST", headers({ "sec-fetch-site": "same-origin" }), OWN)).toBeNull();
    expect(crossSiteRefusal("DELETE", headers({}), OWN)).toBeNull();
  });
});

const LOCAL: OriginSettings = { trustProxy: false, allowedHosts: [] };

/** A request as Next hands it over: its URL always says localhost; Host says what was addressed. */
function request(host: string | null, extra: Record<string, string> = {}): RequestLike {
  const h = new Headers(extra);
  if (host !== null) h.set("host", host);
  return { url: "http://localhost:3000/api/workflows", headers: h };
}

describe("ownOrigins", () => {
  it("accepts the loopback name or address the browser used", () => {
    for (const host of [
      "localhost:3000",
      "127.0.0.1:3000",
      "[::1]:3000",
      "studio.localhost:3000",
    ]) {
      expect(ownOrigins(request(host), LOCAL)).toContain(`http://${host}`);
    }
  });

  it("accepts a LAN address, and keeps the server's own URL", () => {
    const origins = ownOrigins(request("192.168.1.20:3000"), LOCAL);
    expect(origins).toEqual(["http://localhost:3000", "http://192.168.1.20:3000"]);
  });

  it("accepts a host name only when configured (DNS rebinding)", () => {
    expect(ownOrigins(request("rebind.evil.example:3000"), LOCAL)).toEqual([
      "http://localhost:3000",
    ]);
    const allowed = { ...LOCAL, allowedHosts: ["studio.lan"] };
    expect(ownOrigins(request("studio.lan:3000"), allowed)).toContain("http://studio.lan:3000");
    const published = { ...LOCAL, publicUrl: "https://studio.example/app" };
    expect(ownOrigins(request("studio.example"), published)).toEqual([
      "http://localhost:3000",
      "https://studio.example",
      "http://studio.example",
    ]);
  });

  it("reads X-Forwarded-Host and -Proto only behind a trusted proxy", () => {
    const forwarded = { "x-forwarded-host": "10.0.0.7", "x-forwarded-proto": "https" };
    expect(ownOrigins(request("127.0.0.1:3000", forwarded), LOCAL)).not.toContain(
      "https://10.0.0.7",
    );
    const proxied = ownOrigins(request("127.0.0.1:3000", forwarded), {
      ...LOCAL,
      trustProxy: true,
    });
    expect(proxied).toContain("https://10.0.0.7");
    expect(proxied).not.toContain("http://127.0.0.1:3000");
  });

  it("ignores a Host header that is more than a host and a port", () => {
    for (const host of ["evil.example@127.0.0.1", "127.0.0.1/x", "127.0.0.1:3000 x", ""]) {
      expect(ownOrigins(request(host), LOCAL)).toEqual(["http://localhost:3000"]);
    }
    expect(ownOrigins(request(null), LOCAL)).toEqual(["http://localhost:3000"]);
  });

  it("makes the refusal a matter of the addressed origin", () => {
    const own = ownOrigins(request("127.0.0.1:3000"), LOCAL);
    expect(crossSiteRefusal("POST", headers({ origin: "http://127.0.0.1:3000" }), own)).toBeNull();
    expect(crossSiteRefusal("POST", headers({ origin: "http://127.0.0.1:4000" }), own)).toMatch(
      /not this studio.*LEFFA_PUBLIC_URL/,
    );
  });
});

describe("originSettings", () => {
  it("reads the public URL, the proxy switch and the allowed host names", () => {
    expect(
      originSettings({
        BETTER_AUTH_URL: "https://auth.example",
        LEFFA_TRUST_PROXY: "on",
        LEFFA_ALLOWED_HOSTS: " Studio.LAN, ,box ",
      }),
    ).toEqual({
      publicUrl: "https://auth.example",
      trustProxy: true,
      allowedHosts: ["studio.lan", "box"],
    });
    expect(originSettings({ LEFFA_PUBLIC_URL: "https://a.example" }).publicUrl).toBe(
      "https://a.example",
    );
    expect(originSettings({})).toEqual({
      publicUrl: undefined,
      trustProxy: false,
      allowedHosts: [],
    });
  });
});

describe("isTokenOnlyRequest", () => {
  const bearer = { authorization: "Bearer lst_abc" };
  it("exempts an API-token request without cookies, with accounts on only", () => {
    expect(isTokenOnlyRequest(new Headers(bearer), true)).toBe(true);
    expect(isTokenOnlyRequest(new Headers({ authorization: "bearer  lst_abc " }), true)).toBe(true);
    // Local mode has no tokens: the origin check is all there is.
    expect(isTokenOnlyRequest(new Headers(bearer), false)).toBe(false);
  });

  it("keeps the check for cookies and other schemes", () => {
    expect(isTokenOnlyRequest(new Headers({ ...bearer, cookie: "session=1" }), true)).toBe(false);
    expect(isTokenOnlyRequest(new Headers({ authorization: "Basic dTpw" }), true)).toBe(false);
    expect(isTokenOnlyRequest(new Headers({}), true)).toBe(false);
  });
});
