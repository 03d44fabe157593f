/**
 * Reads back, straight from the database tables, what the lost-update check compares with the
 * ledger: every version of the bench's workflows and each workflow's current state.
 */
import pg from "pg";
import type { VersionRow, WorkflowRow } from "./load-ledger";
import { markerOf } from "./load-user";

export async function readStoredSaves(
  databaseUrl: string,
  workflowIds: readonly string[],
): Promise<{ versions: VersionRow[]; workflows: WorkflowRow[] }> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const ids = [...new Set(workflowIds)];
    const versions = await client.query<{ workflowId: string; version: number; document: string }>(
      `SELECT "workflowId", "version", "document" FROM "WorkflowVersion"
       WHERE "workflowId" = ANY($1::text[])`,
      [ids],
    );
    const workflows = await client.query<{ id: string; latestVersion: number; document: string }>(
      `SELECT "id", "latestVersion", "document" FROM "Workflow" WHERE "id" = ANY($1::text[])`,
      [ids],
    );
    return {
      versions: versions.rows.map((r) => ({
        workflowId: r.workflowId,
        version: r.version,
        marker: markerOf(r.document),
      })),
      workflows: workflows.rows.map((r) => ({
        id: r.id,
        latestVersion: r.latestVersion,
        marker: markerOf(r.document),
      })),
    };
  } finally {
    await client.end();
  }
}
