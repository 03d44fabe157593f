import { afterEach, describe, expect, it, vi } from "vitest";
import { POST } from "@/app/api/csp-report/route";

const URL = "http://localhost/api/csp-report";

function report(body: string, type = "application/csp-report"): Request {
  return new Request(URL, { method: "POST", headers: { "content-type": type }, body });
}

afterEach(() => vi.restoreAllMocks());

describe("POST /api/csp-report", () => {
  it("logs one bounded line per violation and answers 204", async () => {
    const warn = vi.spyOn(console, "warn").mockImplementation(() => {});
    const res = await POST(
      report(
        JSON.stringify({
          "csp-report": {
            "document-uri": "http://localhost:3000/w/abc",
            "effective-directive": "connect-src",
            "blocked-uri": "https://evil.example/\nforged log line" + "x".repeat(1000),
            "source-file": "http://localhost:3000/_next/static/chunks/a.js",
            "line-number": 12,
          },
        }),
      ),
    );
    expect(res.status).toBe(204);
    expect(warn).toHaveBeenCalledTimes(1);
    const line = String(warn.mock.calls[0][0]);
    expect(line).toMatch(/^\[csp\] connect-src blocked https:\/\/evil\.example\/ forged log line/);
    expect(line).toContain("on http://localhost:3000/w/abc (http://localhost:3000/_next/");
    expect(line).not.toContain("\n");
    expect(line.length).toBeLessThan(800);
  });

  it("refuses what is not a report with a 400 naming the field", async () => {
    vi.spyOn(console, "warn").mockImplementation(() => {});
    const missing = await POST(report(JSON.stringify({ other: 1 })));
    expect(missing.status).toBe(400);
    expect(await missing.json()).toMatchObject({ field: "csp-report" });
    const wrongType = await POST(
      report(JSON.stringify({ "csp-report": { "blocked-uri": 42 } }), "application/json"),
    );
    expect(wrongType.status).toBe(400);
    expect(await wrongType.json()).toMatchObject({ field: "csp-report.blocked-uri" });
    expect((await POST(report("{not json"))).status).toBe(400);
    expect((await POST(report(""))).status).toBe(400);
  });

  it("refuses a body over 16 KB with 413", async () => {
    const big = JSON.stringify({ "csp-report": { "script-sample": "x".repeat(20_000) } });
    expect((await POST(report(big))).status).toBe(413);
  });
});
