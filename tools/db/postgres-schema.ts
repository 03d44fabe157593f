/**
 * PostgreSQL deployments use the same data model as the embedded SQLite default. Prisma fixes the
 * provider per schema file, so prisma/postgres/schema.prisma is derived from prisma/schema.prisma
 * by this function (only the datasource and the client's output folder differ) and a test keeps
 * the committed copy in step. Run `npm run db:derive-postgres` after editing the main schema, then
 * add the matching migration to both migration folders (see prisma/README.md).
 */
import { readFileSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

const HEADER =
  "// GENERATED from ../schema.prisma by tools/db/postgres-schema.ts (npm run db:derive-postgres).\n" +
  "// Edit the main schema instead; a test fails while the two differ.\n\n";

export function toPostgresSchema(sqliteSchema: string): string {
  const replaced = sqliteSchema
    .replace(/provider = "sqlite"/, 'provider = "postgresql"')
    .replace(/url\s+= "file:\.\/dev\.db"/, 'url      = "postgresql://localhost/leffa"')
    .replace(/output\s+= "\.\/generated\/client"/, 'output     = "../generated/postgres"');
  for (const expected of ['"postgresql"', "postgresql://localhost", "../generated/postgres"]) {
    if (!replaced.includes(expected)) {
      throw new Error(`prisma/schema.prisma changed shape: could not derive ${expected}`);
    }
  }
  return HEADER + replaced;
}

export const MAIN_SCHEMA = fileURLToPath(new URL("../../prisma/schema.prisma", import.meta.url));
export const POSTGRES_SCHEMA = fileURLToPath(
  new URL("../../prisma/postgres/schema.prisma", import.meta.url),
);

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  writeFileSync(POSTGRES_SCHEMA, toPostgresSchema(readFileSync(MAIN_SCHEMA, "utf8")));
  console.log(`wrote ${POSTGRES_SCHEMA}`);
}
