import { execFile, execFileSync, spawn } from "node:child_process";
import { createHash, randomBytes } from "node:crypto";
import { readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import path from "node:path";
import { promisify } from "node:util";
import Database from "better-sqlite3";
import pg from "pg";
import * as tar from "tar";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { WorkflowDocument } from "@/nodes/core/document";
import type * as Collection from "@/app/api/workflows/route";
import type * as Item from "@/app/api/workflows/[id]/route";
import type * as Share from "@/app/api/workflows/[id]/share/route";
import type * as Upload from "@/app/api/assets/route";
import { createPostgresDatabase } from "../helpers/postgres-database";
import {
  PNG_BASE64,
  ROOT,
  routeContext,
  setupTestDatabase,
  testDocument,
  TEST_POSTGRES_URL,
} from "./test-db";

/**
 * db:backup and db:restore end to end, on SQLite and (with TEST_POSTGRES_URL) on PostgreSQL: a
 * library made through the API is backed up by the CLI, restored into fresh databases and compared
 * row by row, byte for byte; and every refusal leaves the target exactly as it was.
 */
const db = setupTestDatabase();
const provider = TEST_POSTGRES_URL ? "postgresql" : "sqlite";
const TSX = path.join(ROOT, "node_modules/.bin/tsx");
const run = promisify(execFile);

let collection: typeof Collection;
let item: typeof Item;
let share: typeof Share;
let upload: typeof Upload;
const cleanups: (() => Promise<void>)[] = [];
let targetCount = 0;

afterAll(async () => {
  for (const cleanup of cleanups) await cleanup();
});

// ---------------------------------------------------------------------------------------------
// Databases and their rows

/** A database of this run's kind, empty, and migrated to the code's schema unless told which. */
async function freshDatabase(migrations: "all" | "none" | string[] = "all"): Promise<string> {
  targetCount += 1;
  let url: string;
  if (TEST_POSTGRES_URL) {
    const created = await createPostgresDatabase(TEST_POSTGRES_URL);
    cleanups.push(created.drop);
    url = created.url;
    if (migrations !== "none") {
      const { migratePostgres, readMigrations } = await import("@/tools/db/migrate-postgres");
      const all = readMigrations();
      await migratePostgres(
        url,
        migrations === "all" ? all : all.filter((m) => migrations.includes(m.name)),
      );
    }
    return url;
  }
  const file = path.join(db.dir, `target-${targetCount}.db`);
  url = `file:${file}`;
  if (migrations === "all") {
    execFileSync(path.join(ROOT, "node_modules/.bin/prisma"), ["migrate", "deploy"], {
      cwd: ROOT,
      env: { ...process.env, DATABASE_URL: url, CHECKPOINT_DISABLE: "1" },
      stdio: "pipe",
    });
  } else if (migrations !== "none") {
    applySqliteMigrations(file, migrations);
  }
  return url;
}

/** What `prisma migrate deploy` would have left after only these migrations. */
function applySqliteMigrations(file: string, names: string[]): void {
  const sqlite = new Database(file);
  sqlite.exec(`CREATE TABLE "_prisma_migrations" (
    "id" TEXT PRIMARY KEY NOT NULL, "checksum" TEXT NOT NULL, "finished_at" DATETIME,
    "migration_name" TEXT NOT NULL, "logs" TEXT, "rolled_back_at" DATETIME,
    "started_at" DATETIME NOT NULL DEFAULT current_timestamp,
    "applied_steps_count" INTEGER UNSIGNED NOT NULL DEFAULT 0)`);
  for (const name of names) {
    const sql = readFileSync(path.join(ROOT, "prisma/migrations", name, "migration.sql"), "utf8");
    sqlite.exec(sql);
    sqlite
      .prepare(
        `INSERT INTO "_prisma_migrations" (id, checksum, finished_at, migration_name, applied_steps_count)
         VALUES (?, ?, current_timestamp, ?, 1)`,
      )
      .run(name, createHash("sha256").update(sql).digest("hex"), name);
  }
  sqlite.close();
}

const MIGRATION_TABLES = new Set(["_prisma_migrations", "_leffa_migrations"]);

/** Every row of every data table, in a stable order; blobs as Buffers, so compared byte for byte. */
async function readRows(url: string): Promise<Record<string, unknown[]>> {
  const byTable: Record<string, unknown[]> = {};
  if (url.startsWith("file:")) {
    const sqlite = new Database(url.slice("file:".length), { readonly: true });
    const tables = sqlite
      .prepare(`SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'`)
      .pluck()
      .all() as string[];
    for (const t of tables.filter((name) => !MIGRATION_TABLES.has(name))) {
      byTable[t] = sqlite.prepare(`SELECT * FROM "${t}"`).all();
    }
    sqlite.close();
  } else {
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    const tables = await client.query<{ t: string }>(
      `SELECT tablename AS t FROM pg_tables WHERE schemaname = 'public'`,
    );
    for (const { t } of tables.rows.filter((r) => !MIGRATION_TABLES.has(r.t))) {
      byTable[t] = (await client.query(`SELECT * FROM public."${t}"`)).rows;
    }
    await client.end();
  }
  for (const rows of Object.values(byTable)) {
    rows.sort((a, b) => (JSON.stringify(a) < JSON.stringify(b) ? -1 : 1));
  }
  return byTable;
}

async function migrationsOf(url: string): Promise<string[]> {
  if (url.startsWith("file:")) {
    const sqlite = new Database(url.slice("file:".length), { readonly: true });
    const names = sqlite
      .prepare(`SELECT migration_name FROM _prisma_migrations ORDER BY migration_name`)
      .pluck()
      .all() as string[];
    sqlite.close();
    return names;
  }
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  const { rows } = await client.query<{ name: string }>(
    `SELECT name FROM _leffa_migrations ORDER BY name`,
  );
  await client.end();
  return rows.map((r) => r.name);
}

/** Adds a row the backup does not have, so a replaced (or untouched) target can be told apart. */
async function addStrayAsset(url: string): Promise<void> {
  const id = "f".repeat(64);
  if (url.startsWith("file:")) {
    const sqlite = new Database(url.slice("file:".length));
    sqlite
      .prepare(`INSERT INTO "Asset" (id, mime, bytes, "byteLength") VALUES (?, 'image/png', ?, 3)`)
      .run(id, Buffer.from([1, 2, 3]));
    sqlite.close();
    return;
  }
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  await client.query(
    `INSERT INTO "Asset" (id, mime, bytes, "byteLength") VALUES ($1, 'image/png', $2, 3)`,
    [id, Buffer.from([1, 2, 3])],
  );
  await client.end();
}

// ---------------------------------------------------------------------------------------------
// The CLI

interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

async function cli(script: "backup" | "restore", args: string[], url: string): Promise<CliResult> {
  try {
    const { stdout, stderr } = await run(TSX, [`tools/db/${script}.ts`, ...args], {
      cwd: ROOT,
      env: { ...process.env, DATABASE_URL: url, CHECKPOINT_DISABLE: "1" },
    });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code?: number; stdout?: string; stderr?: string };
    return { code: e.code ?? -1, stdout: e.stdout ?? "", stderr: e.stderr ?? "" };
  }
}

