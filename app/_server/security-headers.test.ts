import { describe, expect, it } from "vitest";
import {
  API_CONTENT_SECURITY_POLICY,
  contentSecurityPolicy,
  newNonce,
  securityPlan,
} from "./security-headers";

/** The policy as directive name -> sources, to test directives rather than string layout. */
function parse(policy: string): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const part of policy.split(";")) {
    const [name, ...sources] = part.trim().split(/\s+/);
    if (name) {
      expect(out.has(name), `directive ${name} given twice`).toBe(false);
      out.set(name, sources);
    }
  }
  return out;
}

describe("contentSecurityPolicy", () => {
  it("allows the studio's scripts, WebAssembly, workers and blob/data images and nothing else", () => {
    const csp = parse(contentSecurityPolicy({ nonce: "abc" }));
    expect(csp.get("default-src")).toEqual(["'self'"]);
    expect(csp.get("script-src")).toEqual([
      "'self'",
      "'nonce-abc'",
      "'strict-dynamic'",
      "'wasm-unsafe-eval'",
    ]);
    expect(csp.get("worker-src")).toEqual(["'self'", "blob:"]);
    expect(csp.get("img-src")).toEqual(["'self'", "blob:", "data:"]);
    expect(csp.get("connect-src")).toEqual(["'self'", "blob:"]);
    expect(csp.get("object-src")).toEqual(["'none'"]);
    expect(csp.get("base-uri")).toEqual(["'self'"]);
    expect(csp.get("form-action")).toEqual(["'self'"]);
    expect(csp.get("frame-ancestors")).toEqual(["'none'"]);
    // Nothing may open scripts to inline code or eval outside development.
    const scriptSources = csp.get("script-src")!.join(" ");
    expect(scriptSources).not.toContain("'unsafe-inline'");
    expect(scriptSources).not.toContain("'unsafe-eval'");
    expect(csp.has("upgrade-insecure-requests")).toBe(false);
  });

  it("adds 'unsafe-eval' only in development", () => {
    expect(parse(contentSecurityPolicy({ dev: true })).get("script-src")).toContain(
      "'unsafe-eval'",
    );
    expect(parse(contentSecurityPolicy({ dev: false })).get("script-src")).not.toContain(
      "'unsafe-eval'",
    );
  });

  it("without a nonce (static files, worker scripts) keeps 'self' and has no 'strict-dynamic'", () => {
    const script = parse(contentSecurityPolicy()).get("script-src");
    expect(script).toEqual(["'self'", "'wasm-unsafe-eval'"]);
  });
});

describe("newNonce", () => {
  it("is 128 random bits in base64, different every time", () => {
    const nonces = new Set(Array.from({ length: 100 }, newNonce));
    expect(nonces.size).toBe(100);
    for (const nonce of nonces) {
      expect(nonce).toMatch(/^[A-Za-z0-9+/]{22}==$/);
      expect(Buffer.from(nonce, "base64")).toHaveLength(16);
    }
  });
});

describe("securityPlan", () => {
  const incoming = new Headers({ accept: "text/html" });

  it("gives a page a fresh nonce in the response and in the request Next renders from", () => {
    const plan = securityPlan("/s/some-token", incoming, { nonce: () => "n0nce" });
    const csp = plan.responseHeaders["Content-Security-Policy"];
    expect(parse(csp).get("script-src")).toContain("'nonce-n0nce'");
    expect(plan.requestHeaders?.get("content-security-policy")).toBe(csp);
    expect(plan.requestHeaders?.get("accept")).toBe("text/html");
    // The caller's headers are copied, not changed.
    expect(incoming.has("content-security-policy")).toBe(false);
  });

  it("gives two page requests two different nonces", () => {
    const a = securityPlan("/", incoming).responseHeaders["Content-Security-Policy"];
    const b = securityPlan("/", incoming).responseHeaders["Content-Security-Policy"];
    expect(a).toMatch(/'nonce-[^']+'/);
    expect(a).not.toBe(b);
  });

  it("locks API responses down: nothing loads, nothing runs, no framing", () => {
    const plan = securityPlan("/api/assets/abc", incoming);
    expect(plan.requestHeaders).toBeUndefined();
    const csp = parse(plan.responseHeaders["Content-Security-Policy"]);
    expect(plan.responseHeaders["Content-Security-Policy"]).toBe(API_CONTENT_SECURITY_POLICY);
    expect(csp.get("default-src")).toEqual(["'none'"]);
    expect(csp.get("frame-ancestors")).toEqual(["'none'"]);
    expect(csp.has("sandbox")).toBe(true);
  });

  it("gives static build files the nonce-less policy (worker scripts run under it)", () => {
    const plan = securityPlan("/_next/static/chunks/app.js", incoming, { nonce: () => "x" });
    expect(plan.requestHeaders).toBeUndefined();
    expect(plan.responseHeaders["Content-Security-Policy"]).toBe(contentSecurityPolicy());
  });

  it("sends nosniff, the referrer policy and the framing refusal on everything", () => {
    for (const path of ["/", "/gallery", "/api/workflows", "/_next/static/x.js", "/icon.svg"]) {
      const headers = securityPlan(path, incoming).responseHeaders;
      expect(headers["X-Content-Type-Options"]).toBe("nosniff");
      expect(headers["Referrer-Policy"]).toBe("same-origin");
      expect(headers["X-Frame-Options"]).toBe("DENY");
    }
  });

  it("counts /api only as a path segment, not as a prefix of other pages", () => {
    expect(securityPlan("/apiary", incoming).requestHeaders).toBeDefined();
    expect(securityPlan("/api", incoming).requestHeaders).toBeUndefined();
  });
});
