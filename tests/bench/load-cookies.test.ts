import { describe, expect, it } from "vitest";
import { cookieHeader, storeCookies, type CookieJar } from "./load-cookies";

describe("cookie jar", () => {
  it("keeps set cookies and sends them back as name=value pairs", () => {
    const jar: CookieJar = new Map();
    expect(cookieHeader(jar)).toBeUndefined();
    storeCookies(jar, [
      "better-auth.session_token=abc.def%3D; Max-Age=604800; Path=/; HttpOnly; SameSite=Lax",
      "other=1; Path=/",
    ]);
    expect(cookieHeader(jar)).toBe("better-auth.session_token=abc.def%3D; other=1");
  });

  it("replaces a cookie and forgets an expired or emptied one", () => {
    const jar: CookieJar = new Map([
      ["a", "1"],
      ["b", "2"],
      ["c", "3"],
      ["d", "4"],
    ]);
    storeCookies(jar, [
      "a=9; Path=/",
      "b=; Max-Age=0; Path=/",
      "c=3; Expires=Thu, 01 Jan 1970 00:00:00 GMT",
      "d=",
    ]);
    expect([...jar]).toEqual([["a", "9"]]);
  });

  it("ignores a header without a name and tolerates none at all", () => {
    const jar: CookieJar = new Map();
    storeCookies(jar, ["=x", "novalue"]);
    storeCookies(jar, undefined);
    expect(jar.size).toBe(0);
  });
});