function backupPath(name: string): string {
  return path.join(db.dir, name);
}

/** Rewrites an archive's manifest (and optionally its database file), keeping it self-consistent. */
async function repack(
  archive: string,
  out: string,
  change: (manifest: Record<string, unknown>, dbFile: string) => void,
): Promise<void> {
  const work = path.join(db.dir, `repack-${path.basename(out)}`);
  execFileSync("mkdir", ["-p", work]);
  await tar.extract({ file: archive, cwd: work });
  const manifest = JSON.parse(readFileSync(path.join(work, "manifest.json"), "utf8")) as Record<
    string,
    unknown
  > & { database: { file: string; bytes: number; sha256: string } };
  const dbFile = path.join(work, manifest.database.file);
  change(manifest, dbFile);
  const bytes = readFileSync(dbFile);
  manifest.database.bytes = bytes.length;
  manifest.database.sha256 = createHash("sha256").update(bytes).digest("hex");
  writeFileSync(path.join(work, "manifest.json"), JSON.stringify(manifest));
  await tar.create({ file: out, cwd: work }, ["manifest.json", manifest.database.file]);
}

// ---------------------------------------------------------------------------------------------
// The library to back up, made through the API

function doc(name: string, notes = ""): WorkflowDocument {
  return testDocument(name, { meta: notes ? { notes } : {} });
}

function json(method: string, body: unknown, url: string): Request {
  return new Request(url, {
    method,
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body),
  });
}

async function createWorkflow(name: string, extra: Record<string, unknown> = {}): Promise<string> {
  const res = await collection.POST(
    json("POST", { document: doc(name), ...extra }, "http://localhost/api/workflows"),
  );
  expect(res.status).toBe(201);
  return ((await res.json()) as { id: string }).id;
}

