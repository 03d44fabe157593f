/**
 * `npm run bench:load`: the shared deployment under load, on this machine only.
 *  1. serves the production build (`next build` must have run) on 127.0.0.1 with accounts on and
 *     a fresh PostgreSQL database holding the seeded templates (load-server.ts);
 *  2. signs up LOAD_USERS people through the real auth endpoints, each from a loopback address of
 *     its own, so the per-address sign-in limit applies to each as to a real person; each makes
 *     two workflows and publishes one (load-user.ts);
 *  3. for LOAD_SECONDS, every person lists, opens, saves (from two tabs, so stale saves meet 409),
 *     forks others' shared workflows and reads share pages, pausing between actions (load-mix.ts);
 *  4. prints p50/p95/p99 per route and per method, throughput and errors, and whether the targets
 *     are met: no error but the expected 409s, reads p95 < 100 ms, saves p95 < 200 ms;
 *  5. checks the database for lost updates: every acknowledged save is stored as the version it
 *     was told, and each workflow's latest version is the highest acknowledged (load-ledger.ts).
 * Bounded: a hard deadline, a request budget, traffic to 127.0.0.1 only. The server and the
 * database are removed at the end, on failure and on Ctrl-C too. Exit code 1 when an error, a
 * lost update or an inconsistency was found (latency targets missed are reported, not fatal:
 * they depend on what else the machine is doing).
 *
 *   LOAD_USERS=3 LOAD_SECONDS=3 npm run bench:load      a quick look
 *   npm run bench:load -- --users=50 --seconds=60       the full run (the defaults)
 */
import { randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import { cpus, loadavg } from "node:os";
import { fileURLToPath } from "node:url";
import { parseWorkflow } from "../../nodes/core/document";
import { LoadClient, loopbackAddress, Recorder } from "./load-client";
import { LoadConfigError, parseLoadConfig, type LoadConfig } from "./load-config";
import { processGroupCpuMs } from "./load-cpu";
import { checkLedger } from "./load-ledger";
import { ACTION_WEIGHTS } from "./load-mix";
import { startDeployment, type Deployment } from "./load-server";
import { checkTargets, formatTable, summarize, type Target } from "./load-stats";
import { SimulatedUser, type World } from "./load-user";
import { readStoredSaves } from "./load-verify";

const TARGETS = { readP95Ms: 100, saveP95Ms: 200 };
/** People signing up at once: sign-up and sign-in hash a password (scrypt) each. */
const SETUP_CONCURRENCY = 4;
/** Beyond the run itself: starting the server, setting up the users, the checks after. */
const OVERHEAD_MS = 180_000;
const SETUP_MS_PER_USER = 2_000;
const BASE_DOCUMENT = fileURLToPath(
  new URL("../../prisma/examples/virtual-try-on.json", import.meta.url),
);

let deployment: Deployment | undefined;
const clients: LoadClient[] = [];

async function cleanUp(): Promise<void> {
  for (const c of clients) c.close();
  await deployment?.close();
}

/** Runs `work` for each item, at most `limit` at a time; the first failure stops the rest. */
async function inPool<T>(items: readonly T[], limit: number, work: (item: T) => Promise<void>) {
  let next = 0;
  const runners = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) await work(items[next++]);
  });
  await Promise.all(runners);
}

/** Other work on the machine shows in the latencies; the figures are read with it. */
function loadAverage(): string {
  return `load average ${loadavg()
    .map((l) => l.toFixed(2))
    .join(" ")}`;
}

function printTargets(targets: readonly Target[]): void {
  for (const t of targets)
    console.log(`${t.met ? "MET    " : "NOT MET"}  ${t.name}: ${t.measured}`);
}

