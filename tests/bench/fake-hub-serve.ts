/**
 * Serves files on the fake Hugging Face hub (models/install/testing/fake-hub.ts) from its own
 * process, so a benchmark measures the installer's memory and not the server's:
 * `tsx tests/bench/fake-hub-serve.ts <owner/repo>/<path>=<file>…`. Prints one JSON line
 * `{"endpoint": …}` once listening (after hashing the files), then serves until killed.
 */
import { startFakeHub, type HubRepoSpec } from "../../models/install/testing/fake-hub";

const repos: Record<string, HubRepoSpec> = {};
for (const arg of process.argv.slice(2)) {
  const m = /^([^/]+\/[^/]+)\/([^=]+)=(.+)$/.exec(arg);
  if (!m) throw new Error(`expected <owner/repo>/<path>=<file>, got "${arg}"`);
  (repos[m[1]] ??= { files: {} }).files[m[2]] = { path: m[3] };
}
const hub = await startFakeHub({ repos });
console.log(JSON.stringify({ endpoint: hub.endpoint }));
process.once("SIGTERM", () => void hub.close().then(() => process.exit(0)));