async function saveVersion(id: string, body: Record<string, unknown>): Promise<void> {
  const res = await item.PUT(
    json("PUT", body, `http://localhost/api/workflows/${id}`),
    routeContext(id),
  );
  expect(res.status).toBe(200);
}

async function publish(id: string, visibility: "link" | "public"): Promise<void> {
  const res = await share.PUT(
    json("PUT", { visibility }, `http://localhost/api/workflows/${id}/share`),
    routeContext(id),
  );
  expect(res.status).toBe(200);
}

let sourceRows: Record<string, unknown[]>;
let fullBackup: string;

beforeAll(async () => {
  collection = await import("@/app/api/workflows/route");
  item = await import("@/app/api/workflows/[id]/route");
  share = await import("@/app/api/workflows/[id]/share/route");
  upload = await import("@/app/api/assets/route");
  const { getPrisma } = await import("@/app/_server/db");
  const { putAsset } = await import("@/app/_server/assets");
  const prisma = getPrisma();

  // Workflows with histories, tags, thumbnails and both kinds of share.
  const tryOn = await createWorkflow("Try-on", {
    description: "three saves, shared by link — ünïcödé ✓",
    tags: ["demo", "try-on"],
    thumbnail: PNG_BASE64,
  });
  for (let v = 2; v <= 4; v++) {
    await saveVersion(tryOn, {
      document: doc(`Try-on v${v}`, `edit ${v}`),
      message: `save ${v}`,
      thumbnail: PNG_BASE64,
    });
  }
  await publish(tryOn, "link");
  const gallery = await createWorkflow("Gallery piece", { tags: ["public"] });
  await saveVersion(gallery, { document: doc("Gallery piece v2") });
  await publish(gallery, "public");
  await createWorkflow("Private draft");

  // Uploaded images: one through the route, one larger than a page (several KB of random bytes).
  const png = Buffer.from(PNG_BASE64, "base64");
  const res = await upload.POST(
    new Request("http://localhost/api/assets", {
      method: "POST",
      headers: { "content-type": "image/png" },
      body: new Uint8Array(png),
    }),
  );
  expect(res.status).toBe(201);
  const large = new Uint8Array(Buffer.concat([png.subarray(0, 8), randomBytes(300 * 1024)]));
  await putAsset(prisma, large, "image/png");

  // Accounts: a user with a session, a password account and a workflow of their own.
  const user = await prisma.user.create({
    data: { id: "user-1", name: "Ada", email: "ada@example.test", emailVerified: true },
  });
  await prisma.session.create({
    data: {
      id: "session-1",
      token: "tok-1",
      userId: user.id,
      expiresAt: new Date("2030-01-01T00:00:00Z"),
      userAgent: "vitest",
    },
  });
  await prisma.account.create({
    data: {
      id: "account-1",
      accountId: user.id,
      providerId: "credential",
      userId: user.id,
      password: "scrypt$not-a-real-hash",
    },
  });
  await prisma.workflow.create({
    data: {
      name: "Ada's own",
      document: JSON.stringify(doc("Ada's own")),
      nodeCount: 2,
      ownerId: user.id,
      versions: { create: { version: 1, document: JSON.stringify(doc("Ada's own")) } },
    },
  });

  sourceRows = await readRows(db.url);
  fullBackup = backupPath("full.tar");
}, 60_000);

// ---------------------------------------------------------------------------------------------

