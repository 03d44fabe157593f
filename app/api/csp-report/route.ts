import { z } from "zod";
import { handle, parseBody, readJson } from "@/app/_server/http";

export const dynamic = "force-dynamic";
export const runtime = "nodejs";

/** A browser's report is well under 1 KB; a script sample adds at most a few hundred bytes. */
const REPORT_LIMIT = 16 * 1024;

/** The fields worth a log line; browsers send more, and any of them may be missing. */
const Report = z.object({
  "csp-report": z.looseObject({
    "document-uri": z.string().optional(),
    "effective-directive": z.string().optional(),
    "violated-directive": z.string().optional(),
    "blocked-uri": z.string().optional(),
    "source-file": z.string().optional(),
    "line-number": z.number().optional(),
  }),
});

/** Log lines stay one line of bounded length whatever a report carries. */
function clip(value: string | undefined): string {
  return (value ?? "?").replace(/[\r\n\t]/g, " ").slice(0, 200);
}

/**
 * Where browsers send Content-Security-Policy violations (the policy's report-uri,
 * app/_server/security-headers.ts), from pages and from workers alike: each becomes one line in
 * the server log, so a policy that blocks part of the studio shows up without a user's console.
 */
export function POST(request: Request): Promise<Response> {
  return handle(async () => {
    const report = parseBody(Report, await readJson(request, REPORT_LIMIT))["csp-report"];
    const directive = report["effective-directive"] ?? report["violated-directive"];
    const where = report["source-file"]
      ? ` (${clip(report["source-file"])}:${report["line-number"] ?? "?"})`
      : "";
    console.warn(
      `[csp] ${clip(directive)} blocked ${clip(report["blocked-uri"])} on ` +
        `${clip(report["document-uri"])}${where}`,
    );
    return new Response(null, { status: 204 });
  });
}
