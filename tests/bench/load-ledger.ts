/**
 * The lost-update check. Every save the bench sends carries a unique marker in its document; the
 * ledger is what the server acknowledged (200 with a version number) and what it left in doubt
 * (no answer, or an error: the save may or may not have been stored). After the run, the rows in
 * the database must agree: each acknowledged version is there holding that very save, no version
 * number was handed out twice, the versions run 1..latest without a gap, the workflow's current
 * document is its latest version's, and the latest version is the highest acknowledged one (or a
 * save left in doubt). Pure, so it has tests (load-ledger.test.ts).
 */

/** The server said: this save is version `version` of the workflow. */
export interface Ack {
  readonly workflowId: string;
  readonly version: number;
  /** The marker the save carried; null where the bench did not write the document (a fork). */
  readonly marker: string | null;
}

/** A save whose outcome the bench cannot know. */
export interface InDoubt {
  readonly workflowId: string;
  readonly marker: string;
}

/** A row of the versions table, with the marker read from its document (null if none). */
export interface VersionRow {
  readonly workflowId: string;
  readonly version: number;
  readonly marker: string | null;
}

/** A row of the workflows table. */
export interface WorkflowRow {
  readonly id: string;
  readonly latestVersion: number;
  readonly marker: string | null;
}

export interface LedgerReport {
  readonly acknowledged: number;
  readonly workflows: number;
  /** Each a sentence naming the workflow and version; empty when nothing was lost. */
  readonly problems: string[];
}

function key(workflowId: string, version: number): string {
  return `${workflowId}@${version}`;
}

export function checkLedger(
  acks: readonly Ack[],
  inDoubt: readonly InDoubt[],
  versions: readonly VersionRow[],
  workflows: readonly WorkflowRow[],
): LedgerReport {
  const problems: string[] = [];
  const rows = new Map(versions.map((v) => [key(v.workflowId, v.version), v]));
  const seen = new Map<string, Ack>();
  const highestAck = new Map<string, number>();

  for (const ack of acks) {
    const k = key(ack.workflowId, ack.version);
    const twice = seen.get(k);
    if (twice) {
      problems.push(
        `${ack.workflowId} v${ack.version} was acknowledged twice ` +
          `(saves ${twice.marker} and ${ack.marker}): one of them is lost`,
      );
    }
    seen.set(k, ack);
    highestAck.set(ack.workflowId, Math.max(highestAck.get(ack.workflowId) ?? 0, ack.version));
    const row = rows.get(k);
    if (!row) {
      problems.push(`${ack.workflowId} v${ack.version} was acknowledged but is not stored`);
    } else if (ack.marker !== null && row.marker !== ack.marker) {
      problems.push(
        `${ack.workflowId} v${ack.version} holds save ${row.marker}, ` +
          `but the server acknowledged save ${ack.marker} as that version`,
      );
    }
  }

  const doubtful = new Map<string, Set<string>>();
  for (const d of inDoubt) {
    let set = doubtful.get(d.workflowId);
    if (!set) doubtful.set(d.workflowId, (set = new Set()));
    set.add(d.marker);
  }
  const versionsOf = new Map<string, number[]>();
  for (const v of versions) {
    let list = versionsOf.get(v.workflowId);
    if (!list) versionsOf.set(v.workflowId, (list = []));
    list.push(v.version);
  }
  const byId = new Map(workflows.map((w) => [w.id, w]));

  for (const [id, highest] of highestAck) {
    const workflow = byId.get(id);
    if (!workflow) {
      problems.push(`${id} had acknowledged saves but is no longer in the database`);
      continue;
    }
    const numbers = (versionsOf.get(id) ?? []).sort((a, b) => a - b);
    if (numbers.length !== workflow.latestVersion || numbers.some((n, i) => n !== i + 1)) {
      problems.push(
        `${id} says its latest version is v${workflow.latestVersion} but stores versions ` +
          `${numbers.join(", ")} (expected 1..${workflow.latestVersion})`,
      );
    }
    const latestRow = rows.get(key(id, workflow.latestVersion));
    if (latestRow && latestRow.marker !== workflow.marker) {
      problems.push(
        `${id}'s current document is save ${workflow.marker}, ` +
          `not its latest version's (${latestRow.marker})`,
      );
    }
    if (workflow.latestVersion < highest) {
      problems.push(`${id} is at v${workflow.latestVersion}, below the acknowledged v${highest}`);
    } else if (workflow.latestVersion > highest) {
      // Only a save whose answer never came may have made a newer version than any acknowledged.
      const extra = numbers.filter((n) => n > highest);
      const unexplained = extra.filter((n) => {
        const marker = rows.get(key(id, n))?.marker;
        return marker == null || !doubtful.get(id)?.has(marker);
      });
      if (unexplained.length > 0) {
        problems.push(
          `${id} is at v${workflow.latestVersion}, above the highest acknowledged ` +
            `v${highest}, and v${unexplained.join(", v")} came from no save left in doubt`,
        );
      }
    }
  }
  return { acknowledged: acks.length, workflows: highestAck.size, problems };
}
