import fc from "fast-check";
import type { PrismaClient } from "@/app/_server/db";
import {
  applyMutation,
  brokenBody,
  contentType,
  extraHeaders,
  multipartBody,
  mutationArb,
  queryString,
  segmentArb,
  type BodyMutation,
} from "./generators";
import type { FixtureSet } from "./fixtures";
import { PNG_BYTES, snapshot, type Identity, type Targets } from "./fixtures";
import { loadHandlers, urlPath, type RouteCase, type SegmentSpec } from "./routes";

/**
 * The fuzzer's properties, shared by `npm test` (tests/api/fuzz.test.ts: a fixed seed, few runs)
 * and `npm run fuzz` (a random seed, printed, and as many runs as FUZZ_RUNS says). For one route
 * and method, every generated request must get:
 *   - no 5xx;
 *   - on refusal (4xx), a JSON body with an `error` string, and a `field` (or `nodeId`) when the
 *     request was a valid one with a single field changed (the field is the one at fault);
 *   - on refusal, no change to anything stored (fixtures.ts `snapshot`).
 * After the runs, a valid request to the route must still be answered as before.
 */

export interface FuzzSettings {
  readonly seed: number;
  readonly numRuns: number;
}

/** The seed and run count: fixed for `npm test`, random (and printed) for `npm run fuzz`. */
export function fuzzSettings(env: NodeJS.ProcessEnv = process.env): FuzzSettings {
  const long = env.FUZZ_MODE === "long";
  const seed = env.FUZZ_SEED
    ? Number(env.FUZZ_SEED)
    : long
      ? (Date.now() ^ (Math.random() * 2 ** 31)) | 0
      : 18;
  const numRuns = env.FUZZ_RUNS ? Number(env.FUZZ_RUNS) : long ? 200 : 12;
  if (!Number.isInteger(seed) || !Number.isInteger(numRuns) || numRuns < 1) {
    throw new Error("FUZZ_SEED and FUZZ_RUNS must be whole numbers");
  }
  return { seed, numRuns };
}

/** One generated request, before the targets (real ids) are known. */
interface Plan {
  segments: Record<string, SegmentChoice>;
  query: string;
  headers: Record<string, string>;
  contentType: string | undefined;
  body: BodyPlan;
  /** Sign in as the fuzzing user (accounts on), or not. */
  signedIn: boolean;
}

type SegmentChoice = { role: string } | { value: string };

type BodyPlan =
  | { kind: "none" }
  | { kind: "valid" }
  | { kind: "mutated"; mutation: BodyMutation }
  | { kind: "truncated"; cut: number }
  | { kind: "broken"; body: string | Uint8Array }
  | { kind: "multipart"; contentType: string; body: string }
  | { kind: "oversized" }
  | { kind: "image" };

function segmentChoice(spec: SegmentSpec): fc.Arbitrary<SegmentChoice> {
  const hostile = segmentArb(spec.values ?? []).filter((v) => !spec.forbidden?.has(v));
  const value = hostile.map((v): SegmentChoice => ({ value: v }));
  if (!spec.roles?.length) return value;
  const role = fc.constantFrom(...spec.roles).map((r): SegmentChoice => ({ role: r }));
  return fc.oneof({ weight: 3, arbitrary: role }, { weight: 2, arbitrary: value });
}

