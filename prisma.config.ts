import { PrismaBetterSQLite3 } from "@prisma/adapter-better-sqlite3";
import { defineConfig } from "prisma/config";

// Relative file paths resolve against the working directory, so run the CLI from the repo root.
const url = process.env.DATABASE_URL ?? "file:./prisma/dev.db";

export default defineConfig({
  experimental: { adapter: true },
  // The wasm schema engine bundled with the CLI, driven through the adapter: nothing is downloaded
  // from binaries.prisma.sh, which this project's machines cannot reach.
  engine: "js",
  adapter: async () => new PrismaBetterSQLite3({ url }),
  schema: "prisma/schema.prisma",
  migrations: { path: "prisma/migrations" },
});