describe(`db:backup and db:restore on ${provider}`, () => {
  it("backs up from the command line and says what it did", async () => {
    // The library is not trivially empty: the comparison below has something to compare.
    expect(sourceRows.Workflow).toHaveLength(4);
    expect(sourceRows.WorkflowVersion).toHaveLength(4 + 2 + 1 + 1);
    expect(sourceRows.Asset).toHaveLength(2);
    expect(
      (sourceRows.Workflow as { shareToken: string | null }[]).filter((w) => w.shareToken),
    ).toHaveLength(2);
    expect(
      (sourceRows.Workflow as { thumbnail: Buffer | null }[]).filter((w) => w.thumbnail),
    ).toHaveLength(1);

    const result = await cli("backup", [fullBackup], db.url);
    expect(result.stderr).toBe("");
    expect(result.code).toBe(0);
    expect(result.stdout).toContain(`wrote ${fullBackup}`);
    expect(result.stdout).toMatch(/rows: .*Asset 2.*Workflow 4/);
    expect(result.stdout).toContain("not included: models");
    if (provider === "sqlite") {
      // The test database was opened by the app above, which turned on WAL.
      expect(result.stdout).toContain("journal_mode=wal");
    } else {
      expect(result.stdout).toMatch(/dumping with .*pg_dump \(15\./);
    }
    const manifest = JSON.parse(
      execFileSync("tar", ["-xOf", fullBackup, "manifest.json"], { encoding: "utf8" }),
    ) as { tables: Record<string, number>; latestMigration: string; provider: string };
    expect(manifest.provider).toBe(provider);
    expect(manifest.tables.Workflow).toBe(4);
    expect(manifest.latestMigration).toBe(
      readdirSync(path.join(ROOT, "prisma/migrations"))
        .filter((n) => n !== "migration_lock.toml")
        .sort()
        .at(-1),
    );
  }, 60_000);

  it("restores into a fresh database: every row of every table, byte for byte", async () => {
    const target = await freshDatabase(provider === "sqlite" ? "none" : "all");
    const result = await cli("restore", [fullBackup], target);
    expect(result.stderr).toBe("");
    expect(result.code).toBe(0);
    expect(result.stdout).toContain("row counts match the manifest");
    expect(await readRows(target)).toEqual(sourceRows);
    expect(await migrationsOf(target)).toEqual(await migrationsOf(db.url));
  }, 60_000);

  it("refuses a database that is not empty without --force, and replaces it with", async () => {
    const target = await freshDatabase();
    expect((await cli("restore", [fullBackup], target)).code).toBe(0);
    await addStrayAsset(target);
    const before = await readRows(target);

    const refused = await cli("restore", [fullBackup], target);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/is not empty \(.*Asset 3.*\).*--force/);
    expect(await readRows(target)).toEqual(before);

    const forced = await cli("restore", [fullBackup, "--force"], target);
    expect(forced.stderr).toBe("");
    expect(forced.code).toBe(0);
    expect(forced.stdout).toContain("--force: replacing");
    expect(await readRows(target)).toEqual(sourceRows);
  }, 90_000);

  it("refuses a truncated or altered backup and leaves the target untouched, even with --force", async () => {
    const target = await freshDatabase();
    await addStrayAsset(target);
    const before = await readRows(target);
    const whole = readFileSync(fullBackup);

    const truncated = backupPath("truncated.tar");
    writeFileSync(truncated, whole.subarray(0, Math.floor(whole.length / 2)));
    const cut = await cli("restore", [truncated, "--force"], target);
    expect(cut.code).toBe(1);
    expect(cut.stderr).toMatch(/truncated\.tar is (damaged or truncated|not a readable backup)/);
    expect(cut.stderr).not.toMatch(/at .*\.ts:\d+/); // a sentence, not a stack trace

    const altered = backupPath("altered.tar");
    const copy = Buffer.from(whole);
    copy[Math.floor(copy.length * 0.75)] ^= 0x55;
    writeFileSync(altered, copy);
    const flipped = await cli("restore", [altered, "--force"], target);
    expect(flipped.code).toBe(1);
    expect(flipped.stderr).toMatch(/altered\.tar is damaged/);

    const notBackup = backupPath("notes.txt");
    writeFileSync(notBackup, "these are not the bytes you are looking for\n");
    const foreign = await cli("restore", [notBackup, "--force"], target);
    expect(foreign.code).toBe(1);
    expect(foreign.stderr).toMatch(/notes\.txt is not a readable backup archive/);

    expect(await readRows(target)).toEqual(before);
  }, 90_000);

  it("refuses a database file that is damaged inside a consistent archive, touching nothing", async () => {
    // Checksums match here: what refuses it is SQLite's integrity check or pg_restore, before
    // the target is written.
    const damaged = backupPath("damaged-inside.tar");
    await repack(fullBackup, damaged, (_manifest, dbFile) => {
      const bytes = readFileSync(dbFile);
      writeFileSync(dbFile, bytes.subarray(0, Math.floor(bytes.length * 0.6)));
    });
    const target = await freshDatabase();
    await addStrayAsset(target);
    const before = await readRows(target);
    const { restoreBackup } = await import("@/tools/db/restore-backup");
    const err = await restoreBackup({ archive: damaged, databaseUrl: target, force: true }).catch(
      (e: unknown) => e,
    );
    expect((err as Error).name).toBe("BackupError");
    expect((err as Error).message).toMatch(
      provider === "sqlite"
        ? /database in the backup (is damaged|does not match its manifest)/
        : /database dump in the backup cannot be read/,
    );
    expect(await readRows(target)).toEqual(before);
  }, 60_000);

  it("checks the restored row counts against the manifest, and on a mismatch keeps the target", async () => {
    const miscounted = backupPath("miscounted.tar");
    await repack(fullBackup, miscounted, (manifest) => {
      const tables = manifest.tables as Record<string, number>;
      tables.Asset += 1;
    });
    const target = await freshDatabase();
    await addStrayAsset(target);
    const before = await readRows(target);
    const result = await cli("restore", [miscounted, "--force"], target);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(
      provider === "sqlite"
        ? /does not match its manifest: table Asset has 2 rows, the manifest says 3/
        : /rolled back; the database is as it was: .*table Asset has 2 rows after the restore, the manifest says 3/,
    );
    expect(await readRows(target)).toEqual(before);
  }, 60_000);

  it("refuses a backup from a newer schema, naming the migration it does not know", async () => {
    const newer = backupPath("newer.tar");
    await repack(fullBackup, newer, (manifest) => {
      manifest.migrations = [
        ...(manifest.migrations as string[]),
        "99990101000000_from_the_future",
      ];
      manifest.latestMigration = "99990101000000_from_the_future";
    });
    const target = await freshDatabase();
    const before = await readRows(target);
    const result = await cli("restore", [newer], target);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(
      "newer schema: migration 99990101000000_from_the_future is unknown to this studio",
    );
    expect(await readRows(target)).toEqual(before);
  }, 60_000);

  it("restores a backup from an older schema and applies the migrations since", async () => {
    const names = readdirSync(path.join(ROOT, "prisma/migrations"))
      .filter((n) => n !== "migration_lock.toml")
      .sort();
    const old = await freshDatabase(names.slice(0, 1));
    // A workflow as the first schema stored it (no sharing or owner columns yet).
    if (old.startsWith("file:")) {
      const sqlite = new Database(old.slice("file:".length));
      sqlite.exec(`INSERT INTO "Workflow" (id, name, document, "nodeCount", "updatedAt")
        VALUES ('old-1', 'From long ago', '{}', 0, '2026-01-01T00:00:00.000Z');
        INSERT INTO "WorkflowVersion" (id, "workflowId", version, document)
        VALUES ('old-v1', 'old-1', 1, '{}');`);
      sqlite.close();
    } else {
      const client = new pg.Client({ connectionString: old });
      await client.connect();
      await client.query(`INSERT INTO "Workflow" (id, name, document, "nodeCount", "updatedAt")
        VALUES ('old-1', 'From long ago', '{}', 0, '2026-01-01T00:00:00.000Z');
        INSERT INTO "WorkflowVersion" (id, "workflowId", version, document)
        VALUES ('old-v1', 'old-1', 1, '{}');`);
      await client.end();
    }
    const oldBackup = backupPath("old-schema.tar");
    expect((await cli("backup", [oldBackup], old)).code).toBe(0);

    const target = await freshDatabase("none");
    const result = await cli("restore", [oldBackup], target);
    expect(result.stderr).toBe("");
    expect(result.code).toBe(0);
    expect(result.stdout).toContain(`applying ${names.length - 1} migration(s)`);
    expect(await migrationsOf(target)).toEqual(names);
    const rows = await readRows(target);
    expect(rows.Workflow).toEqual([
      expect.objectContaining({ id: "old-1", name: "From long ago", visibility: "private" }),
    ]);
    expect(rows.WorkflowVersion).toHaveLength(1);
    expect(rows).toHaveProperty("user"); // the accounts tables came with the migrations
  }, 90_000);

  it("prints its help and refuses bad arguments with the usage", async () => {
    const help = await cli("restore", ["--help"], db.url);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain("Usage: npm run db:restore -- <backup.tar> [--force]");
    const bad = await cli("backup", ["--frobnicate"], db.url);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain("Usage: npm run db:backup");
    const taken = await cli("backup", [fullBackup], db.url);
    expect(taken.code).toBe(1);
    expect(taken.stderr).toContain("already exists");
  }, 60_000);
});

