/**
 * The studio's embedded queue alone in a process, for the restart test: it takes up the runs the
 * shared SQLite records hold (RUNS_TEST_DB) as the studio does at start, runs them, and exits.
 */
import { createNodeHost } from "../../node-host";
import { EmbeddedRunQueue } from "../embedded-queue";
import { RunExecutor } from "../execute-run";
import { workerName } from "../worker-name";
import { FsAssetStore } from "./fs-assets";
import { SqliteRunRecords } from "./sqlite-records";
import { lookupWithWait } from "./wait-node";

async function main(): Promise<void> {
  const records = new SqliteRunRecords(process.env.RUNS_TEST_DB!);
  const assets = new FsAssetStore(process.env.RUNS_TEST_ASSETS!);
  const executor = new RunExecutor({
    records,
    assets,
    host: { ...createNodeHost({ runtime: "native" }), lookup: lookupWithWait },
    worker: workerName(),
  });
  const queue = await EmbeddedRunQueue.start({ records, backlog: records, executor });
  process.stdout.write(`worker embedded: ${(await records.queuedRunIds()).length} queued\n`);
  await queue.idle();
  await queue.close();
  records.close();
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
