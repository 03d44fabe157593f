/**
 * A worker process for the fault tests and bench:queue: the same runWorkerProcess as
 * `npm run worker`, with the run records in a shared SQLite file and assets in a shared folder
 * (RUNS_TEST_DB, RUNS_TEST_ASSETS), and the test-wait node registered.
 */
import { createNodeHost } from "../../node-host";
import { queueConfig } from "../config";
import { runWorkerProcess } from "../worker-process";
import { FsAssetStore } from "./fs-assets";
import { SqliteRunRecords } from "./sqlite-records";
import { lookupWithWait } from "./wait-node";

const db = process.env.RUNS_TEST_DB;
const assets = process.env.RUNS_TEST_ASSETS;
if (!db || !assets) {
  console.error("RUNS_TEST_DB and RUNS_TEST_ASSETS must name the shared records file and folder");
  process.exit(2);
}
const host = {
  ...createNodeHost({ runtime: queueConfig(process.env).runtime }),
  lookup: lookupWithWait,
};
runWorkerProcess(
  { records: new SqliteRunRecords(db), assets: new FsAssetStore(assets) },
  process.env,
  host,
).catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
