import { execFileSync, spawn } from "node:child_process";
import { existsSync, readdirSync } from "node:fs";
import path from "node:path";
import { BackupError } from "./backup-error";

/**
 * Finding and running PostgreSQL's client programs (pg_dump, pg_restore, psql) for backups.
 * pg_dump refuses a server newer than itself, so the one used must be at least the server's
 * major version; Debian installs each version under /usr/lib/postgresql/<major>/bin, and the
 * pg_dump on PATH is a wrapper that picks one of them.
 */

export type PgToolName = "pg_dump" | "pg_restore" | "psql";

export interface PgTool {
  readonly path: string;
  /** "15.18" */
  readonly version: string;
  readonly major: number;
}

/** The version `<tool> --version` prints ("pg_dump (PostgreSQL) 15.18 (Debian …)"), or null. */
export function parsePgVersion(output: string): { version: string; major: number } | null {
  const match = /\(PostgreSQL\)\s+(\d+)(?:\.(\d+))?/.exec(output);
  if (!match) return null;
  const version = match[2] === undefined ? match[1] : `${match[1]}.${match[2]}`;
  return { version, major: Number(match[1]) };
}

/** The server's major version from `server_version_num` (150018 → 15; 90624 → 9). */
export function majorOfServerVersionNum(num: number): number {
  return Math.floor(num / 10000);
}

/**
 * Picks the client to run: the server's own major version if installed, else the newest one that
 * is new enough; refuses with the package to install when none is.
 */
export function choosePgTool(
  tool: PgToolName,
  found: readonly PgTool[],
  need: { readonly minimumMajor: number; readonly why: string },
): PgTool {
  const install =
    `install Debian's PostgreSQL ${need.minimumMajor} client ` +
    `(apt-get install postgresql-client-${need.minimumMajor}), ` +
    `or set LEFFA_PG_BIN to the folder that holds a ${tool} of version ${need.minimumMajor} or newer`;
  if (found.length === 0) throw new BackupError(`${tool} was not found: ${install}`);
  const exact = found.find((t) => t.major === need.minimumMajor);
  if (exact) return exact;
  const newer = found.filter((t) => t.major > need.minimumMajor).sort((a, b) => a.major - b.major);
  if (newer.length > 0) return newer[0];
  const newest = [...found].sort((a, b) => b.major - a.major)[0];
  throw new BackupError(
    `${tool} ${newest.version} (${newest.path}) is older than ${need.why} (version ${need.minimumMajor}); ${install}`,
  );
}

/**
 * The connection for libpq programs: the URL without its password (handed over in PGPASSWORD, so
 * it does not show in the process list) and without the query parameters only Prisma reads.
 */
export function libpqConnection(databaseUrl: string): { url: string; env: Record<string, string> } {
  const url = new URL(databaseUrl);
  const env: Record<string, string> = {};
  if (url.password) env.PGPASSWORD = decodeURIComponent(url.password);
  url.password = "";
  for (const prismaOnly of [
    "schema",
    "connection_limit",
    "pool_timeout",
    "pgbouncer",
    "statement_cache_size",
    "socket_timeout",
  ]) {
    url.searchParams.delete(prismaOnly);
  }
  return { url: url.toString(), env };
}

/** The schema a Prisma URL names (`?schema=`), "public" when none. */
export function schemaOf(databaseUrl: string): string {
  return new URL(databaseUrl).searchParams.get("schema") ?? "public";
}

function versionOf(file: string): PgTool | null {
  try {
    const parsed = parsePgVersion(
      execFileSync(file, ["--version"], { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] }),
    );
    return parsed && { path: file, ...parsed };
  } catch {
    return null;
  }
}

/** Every runnable copy of `tool`: LEFFA_PG_BIN alone when set, else Debian's folders and PATH. */
export function findPgTools(tool: PgToolName): PgTool[] {
  const dirs: string[] = [];
  if (process.env.LEFFA_PG_BIN) {
    dirs.push(process.env.LEFFA_PG_BIN);
  } else {
    const debian = "/usr/lib/postgresql";
    if (existsSync(debian)) {
      for (const version of readdirSync(debian)) dirs.push(path.join(debian, version, "bin"));
    }
    dirs.push(...(process.env.PATH ?? "").split(path.delimiter).filter(Boolean));
  }
  const tools: PgTool[] = [];
  const seen = new Set<string>();
  for (const dir of dirs) {
    const file = path.join(dir, tool);
    if (seen.has(file) || !existsSync(file)) continue;
    seen.add(file);
    const found = versionOf(file);
    if (found) tools.push(found);
  }
  return tools;
}

/** Runs the program to completion; a non-zero exit becomes a BackupError quoting its stderr. */
export function runPgTool(
  tool: PgTool,
  args: readonly string[],
  env: Readonly<Record<string, string>>,
  failure: string,
): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(tool.path, args, {
      env: { ...process.env, ...env },
      stdio: ["ignore", "ignore", "pipe"],
    });
    let stderr = "";
    child.stderr.setEncoding("utf8");
    child.stderr.on("data", (chunk: string) => {
      // The first few KB say what went wrong; a COPY error can otherwise echo megabytes of data.
      if (stderr.length < 4000) stderr += chunk;
    });
    child.on("error", (err) => reject(new BackupError(`${failure}: ${err.message}`)));
    child.on("close", (code) => {
      if (code === 0) resolve();
      else {
        // psql prefixes each message with its script's temporary path and line: noise here.
        const said = stderr.replace(/^psql:[^\n]*?:\d+: /gm, "").trim();
        const detail = said.slice(0, 2000) || `${path.basename(tool.path)} exited with ${code}`;
        reject(new BackupError(`${failure}: ${detail}`));
      }
    });
  });
}
