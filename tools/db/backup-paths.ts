import { existsSync, readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

/** Where db:backup and db:restore find the project's own files, wherever they are run from. */
export const ROOT = fileURLToPath(new URL("../../", import.meta.url));

export function studioVersion(): string {
  return (JSON.parse(readFileSync(path.join(ROOT, "package.json"), "utf8")) as { version: string })
    .version;
}

/**
 * The migrations this code ships for the provider, in order. Both providers' folders hold the
 * same names (prisma/README.md), so a backup's migration list reads the same against either.
 */
export function knownMigrations(provider: "sqlite" | "postgresql"): string[] {
  const folder = path.join(
    ROOT,
    provider === "sqlite" ? "prisma/migrations" : "prisma/postgres/migrations",
  );
  return readdirSync(folder)
    .filter((name) => existsSync(path.join(folder, name, "migration.sql")))
    .sort();
}

/** backups/leffa-sqlite-20261208-101500.tar, in UTC, under the working directory. */
export function defaultBackupPath(provider: string, now = new Date()): string {
  const stamp = now
    .toISOString()
    .replace(/\.\d+Z$/, "")
    .replace(/[-:]/g, "")
    .replace("T", "-");
  return path.resolve("backups", `leffa-${provider}-${stamp}.tar`);
}