function bodyPlan(route: RouteCase): fc.Arbitrary<BodyPlan> {
  const broken = brokenBody.map((body): BodyPlan => ({ kind: "broken", body }));
  const multipart = multipartBody.map((m): BodyPlan => ({ kind: "multipart", ...m }));
  const oversized = fc.constant<BodyPlan>({ kind: "oversized" });
  switch (route.body.kind) {
    case "none":
      return fc.oneof(
        { weight: 6, arbitrary: fc.constant<BodyPlan>({ kind: "none" }) },
        { weight: 1, arbitrary: broken },
      );
    case "bytes":
      return fc.oneof(
        { weight: 3, arbitrary: fc.constant<BodyPlan>({ kind: "image" }) },
        { weight: 3, arbitrary: broken },
        { weight: 2, arbitrary: multipart },
        { weight: 1, arbitrary: oversized },
      );
    case "json": {
      // The valid body's keys, from a throwaway target set: only their names matter here.
      const fields = Object.keys(route.body.valid({ ids: {} as Targets["ids"], latestVersion: 1 }));
      return fc.oneof(
        { weight: 1, arbitrary: fc.constant<BodyPlan>({ kind: "valid" }) },
        {
          weight: 8,
          arbitrary: mutationArb(fields).map((mutation): BodyPlan => ({
            kind: "mutated",
            mutation,
          })),
        },
        {
          weight: 2,
          arbitrary: fc.nat(1 << 16).map((cut): BodyPlan => ({ kind: "truncated", cut })),
        },
        { weight: 3, arbitrary: broken },
        { weight: 1, arbitrary: multipart },
        { weight: 1, arbitrary: oversized },
      );
    }
  }
}

function planArb(route: RouteCase, accounts: boolean): fc.Arbitrary<Plan> {
  const segments = fc.record(
    Object.fromEntries(route.segments.map((s) => [s.name, segmentChoice(s)])) as Record<
      string,
      fc.Arbitrary<SegmentChoice>
    >,
  );
  return fc.record({
    segments,
    query: route.query ? queryString : fc.oneof(fc.constant(""), queryString),
    headers: extraHeaders,
    contentType,
    body: bodyPlan(route),
    signedIn: accounts ? fc.boolean() : fc.constant(false),
  });
}

/** Over every body limit the routes have (the largest is the 25 MB upload limit's Content-Length). */
const OVERSIZED = new Uint8Array(5 * 1024 * 1024 + 1).fill(0x20);

interface Built {
  request: Request;
  params: Record<string, string>;
  /** A valid body with one field changed: a 400 must name the field at fault. */
  expectsField: boolean;
}

function build(route: RouteCase, plan: Plan, targets: Targets, me: Identity): Built {
  const params: Record<string, string> = {};
  for (const [name, choice] of Object.entries(plan.segments)) {
    params[name] =
      "role" in choice ? targets.ids[choice.role as keyof Targets["ids"]] : choice.value;
  }
  const headers = new Headers(plan.headers);
  // Lying lengths only where the body is one of ours to lie about.
  if (plan.body.kind !== "oversized") headers.delete("content-length");
  if (plan.contentType !== undefined) headers.set("content-type", plan.contentType);
  headers.set("origin", "http://localhost");
  // Signing the fuzzing user out would leave every later request unauthenticated.
  const signsOut = route.auth && /sign-out/.test(params.all ?? "");
  if (plan.signedIn && me.cookie && !signsOut) headers.set("cookie", me.cookie);

  let body: string | Uint8Array | undefined;
  let expectsField = false;
  const valid = route.body.kind === "json" ? route.body.valid(targets) : {};
  switch (plan.body.kind) {
    case "none":
      break;
    case "valid":
      body = JSON.stringify(valid);
      break;
    case "mutated":
      body = applyMutation(valid, plan.body.mutation);
      expectsField = route.body.kind === "json" && route.body.namesFields;
      break;
    case "truncated": {
      const text = JSON.stringify(valid);
      body = text.slice(0, plan.body.cut % Math.max(1, text.length));
      break;
    }
    case "broken":
      body = plan.body.body;
      break;
    case "multipart":
      body = plan.body.body;
      headers.set("content-type", plan.body.contentType);
      break;
    case "oversized":
      body = OVERSIZED;
      break;
    case "image":
      body = PNG_BYTES;
      break;
  }
  const method = route.method;
  if (method === "GET" || method === "HEAD") body = undefined;
  const url = `http://localhost${urlPath(route.route, params)}${plan.query ? `?${plan.query}` : ""}`;
  return {
    request: new Request(url, { method, headers, body: body as BodyInit }),
    params,
    expectsField,
  };
}

export class InvariantError extends Error {
  override readonly name = "InvariantError";
}

const ERROR_KEYS = new Set(["error", "field", "nodeId"]);

