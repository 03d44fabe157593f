/**
 * Applies prisma/postgres/migrations to a PostgreSQL database. `prisma migrate deploy` cannot do
 * it on these machines: the bundled wasm schema engine fails over the pg driver adapter ("Column
 * type 'name' could not be deserialized", prisma/orm#27403) and the native engine cannot be
 * downloaded. The SQL itself is Prisma's (`prisma migrate diff` writes it; see prisma/README.md),
 * applied in name order, each in one transaction with its record, under an advisory lock so two
 * processes starting together do not both apply it. A migration edited after it was applied is
 * refused by its checksum rather than silently skipped.
 */
import { createHash } from "node:crypto";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import pg from "pg";

export const POSTGRES_MIGRATIONS = fileURLToPath(
  new URL("../../prisma/postgres/migrations", import.meta.url),
);

/** Any fixed number: the lock only has to be the same one in every process of this app. */
const LOCK_KEY = 7_140_317;

export interface Migration {
  readonly name: string;
  readonly sql: string;
  readonly checksum: string;
}

export function readMigrations(folder = POSTGRES_MIGRATIONS): Migration[] {
  return readdirSync(folder)
    .filter((name) => existsSync(path.join(folder, name, "migration.sql")))
    .sort()
    .map((name) => {
      const sql = readFileSync(path.join(folder, name, "migration.sql"), "utf8");
      return { name, sql, checksum: createHash("sha256").update(sql).digest("hex") };
    });
}

/** Applies the pending migrations; returns the names it applied. */
export async function migratePostgres(
  connectionString: string,
  migrations = readMigrations(),
): Promise<string[]> {
  const client = new pg.Client({ connectionString });
  await client.connect();
  try {
    await client.query("SELECT pg_advisory_lock($1)", [LOCK_KEY]);
    await client.query(`CREATE TABLE IF NOT EXISTS "_leffa_migrations" (
      "name" TEXT PRIMARY KEY, "checksum" TEXT NOT NULL,
      "appliedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP)`);
    const done = new Map(
      (
        await client.query<{ name: string; checksum: string }>(
          `SELECT "name", "checksum" FROM "_leffa_migrations"`,
        )
      ).rows.map((r) => [r.name, r.checksum]),
    );
    const applied: string[] = [];
    for (const m of migrations) {
      const previous = done.get(m.name);
      if (previous !== undefined) {
        if (previous !== m.checksum) {
          throw new Error(
            `migration ${m.name} was changed after it was applied to this database; ` +
              "add a new migration instead of editing an applied one",
          );
        }
        continue;
      }
      await client.query("BEGIN");
      try {
        await client.query(m.sql);
        await client.query(`INSERT INTO "_leffa_migrations" ("name", "checksum") VALUES ($1, $2)`, [
          m.name,
          m.checksum,
        ]);
        await client.query("COMMIT");
      } catch (err) {
        await client.query("ROLLBACK");
        throw new Error(`migration ${m.name} failed: ${(err as Error).message}`, { cause: err });
      }
      applied.push(m.name);
    }
    return applied;
  } finally {
    await client.end();
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const url = process.env.DATABASE_URL ?? "";
  if (!/^postgres(ql)?:\/\//.test(url)) {
    console.error("migrate-postgres: DATABASE_URL must be a postgres:// URL");
    process.exit(1);
  }
  const applied = await migratePostgres(url);
  console.log(
    applied.length > 0
      ? `applied ${applied.length} migration(s): ${applied.join(", ")}`
      : "PostgreSQL schema is up to date",
  );
}
