import { describe, expect, it } from "vitest";
import { migratePostgres, readMigrations } from "../../tools/db/migrate-postgres";
import { setupTestDatabase, TEST_POSTGRES_URL } from "./test-db";

/**
 * The PostgreSQL migration runner (prisma migrate cannot run over the pg adapter here). Only in
 * the PostgreSQL pass of the API tests (tests/run-all.sh sets TEST_POSTGRES_URL).
 */
const db = setupTestDatabase();

describe.skipIf(!TEST_POSTGRES_URL)("migrate-postgres", () => {
  it("applies nothing twice, and refuses a migration edited after it was applied", async () => {
    // setupTestDatabase applied them all already.
    expect(await migratePostgres(db.url)).toEqual([]);
    const [first, ...rest] = readMigrations();
    const edited = { ...first, checksum: "0".repeat(64) };
    await expect(migratePostgres(db.url, [edited, ...rest])).rejects.toThrow(
      /was changed after it was applied/,
    );
  });

  it("rolls back a failing migration whole, and records nothing for it", async () => {
    const broken = {
      name: "99990101000000_broken",
      sql: `CREATE TABLE "half_done" ("id" TEXT); SELECT * FROM "no_such_table";`,
      checksum: "f".repeat(64),
    };
    await expect(migratePostgres(db.url, [...readMigrations(), broken])).rejects.toThrow(
      /migration 99990101000000_broken failed/,
    );
    const { default: pg } = await import("pg");
    const client = new pg.Client({ connectionString: db.url });
    await client.connect();
    const tables = await client.query(`SELECT to_regclass('"half_done"') AS t`);
    const recorded = await client.query(
      `SELECT count(*)::int AS n FROM "_leffa_migrations" WHERE "name" = $1`,
      [broken.name],
    );
    await client.end();
    expect(tables.rows[0].t).toBeNull();
    expect(recorded.rows[0].n).toBe(0);
  });
});
