import { describe, expect, it } from "vitest";
import { crossSiteRefusal, ownOrigins } from "./csrf";

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

describe("ownOrigins", () => {
  it("is the request's origin plus the configured public URL's", () => {
    expect(ownOrigins("http://10.0.0.5:3000/api/x", "https://studio.example/app")).toEqual([
      "http://10.0.0.5:3000",
      "https://studio.example",
    ]);
    expect(ownOrigins("http://localhost:3000/api/x", undefined)).toEqual(["http://localhost:3000"]);
  });
});
