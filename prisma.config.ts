import { PrismaBetterSQLite3 } from "@prisma/adapter-better-sqlite3";
import { PrismaPg } from "@prisma/adapter-pg";
import { defineConfig } from "prisma/config";

// One config for both databases: DATABASE_URL picks SQLite (a file: URL, the default) or
// PostgreSQL (a postgres:// URL), and with it the schema and migration folder of that provider.
// Relative file paths resolve against the working directory, so run the CLI from the repo root.
const url = process.env.DATABASE_URL ?? "file:./prisma/dev.db";
const postgres = /^postgres(ql)?:\/\//.test(url);

export default defineConfig({
  experimental: { adapter: true },
  // The wasm schema engine bundled with the CLI, driven through the adapter: nothing is downloaded
  // from binaries.prisma.sh, which this project's machines cannot reach.
  engine: "js",
  adapter: async () =>
    postgres ? new PrismaPg({ connectionString: url }) : new PrismaBetterSQLite3({ url }),
  schema: postgres ? "prisma/postgres/schema.prisma" : "prisma/schema.prisma",
  migrations: { path: postgres ? "prisma/postgres/migrations" : "prisma/migrations" },
});