// ---------------------------------------------------------------------------------------------

/**
 * A writer in another process saves continuously (each save: bump the workflow's latestVersion and
 * add that version, in one transaction, as the studio does) while the CLI backs up. A torn copy
 * would show a workflow whose versions disagree with its latestVersion, or counts that disagree
 * with the manifest (which the restore checks); a copy that missed the -wal file would lack the
 * saves made before the backup started.
 */
const WRITER = `
const Database = require(process.env.BETTER_SQLITE3);
const fs = require("node:fs");
const db = new Database(process.env.DB_FILE, { timeout: 5000 });
db.pragma("journal_mode = WAL");
// Nothing moves into the main file while the writer runs: the saves live only in the -wal file,
// so a backup that copied the main file would miss them all.
db.pragma("wal_autocheckpoint = 0");
const doc = JSON.stringify({ notes: "x".repeat(3000) });
const insertWorkflow = db.prepare('INSERT INTO "Workflow" (id, name, document, "nodeCount", "updatedAt") VALUES (?, ?, ?, 0, CURRENT_TIMESTAMP)');
const insertVersion = db.prepare('INSERT INTO "WorkflowVersion" (id, "workflowId", version, document) VALUES (?, ?, ?, ?)');
const bump = db.prepare('UPDATE "Workflow" SET "latestVersion" = "latestVersion" + 1, "updatedAt" = CURRENT_TIMESTAMP WHERE id = ? RETURNING "latestVersion" AS v');
const save = db.transaction((i) => {
  const id = "w" + (i % 25);
  if (i < 25) { insertWorkflow.run(id, "W" + i, doc); insertVersion.run("v" + i, id, 1, doc); }
  else insertVersion.run("v" + i, id, bump.get(id).v, doc);
});
const pause = new Int32Array(new SharedArrayBuffer(4));
const end = Date.now() + 60000;
let i = 0;
while (Date.now() < end && !fs.existsSync(process.env.STOP_FILE)) {
  save(i++);
  if (i === 200) console.log("ready");
  Atomics.wait(pause, 0, 0, 1);
}
console.log("saves " + i);
`;

