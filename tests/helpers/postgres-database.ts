import { randomBytes } from "node:crypto";
import pg from "pg";

/**
 * An empty database on a PostgreSQL server (`serverUrl` names any database on it), named for this
 * process, and how to drop it. The API tests and bench:load each work in one of their own.
 */
export async function createPostgresDatabase(
  serverUrl: string,
  prefix = "leffa_test",
): Promise<{ url: string; drop: () => Promise<void> }> {
  const name = `${prefix}_${process.pid}_${randomBytes(3).toString("hex")}`;
  const admin = new pg.Client({ connectionString: serverUrl });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE "${name}"`);
  } finally {
    await admin.end();
  }
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    drop: async () => {
      const client = new pg.Client({ connectionString: serverUrl });
      await client.connect();
      try {
        await client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
      } finally {
        await client.end();
      }
    },
  };
}
