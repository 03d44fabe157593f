import { writeFileSync } from "node:fs";
import path from "node:path";
import pg from "pg";
import { BackupError } from "./backup-error";
import {
  choosePgTool,
  findPgTools,
  libpqConnection,
  majorOfServerVersionNum,
  parsePgVersion,
  runPgTool,
  schemaOf,
  type PgTool,
} from "./pg-tools";

/**
 * PostgreSQL backups with Debian's client programs: pg_dump (custom format) in the snapshot the
 * row counts were read in, and a restore that replaces the schema's tables, loads the dump and
 * checks every count in one transaction, so a failed restore leaves the target as it was.
 */

/** tools/db/migrate-postgres.ts's record of applied migrations; not counted as data. */
const MIGRATIONS_TABLE = "_leffa_migrations";

function quote(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

function literal(value: string): string {
  return `'${value.replaceAll("'", "''")}'`;
}

/** Backups cover the `public` schema, where the studio's migrations put its tables. */
function checkSchema(url: string): string {
  const schema = schemaOf(url);
  if (schema !== "public") {
    throw new BackupError(
      `DATABASE_URL names schema "${schema}"; backups cover the public schema only`,
    );
  }
  return schema;
}

async function withClient<T>(url: string, use: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  try {
    await client.connect();
  } catch (err) {
    throw new BackupError(`cannot connect to PostgreSQL: ${(err as Error).message}`);
  }
  try {
    return await use(client);
  } finally {
    await client.end();
  }
}

async function serverVersion(client: pg.Client): Promise<{ version: string; major: number }> {
  const num = Number(
    (await client.query<{ n: string }>("SELECT current_setting('server_version_num') AS n")).rows[0]
      .n,
  );
  const version = (
    await client.query<{ v: string }>("SELECT current_setting('server_version') AS v")
  ).rows[0].v.split(" ")[0];
  return { version, major: majorOfServerVersionNum(num) };
}

async function tableCounts(client: pg.Client, schema: string): Promise<Record<string, number>> {
  const tables = (
    await client.query<{ name: string }>(
      `SELECT tablename AS name FROM pg_tables WHERE schemaname = $1 AND tablename <> $2 ORDER BY tablename`,
      [schema, MIGRATIONS_TABLE],
    )
  ).rows.map((r) => r.name);
  const counts: Record<string, number> = {};
  for (const table of tables) {
    const { rows } = await client.query<{ n: string }>(
      `SELECT count(*)::bigint AS n FROM ${quote(schema)}.${quote(table)}`,
    );
    counts[table] = Number(rows[0].n);
  }
  return counts;
}

async function appliedMigrations(client: pg.Client, schema: string): Promise<string[] | null> {
  const exists = await client.query(
    `SELECT 1 FROM pg_tables WHERE schemaname = $1 AND tablename = $2`,
    [schema, MIGRATIONS_TABLE],
  );
  if (exists.rowCount === 0) return null;
  const { rows } = await client.query<{ name: string }>(
    `SELECT "name" FROM ${quote(schema)}.${quote(MIGRATIONS_TABLE)} ORDER BY "name"`,
  );
  return rows.map((r) => r.name);
}

export interface PostgresDump {
  readonly serverVersion: string;
  readonly pgDumpVersion: string;
  readonly tables: Record<string, number>;
  readonly migrations: string[];
}

/**
 * Dumps the database into `out`. The counts are read in a repeatable-read transaction whose
 * snapshot pg_dump then uses (`--snapshot`), so the manifest describes exactly the dump even while
 * the studio keeps writing.
 */
export async function dumpPostgres(
  url: string,
  out: string,
  log: (line: string) => void,
): Promise<PostgresDump> {
  const schema = checkSchema(url);
  return withClient(url, async (client) => {
    const server = await serverVersion(client);
    const pgDump = choosePgTool("pg_dump", findPgTools("pg_dump"), {
      minimumMajor: server.major,
      why: `the PostgreSQL ${server.version} server`,
    });
    log(`PostgreSQL ${server.version}, dumping with ${pgDump.path} (${pgDump.version})`);
    await client.query("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY");
    try {
      const snapshot = (await client.query<{ id: string }>("SELECT pg_export_snapshot() AS id"))
        .rows[0].id;
      const migrations = await appliedMigrations(client, schema);
      if (migrations === null) {
        throw new BackupError(
          `the database has no Leffa Studio schema (no ${MIGRATIONS_TABLE} table); run npm run db:deploy first`,
        );
      }
      const tables = await tableCounts(client, schema);
      const conn = libpqConnection(url);
      await runPgTool(
        pgDump,
        [
          "--format=custom",
          "--no-owner",
          "--no-privileges",
          `--snapshot=${snapshot}`,
          `--file=${out}`,
          `--dbname=${conn.url}`,
        ],
        conn.env,
        "pg_dump failed",
      );
      return { serverVersion: server.version, pgDumpVersion: pgDump.version, tables, migrations };
    } finally {
      await client.query("ROLLBACK");
    }
  });
}

/** Rows in the target's data tables (none when the schema is empty). */
export async function postgresTargetRows(url: string): Promise<Record<string, number>> {
  const schema = checkSchema(url);
  return withClient(url, (client) => tableCounts(client, schema));
}

function dropTablesSql(schema: string): string {
  // Every table of the schema, not only the dump's: a target migrated further than the backup
  // would otherwise keep tables the pending migrations then fail to create.
  // Quiet: one NOTICE per cascaded foreign key would bury the one line that matters on failure.
  return `SET client_min_messages = warning;
DO $$
DECLARE t record;
BEGIN
  FOR t IN SELECT tablename FROM pg_tables WHERE schemaname = ${literal(schema)} LOOP
    EXECUTE format('DROP TABLE %I.%I CASCADE', ${literal(schema)}, t.tablename);
  END LOOP;
END $$;
`;
}

function verifyCountsSql(schema: string, expected: Readonly<Record<string, number>>): string {
  const checks = Object.entries(expected).map(([table, rows]) => {
    const name = `${quote(schema)}.${quote(table)}`;
    return `  IF to_regclass(${literal(name)}) IS NULL THEN
    RAISE EXCEPTION 'table % is missing after the restore (the manifest says % rows)', ${literal(table)}, ${rows};
  END IF;
  EXECUTE 'SELECT count(*) FROM ' || ${literal(name)} INTO n;
  IF n <> ${rows} THEN
    RAISE EXCEPTION 'table % has % rows after the restore, the manifest says %', ${literal(table)}, n, ${rows};
  END IF;`;
  });
  return `DO $$
DECLARE n bigint;
BEGIN
${checks.join("\n")}
END $$;
`;
}

/**
 * Restores the dump into `url`'s database. pg_restore first turns the whole archive into SQL (so a
 * damaged archive fails before the target is touched); psql then runs, in one transaction, the
 * dropping of the schema's tables, that SQL and a check of every table's row count against the
 * manifest. Any error rolls all of it back.
 */
export async function restorePostgres(
  url: string,
  dump: string,
  expected: Readonly<Record<string, number>>,
  dumpVersion: string | undefined,
  workDir: string,
  log: (line: string) => void,
): Promise<void> {
  const schema = checkSchema(url);
  const server = await withClient(url, serverVersion);
  // pg_restore reads archives of its own version and older; the server takes the plain SQL.
  const dumpMajor = parsePgVersion(`(PostgreSQL) ${dumpVersion ?? "0"}`)?.major ?? 0;
  const minimumMajor = Math.max(dumpMajor, server.major);
  const why = `the backup's pg_dump ${dumpVersion ?? "?"} or the PostgreSQL ${server.version} server`;
  const pgRestore = choosePgTool("pg_restore", findPgTools("pg_restore"), { minimumMajor, why });
  const psql: PgTool = choosePgTool("psql", findPgTools("psql"), { minimumMajor, why });
  log(`PostgreSQL ${server.version}, restoring with ${pgRestore.path} (${pgRestore.version})`);

  const sql = path.join(workDir, "restore.sql");
  await runPgTool(
    pgRestore,
    ["--no-owner", "--no-privileges", `--file=${sql}`, dump],
    {},
    "the database dump in the backup cannot be read (damaged?)",
  );
  const drop = path.join(workDir, "drop.sql");
  const verify = path.join(workDir, "verify.sql");
  writeFileSync(drop, dropTablesSql(schema));
  writeFileSync(verify, verifyCountsSql(schema, expected));
  const conn = libpqConnection(url);
  await runPgTool(
    psql,
    [
      "--no-psqlrc",
      "--quiet",
      "--set=ON_ERROR_STOP=1",
      "--single-transaction",
      `--file=${drop}`,
      `--file=${sql}`,
      `--file=${verify}`,
      `--dbname=${conn.url}`,
    ],
    conn.env,
    "the restore failed and was rolled back; the database is as it was",
  );
}
