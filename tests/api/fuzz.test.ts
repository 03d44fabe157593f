import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import type { PrismaClient } from "@/app/_server/db";
import { MODELS } from "@/models/manifest";
import { FixtureSet, type Identity } from "../fuzz/fixtures";
import { fuzzRoute, fuzzSettings, stillAnswers, type FuzzContext } from "../fuzz/properties";
import { loadHandlers, METHODS, routeCases, routeFiles } from "../fuzz/routes";
import { RecordingRunQueue } from "../helpers/recording-queue";
import { setupTestDatabase } from "./test-db";

/**
 * Property-based fuzzing of every API route (tests/fuzz/), with accounts off and on, on SQLite and
 * (tests/run-all.sh) on PostgreSQL. Here with a fixed seed and a few runs per route; `npm run
 * fuzz` runs the same properties with a random seed (printed) and FUZZ_RUNS runs each, and
 * `FUZZ_SEED=<seed> npm run fuzz` replays one.
 */
process.env.BETTER_AUTH_SECRET ??= "fuzz-secret-fuzz-secret-fuzz-secret-0123";
process.env.BETTER_AUTH_URL ??= "http://localhost";

setupTestDatabase();

const settings = fuzzSettings();
const cases = routeCases(MODELS.map((m) => m.id));
// Generous: a long `npm run fuzz` may make thousands of requests per route.
const TIMEOUT = 60_000 + settings.numRuns * 2_000;

let prisma: PrismaClient;
let modelsDir: string;
const previous = { accounts: process.env.LEFFA_ACCOUNTS, models: process.env.MODELS_DIR };

beforeAll(async () => {
  console.log(
    `fuzz: seed ${settings.seed}, ${settings.numRuns} runs per route (replay: FUZZ_SEED=${settings.seed} npm run fuzz)`,
  );
  prisma = (await import("@/app/_server/db")).getPrisma();
  // Runs are queued and recorded, never executed: a run finishing in the background would change
  // the database between a refused request's before and after.
  const { setRunQueueFactory } = await import("@/app/_server/runs/queue-provider");
  setRunQueueFactory(async () => new RecordingRunQueue());
  // An empty model store: model routes answer "not installed", and nothing is downloaded.
  modelsDir = mkdtempSync(path.join(tmpdir(), "leffa-fuzz-models-"));
  process.env.MODELS_DIR = modelsDir;
  // Tests never reach the network: any fetch a handler tried would fail the run loudly.
  vi.stubGlobal("fetch", () =>
    Promise.reject(new Error("the fuzzed routes must not use the network")),
  );
});

afterAll(() => {
  vi.unstubAllGlobals();
  process.env.LEFFA_ACCOUNTS = previous.accounts;
  process.env.MODELS_DIR = previous.models;
  if (previous.models === undefined) delete process.env.MODELS_DIR;
  if (previous.accounts === undefined) delete process.env.LEFFA_ACCOUNTS;
  rmSync(modelsDir, { recursive: true, force: true });
});

it("has a case for every method of every route file", async () => {
  const covered = new Set(cases.map((c) => `${c.method} ${c.route}`));
  for (const route of routeFiles()) {
    const handlers = await loadHandlers(route);
    for (const method of METHODS) {
      if (handlers[method])
        expect(covered, `${method} /api/${route}`).toContain(`${method} ${route}`);
    }
  }
});

async function signUp(name: string): Promise<Identity> {
  const { POST } = await import("@/app/api/auth/[...all]/route");
  const email = `${name}-${Math.random().toString(36).slice(2, 8)}@example.com`;
  const res = await POST(
    new Request("http://localhost/api/auth/sign-up/email", {
      method: "POST",
      headers: {
        "content-type": "application/json",
        origin: "http://localhost",
        "x-forwarded-for": `10.9.${Math.floor(Math.random() * 250)}.1`,
      },
      body: JSON.stringify({ name, email, password: `${name}-long-enough-password` }),
    }),
  );
  expect(res.status).toBe(200);
  const { user } = (await res.json()) as { user: { id: string } };
  const cookie = res.headers
    .getSetCookie()
    .map((c) => c.split(";")[0])
    .join("; ");
  return { cookie, userId: user.id };
}

for (const accounts of [false, true]) {
  describe(`accounts ${accounts ? "on" : "off"}`, () => {
    let ctx: FuzzContext;
    const total = { cases: 0 };

    beforeAll(async () => {
      process.env.LEFFA_ACCOUNTS = accounts ? "on" : "off";
      const me = accounts ? await signUp("fuzzer") : { userId: null };
      const other = accounts ? await signUp("bystander") : { userId: null };
      ctx = { prisma, fixtures: new FixtureSet(prisma, me, other), me, accounts, settings };
    });

    afterAll(() => {
      console.log(`fuzz (accounts ${accounts ? "on" : "off"}): ${total.cases} requests`);
    });

    for (const route of cases) {
      it(
        `${route.method} /api/${route.route}`,
        async () => {
          const report = await fuzzRoute(route, ctx);
          total.cases += report.cases;
          expect(report.cases).toBeGreaterThanOrEqual(settings.numRuns);
        },
        TIMEOUT,
      );
    }

    it("still answers a valid request afterwards", async () => {
      await stillAnswers(ctx);
    });
  });
}
