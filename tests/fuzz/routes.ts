import { readdirSync } from "node:fs";
import path from "node:path";
import { PNG_BASE64 } from "../api/test-db";
import { validDocument, type Role, type Targets } from "./fixtures";

/**
 * Every API route the fuzzer walks: how to reach it and what a valid request to it looks like,
 * so generated requests are one mutation away from valid (and reach deep into the handler) as
 * well as plain garbage. `routeFiles` finds the route files on disk, and the fuzz test checks
 * that this table covers every method each one exports: a new route cannot be forgotten.
 */

export const METHODS = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE"] as const;
export type Method = (typeof METHODS)[number];

type Handler = (
  request: Request,
  context: { params: Promise<Record<string, string>> },
) => Promise<Response> | Response;

export type BodySpec =
  | { kind: "none" }
  /** A JSON object body; `valid` builds one the route accepts for the current targets. */
  | { kind: "json"; valid: (targets: Targets) => Record<string, unknown>; namesFields: boolean }
  /** Raw bytes with a content type (uploads). */
  | { kind: "bytes" };

/** A path parameter: which roles name a real row for it, or fixed real values. */
export interface SegmentSpec {
  readonly name: string;
  readonly roles?: readonly Role[];
  readonly values?: readonly string[];
  /** Values that must never be generated (a real model id would start a download). */
  readonly forbidden?: ReadonlySet<string>;
}

export interface RouteCase {
  /** The route file's folder under app/api, e.g. "workflows/[id]/versions/[version]". */
  readonly route: string;
  readonly method: Method;
  readonly segments: readonly SegmentSpec[];
  readonly body: BodySpec;
  /** Whether the handler reads the query string (it is fuzzed for every route anyway). */
  readonly query?: boolean;
  /**
   * better-auth's catch-all: the URL after /api/auth/ is its own path, and its error bodies are
   * its own (`{ code, message }`, to which the route adds `error`).
   */
  readonly auth?: boolean;
}

const NONE: BodySpec = { kind: "none" };

function json(valid: (targets: Targets) => Record<string, unknown>, namesFields = true): BodySpec {
  return { kind: "json", valid, namesFields };
}

const WORKFLOW_ID: SegmentSpec = { name: "id", roles: ["own", "template", "other"] };
const VERSION: SegmentSpec = { name: "version", values: ["1", "2", "0", "-1", "1.5", "1e3"] };
const TOKEN: SegmentSpec = { name: "token", roles: ["shared-token"] };
const RUN_ID: SegmentSpec = { name: "id", roles: ["run"] };