describe.skipIf(provider !== "sqlite")("db:backup while the studio writes (SQLite)", () => {
  it("takes a consistent snapshot without stopping the writer", async () => {
    const sourceUrl = await freshDatabase();
    const file = sourceUrl.slice("file:".length);
    const stopFile = path.join(db.dir, "stop-writer");
    const writer = spawn(process.execPath, ["-e", WRITER], {
      env: {
        ...process.env,
        BETTER_SQLITE3: path.join(ROOT, "node_modules/better-sqlite3"),
        DB_FILE: file,
        STOP_FILE: stopFile,
      },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let out = "";
    writer.stdout.setEncoding("utf8").on("data", (chunk: string) => (out += chunk));
    writer.stderr.setEncoding("utf8").on("data", (chunk: string) => (out += chunk));
    const exited = new Promise<number | null>((resolve) => writer.on("close", resolve));
    await expect.poll(() => out, { timeout: 20_000 }).toContain("ready");

    const versionsNow = () => {
      const sqlite = new Database(file, { readonly: true, timeout: 5000 });
      const n = sqlite.prepare(`SELECT count(*) FROM "WorkflowVersion"`).pluck().get() as number;
      sqlite.close();
      return n;
    };
    const before = versionsNow();
    const archive = backupPath("during-writes.tar");
    const backup = await cli("backup", [archive], sourceUrl);
    const after = versionsNow();
    writeFileSync(stopFile, "");
    expect(await exited).toBe(0);
    expect(backup.stderr).toBe("");
    expect(backup.code).toBe(0);
    expect(backup.stdout).toContain("journal_mode=wal");
    // The writer kept saving while the backup ran, and was never blocked into failing.
    expect(after).toBeGreaterThan(before);
    expect(out).toMatch(/saves \d+/);
    expect(statSync(archive).size).toBeGreaterThan(0);

    const target = await freshDatabase("none");
    const restored = await cli("restore", [archive], target);
    expect(restored.stderr).toBe("");
    expect(restored.code).toBe(0);
    const rows = await readRows(target);
    const versions = rows.WorkflowVersion as { workflowId: string; version: number }[];
    expect(versions.length).toBeGreaterThanOrEqual(before);
    expect(versions.length).toBeLessThanOrEqual(after);
    for (const w of rows.Workflow as { id: string; latestVersion: number }[]) {
      const own = versions
        .filter((v) => v.workflowId === w.id)
        .map((v) => v.version)
        .sort((a, b) => a - b);
      expect(own, `versions of ${w.id}`).toEqual(
        Array.from({ length: w.latestVersion }, (_, k) => k + 1),
      );
    }
  }, 120_000);
});