async function main(config: LoadConfig): Promise<boolean> {
  console.log(
    `bench:load: ${config.users} users for ${config.seconds} s, mean pause ${config.thinkMs} ms, ` +
      `at most ${config.maxRequests} requests; ${cpus().length} CPU cores, ${loadAverage()}`,
  );
  const started = performance.now();
  deployment = await startDeployment(config.port);
  console.log(
    `serving the production build on ${deployment.base} (PostgreSQL, accounts on) ` +
      `in ${((performance.now() - started) / 1000).toFixed(1)} s`,
  );

  const world: World = {
    runId: randomBytes(4).toString("hex"),
    baseDocument: parseWorkflow(JSON.parse(readFileSync(BASE_DOCUMENT, "utf8"))),
    shareTokens: [],
    templateIds: [],
    acks: [],
    inDoubt: [],
    races: { one: 0, both: 0, none: 0 },
    anomalies: [],
  };
  const base = new URL(deployment.base);
  const setupRecorder = new Recorder(config.maxRequests);
  const users = Array.from({ length: config.users }, (_, i) => {
    const client = new LoadClient(base, loopbackAddress(i), setupRecorder);
    clients.push(client);
    return new SimulatedUser(i, client, world);
  });

  const setupStart = performance.now();
  await inPool(users, SETUP_CONCURRENCY, (u) => u.setUp());
  await users[0].warmUp();
  const setupSeconds = (performance.now() - setupStart) / 1000;
  console.log(
    `\nset up ${users.length} users (sign-up, sign-in, 2 workflows, 1 published) ` +
      `in ${setupSeconds.toFixed(1)} s, ${SETUP_CONCURRENCY} at a time, then warmed up ` +
      `the read routes:`,
  );
  console.log(formatTable(summarize(setupRecorder.samples).routes));

  const runRecorder = new Recorder(config.maxRequests);
  for (const u of users) u.client.recorder = runRecorder;
  console.log(
    `\nrunning for ${config.seconds} s; action weights: ` +
      Object.entries(ACTION_WEIGHTS)
        .map(([a, w]) => `${a} ${w}`)
        .join(", "),
  );
  const cpuBefore = processGroupCpuMs(deployment.pid);
  const runStart = performance.now();
  const deadline = runStart + config.seconds * 1000;
  await Promise.all(users.map((u) => u.run(deadline, config.thinkMs)));
  const runSeconds = (performance.now() - runStart) / 1000;

  const cpuAfter = processGroupCpuMs(deployment.pid);
  console.log(`run over; ${loadAverage()}`);
  const samples = runRecorder.samples;
  if (cpuBefore !== undefined && cpuAfter !== undefined && samples.length > 0) {
    const cpu = cpuAfter - cpuBefore;
    console.log(
      `server CPU: ${(cpu / 1000).toFixed(1)} s in ${runSeconds.toFixed(1)} s ` +
        `(${((cpu / 1000 / runSeconds) * 100).toFixed(0)} % of one core), ` +
        `${(cpu / samples.length).toFixed(1)} ms per request`,
    );
  }
  const summary = summarize(samples);
  console.log(
    `\n${samples.length} requests in ${runSeconds.toFixed(1)} s: ` +
      `${(samples.length / runSeconds).toFixed(1)} requests/s` +
      (runRecorder.budgetSpent ? " (stopped early: LOAD_MAX_REQUESTS reached)" : "") +
      (runRecorder.retries > 0
        ? `; ${runRecorder.retries} GETs sent again after a reset on a reused connection`
        : ""),
  );
  console.log(formatTable([...summary.routes, ...summary.methods, summary.all]));
  const races = world.races;
  console.log(
    `\ntwo tabs saving the same version at once: ${races.one + races.both + races.none} times; ` +
      `one won ${races.one}, both won ${races.both}, neither won ${races.none}`,
  );

  const errors = [...setupRecorder.errors, ...runRecorder.errors];
  if (errors.length > 0) {
    console.log(`\nerrors (first 10 of ${errors.length}):`);
    for (const e of errors.slice(0, 10))
      console.log(`  ${e.route} → ${e.status || "no answer"}: ${e.detail}`);
  }
  if (world.anomalies.length > 0) {
    console.log(`\ninconsistent answers (first 10 of ${world.anomalies.length}):`);
    for (const a of world.anomalies.slice(0, 10)) console.log(`  ${a}`);
  }

  console.log("\ntargets (the measured run; 409s count in the latencies):");
  const targets = checkTargets(samples, TARGETS);
  const consistent: Target = {
    name: "answers consistent (409s name a newer version, saves go up by one, one race winner)",
    met: world.anomalies.length === 0 && races.both === 0 && races.none === 0,
    measured: `${world.anomalies.length} inconsistent answers, ${races.both + races.none} races not won once`,
  };
  printTargets([...targets, consistent]);

  const stored = await readStoredSaves(
    deployment.databaseUrl,
    world.acks.map((a) => a.workflowId),
  );
  const ledger = checkLedger(world.acks, world.inDoubt, stored.versions, stored.workflows);
  console.log(
    `\nlost-update check: ${ledger.acknowledged} acknowledged versions of ${ledger.workflows} ` +
      `workflows, ${world.inDoubt.length} saves left in doubt, ${stored.versions.length} version rows`,
  );
  for (const p of ledger.problems.slice(0, 20)) console.log(`  LOST: ${p}`);
  const noLoss = ledger.problems.length === 0 && ledger.acknowledged > 0;
  printTargets([
    {
      name: "no lost update",
      met: noLoss,
      measured: noLoss
        ? "every acknowledged save is stored as its version; latest = highest acknowledged"
        : `${ledger.problems.length} problems`,
    },
  ]);
  const noErrors = errors.length === 0;
  return noLoss && noErrors && consistent.met;
}

let config: LoadConfig;
try {
  config = parseLoadConfig(process.env, process.argv.slice(2));
} catch (err) {
  if (!(err instanceof LoadConfigError)) throw err;
  console.error(`bench:load: ${err.message}`);
  process.exit(2);
}

// The server runs in a process group of its own (serve-build.ts), so Ctrl-C does not reach it.
for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.once(signal, () => {
    console.error(`\nbench:load: ${signal}, stopping the server and dropping the database`);
    void cleanUp().finally(() => process.exit(130));
  });
}
// Whatever else ends the process: close() stops the server before its first await.
process.once("exit", () => void deployment?.close());

const hardDeadlineMs = OVERHEAD_MS + config.users * SETUP_MS_PER_USER + config.seconds * 1000;
const hardDeadline = setTimeout(() => {
  console.error(`bench:load: still running after ${hardDeadlineMs / 1000} s; giving up`);
  void cleanUp().finally(() => process.exit(1));
}, hardDeadlineMs);

let ok = false;
try {
  ok = await main(config);
} catch (err) {
  console.error(`bench:load failed: ${(err as Error).stack ?? err}`);
} finally {
  clearTimeout(hardDeadline);
  await cleanUp();
}
process.exit(ok ? 0 : 1);