/** The checks on one response; throws an InvariantError saying which one failed. */
async function checkResponse(route: RouteCase, built: Built, res: Response): Promise<void> {
  const label = `${route.method} ${built.request.url} → ${res.status}`;
  if (res.status >= 500) {
    throw new InvariantError(`${label}: a server error (${await res.text()})`);
  }
  if (res.status < 400) {
    await res.body?.cancel();
    return;
  }
  if (route.method === "HEAD") return;
  const type = res.headers.get("content-type") ?? "";
  if (!type.includes("application/json")) {
    throw new InvariantError(`${label}: error body is ${type || "untyped"}, not JSON`);
  }
  const body = (await res.json()) as Record<string, unknown>;
  if (typeof body.error !== "string" || body.error === "") {
    throw new InvariantError(
      `${label}: error body without an error message: ${JSON.stringify(body)}`,
    );
  }
  if (route.auth) return;
  for (const key of Object.keys(body)) {
    // The 409 conflict body carries the current version's details too (workflow-http.ts).
    if (!ERROR_KEYS.has(key) && res.status !== 409) {
      throw new InvariantError(`${label}: unexpected key "${key}" in ${JSON.stringify(body)}`);
    }
  }
  if (built.expectsField && res.status === 400 && !body.field && !body.nodeId) {
    throw new InvariantError(
      `${label}: a one-field change refused without naming the field: ${JSON.stringify(body)}`,
    );
  }
}

export interface FuzzContext {
  readonly prisma: PrismaClient;
  readonly fixtures: FixtureSet;
  readonly me: Identity;
  readonly accounts: boolean;
  readonly settings: FuzzSettings;
}

/** What one route's run did: how many requests, and how each status was answered. */
export interface RouteReport {
  readonly cases: number;
  readonly statuses: Record<number, number>;
}

/**
 * Fuzzes one route and method. Throws (with fast-check's counterexample, seed and path to replay
 * it) when an invariant fails; otherwise returns the statuses seen.
 */
export async function fuzzRoute(route: RouteCase, ctx: FuzzContext): Promise<RouteReport> {
  const handler = (await loadHandlers(route.route))[route.method];
  if (!handler) throw new Error(`${route.route} exports no ${route.method}`);
  const statuses: Record<number, number> = {};
  let cases = 0;
  await fc.assert(
    fc.asyncProperty(planArb(route, ctx.accounts), async (plan) => {
      const targets = await ctx.fixtures.resolve();
      const built = build(route, plan, targets, ctx.me);
      const before = await snapshot(ctx.prisma);
      const res = await handler(built.request, { params: Promise.resolve(built.params) });
      cases += 1;
      statuses[res.status] = (statuses[res.status] ?? 0) + 1;
      await checkResponse(route, built, res);
      if (res.status >= 400) {
        const after = await snapshot(ctx.prisma);
        if (after !== before) {
          throw new InvariantError(
            `${route.method} ${built.request.url} → ${res.status}: refused, yet the database changed`,
          );
        }
      }
    }),
    { seed: ctx.settings.seed, numRuns: ctx.settings.numRuns, endOnFailure: true },
  );
  return { cases, statuses };
}

/** A request that must still succeed after the fuzzing: the handlers keep answering. */
export async function stillAnswers(ctx: FuzzContext): Promise<void> {
  const { POST } = await import("@/app/api/workflows/route");
  const { GET } = await import("@/app/api/workflows/[id]/route");
  const headers: Record<string, string> = { "content-type": "application/json" };
  if (ctx.me.cookie) headers.cookie = ctx.me.cookie;
  const created = await POST(
    new Request("http://localhost/api/workflows", {
      method: "POST",
      headers,
      body: JSON.stringify({ name: "After the fuzz" }),
    }),
  );
  if (created.status !== 201) throw new InvariantError(`create after fuzzing → ${created.status}`);
  const { id } = (await created.json()) as { id: string };
  const read = await GET(new Request(`http://localhost/api/workflows/${id}`, { headers }), {
    params: Promise.resolve({ id }),
  });
  if (read.status !== 200) throw new InvariantError(`read after fuzzing → ${read.status}`);
}
