import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { MAIN_SCHEMA, POSTGRES_SCHEMA, toPostgresSchema } from "./postgres-schema";
import { readMigrations } from "./migrate-postgres";
import { fileURLToPath } from "node:url";
import { readdirSync } from "node:fs";

describe("the PostgreSQL schema and migrations", () => {
  it("are derived from the main schema (run `npm run db:derive-postgres` after editing it)", () => {
    expect(readFileSync(POSTGRES_SCHEMA, "utf8")).toBe(
      toPostgresSchema(readFileSync(MAIN_SCHEMA, "utf8")),
    );
  });

  it("has one migration for each SQLite migration, with the same names", () => {
    const sqliteFolder = fileURLToPath(new URL("../../prisma/migrations", import.meta.url));
    const sqlite = readdirSync(sqliteFolder).filter((n) => !n.endsWith(".toml"));
    expect(readMigrations().map((m) => m.name)).toEqual(sqlite.sort());
  });

  it("refuses a schema whose shape it does not know", () => {
    expect(() => toPostgresSchema("datasource db {}")).toThrow(/could not derive/);
  });
});