export function routeCases(modelIds: readonly string[]): RouteCase[] {
  const known = new Set(modelIds);
  const model: SegmentSpec = { name: "id", values: modelIds };
  return [
    {
      route: "auth/[...all]",
      method: "GET",
      segments: [{ name: "all", values: ["get-session", "list-sessions", "ok", "error"] }],
      body: NONE,
      auth: true,
    },
    {
      route: "auth/[...all]",
      method: "POST",
      segments: [
        { name: "all", values: ["sign-up/email", "sign-in/email", "sign-out", "update-user"] },
      ],
      body: json(
        () => ({ name: "Fuzz", email: "fuzz@example.com", password: "long enough password" }),
        false,
      ),
      auth: true,
    },
    { route: "assets", method: "POST", segments: [], body: { kind: "bytes" } },
    {
      route: "csp-report",
      method: "POST",
      segments: [],
      body: json(() => ({
        "csp-report": {
          "document-uri": "http://localhost/editor",
          "effective-directive": "script-src",
          "blocked-uri": "inline",
          "line-number": 1,
        },
      })),
    },
    {
      route: "assets/[id]",
      method: "GET",
      segments: [{ name: "id", roles: ["asset"] }],
      body: NONE,
    },
    { route: "share", method: "GET", segments: [], body: NONE, query: true },
    { route: "share/[token]", method: "GET", segments: [TOKEN], body: NONE },
    { route: "share/[token]/fork", method: "POST", segments: [TOKEN], body: NONE },
    { route: "share/[token]/thumbnail", method: "GET", segments: [TOKEN], body: NONE },
    { route: "workflows", method: "GET", segments: [], body: NONE, query: true },
    {
      route: "workflows",
      method: "POST",
      segments: [],
      body: json(() => ({
        name: "Fuzzed",
        document: validDocument(),
        description: "made by the fuzzer",
        tags: ["fuzz", "try-on"],
        thumbnail: PNG_BASE64,
      })),
    },
    { route: "workflows/[id]", method: "GET", segments: [WORKFLOW_ID], body: NONE },
    {
      route: "workflows/[id]",
      method: "PUT",
      segments: [WORKFLOW_ID],
      body: json((t) => ({
        document: validDocument("Saved by the fuzzer"),
        thumbnail: PNG_BASE64,
        message: "fuzz save",
        baseVersion: t.latestVersion,
      })),
    },
    {
      route: "workflows/[id]",
      method: "PATCH",
      segments: [WORKFLOW_ID],
      body: json(() => ({ name: "Renamed", description: "d", tags: ["x"] })),
    },
    { route: "workflows/[id]", method: "DELETE", segments: [WORKFLOW_ID], body: NONE },
    { route: "workflows/[id]/duplicate", method: "POST", segments: [WORKFLOW_ID], body: NONE },
    { route: "workflows/[id]/opened", method: "POST", segments: [WORKFLOW_ID], body: NONE },
    {
      route: "workflows/[id]/share",
      method: "PUT",
      segments: [WORKFLOW_ID],
      body: json(() => ({ visibility: "link" })),
    },
    { route: "workflows/[id]/share", method: "DELETE", segments: [WORKFLOW_ID], body: NONE },
    { route: "workflows/[id]/thumbnail", method: "GET", segments: [WORKFLOW_ID], body: NONE },
    { route: "workflows/[id]/use", method: "POST", segments: [WORKFLOW_ID], body: NONE },
    { route: "workflows/[id]/versions", method: "GET", segments: [WORKFLOW_ID], body: NONE },
    {
      route: "workflows/[id]/versions/[version]",
      method: "GET",
      segments: [WORKFLOW_ID, VERSION],
      body: NONE,
    },
    {
      route: "workflows/[id]/versions/[version]/restore",
      method: "POST",
      segments: [WORKFLOW_ID, VERSION],
      body: json((t) => ({ baseVersion: t.latestVersion })),
    },
    {
      route: "workflows/[id]/runs",
      method: "POST",
      segments: [WORKFLOW_ID],
      body: json((t) => ({
        inputs: { person: t.ids.asset },
        overrides: { note: { text: "fuzzed" } },
        batchId: "fuzz-batch",
      })),
    },
    { route: "runs", method: "GET", segments: [], body: NONE, query: true },
    { route: "runs/[id]", method: "GET", segments: [RUN_ID], body: NONE },
    { route: "runs/[id]", method: "DELETE", segments: [RUN_ID], body: NONE },
    { route: "runs/[id]/events", method: "GET", segments: [RUN_ID], body: NONE },
    {
      route: "runs/[id]/outputs/[node]/[name]",
      method: "GET",
      segments: [
        RUN_ID,
        { name: "node", values: ["out", "..", ""] },
        { name: "name", values: ["image-0.png", "../x"] },
      ],
      body: NONE,
    },
    {
      route: "batches/[id]/zip",
      method: "GET",
      segments: [{ name: "id", values: ["fuzz-batch", "..", "x".repeat(65), "a b"] }],
      body: NONE,
    },
    { route: "tokens", method: "GET", segments: [], body: NONE },
    { route: "tokens", method: "POST", segments: [], body: json(() => ({ name: "fuzz token" })) },
    {
      route: "tokens/[id]",
      method: "DELETE",
      segments: [{ name: "id", roles: ["api-token"] }],
      body: NONE,
    },
    { route: "models", method: "GET", segments: [], body: NONE },
    // Hostile query strings only: a valid id list would ask the hub for sizes (the network).
    { route: "models/plan", method: "GET", segments: [], body: NONE, query: true },
    { route: "models/[id]", method: "DELETE", segments: [model], body: NONE },
    {
      route: "models/[id]/install",
      method: "POST",
      // Only unknown ids: installing a real model downloads it, and tests never use the network.
      segments: [{ name: "id", forbidden: known }],
      body: NONE,
    },
    {
      route: "models/[id]/files/[name]",
      method: "GET",
      segments: [model, { name: "name", values: ["model.onnx", "installed.json", "..", "../x"] }],
      body: NONE,
    },
    {
      route: "models/[id]/files/[name]",
      method: "HEAD",
      segments: [model, { name: "name", values: ["model.onnx", ".."] }],
      body: NONE,
    },
  ];
}

const API_DIR = path.resolve(import.meta.dirname, "../../app/api");

/** Every route folder under app/api that has a route.ts, e.g. "workflows/[id]". */
export function routeFiles(): string[] {
  return readdirSync(API_DIR, { recursive: true, encoding: "utf8" })
    .filter((f) => path.basename(f) === "route.ts")
    .map((f) => path.dirname(f).split(path.sep).join("/"))
    .sort();
}

export async function loadHandlers(route: string): Promise<Partial<Record<Method, Handler>>> {
  // Imported by path, after the test database exists (route modules read DATABASE_URL lazily).
  const mod = (await import(path.join(API_DIR, route, "route.ts"))) as Record<string, unknown>;
  const handlers: Partial<Record<Method, Handler>> = {};
  for (const method of METHODS) {
    if (typeof mod[method] === "function") handlers[method] = mod[method] as Handler;
  }
  return handlers;
}

/** The URL path of a route with its segments filled in (percent-encoded, as a browser sends). */
export function urlPath(route: string, params: Record<string, string>): string {
  const parts = route.split("/").map((part) => {
    const name = /^\[(?:\.\.\.)?(\w+)\]$/.exec(part)?.[1];
    if (!name) return part;
    const value = params[name] ?? "";
    // The catch-all keeps its slashes: better-auth routes on the path after /api/auth/.
    return part.startsWith("[...")
      ? value.split("/").map(encodeSegment).join("/")
      : encodeSegment(value);
  });
  return `/api/${parts.join("/")}`;
}

function encodeSegment(value: string): string {
  try {
    return encodeURIComponent(value);
  } catch {
    // A lone surrogate; Next would have refused such a URL before any handler.
    return encodeURIComponent(value.replace(/[\ud800-\udfff]/g, "\ufffd"));
  }
}
