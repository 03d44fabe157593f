/**
 * Headless runner:
 * `npm run studio -- run <workflow.json|.png> [--input <nodeId>=<image>]… --out <dir> [--runtime native|wasm]`
 * `npm run studio -- batch <workflow.json|.png> --input <nodeId>=<folder|image>… --out <dir>`
 * (one run per image, two inputs crossed; tools/studio-batch.ts)
 * Runs a saved workflow with the same runtime core as the browser worker and writes every image
 * and file its nodes produce. Exit code 1 when any node failed. Models run on onnxruntime-node's
 * native CPU provider by default: every core, and no 4 GB WebAssembly heap, so it runs what no
 * browser tab can hold (Leffa pose transfer, 7.8 GB of weights); `--runtime wasm` runs them exactly as the
 * browser's WASM fallback does.
 */
import { mkdir, readFile, stat, writeFile } from "node:fs/promises";
import { extname, join } from "node:path";
import { parseArgs } from "node:util";
import { sha256 } from "@noble/hashes/sha2.js";
import { bytesToHex } from "@noble/hashes/utils.js";
import { parseWorkflow, parseWorkflowJson, type WorkflowDocument } from "../nodes/core/document";
import { documentSizeIssue } from "../nodes/core/limits";
import { extractWorkflowFromPng } from "../nodes/lib/png-workflow";
import { nodeCodec } from "../workers/codec/node-codec";
import { createNodeHost } from "../workers/node-host";
import { executeWorkflow } from "../workers/runtime/execute";
import { runLocalBatch } from "./studio-batch";
import { runServerBatch } from "./studio-batch-server";

const USAGE =
  "usage: npm run studio -- run <workflow.json|workflow.png> [--input <nodeId>=<image>]… --out <dir> [--runtime native|wasm]\n" +
  "       npm run studio -- batch <workflow.json|workflow.png> --input <nodeId>=<folder|image> [--input …] --out <dir> [--runtime native|wasm]\n" +
  "       npm run studio -- batch --server <url> [--token <api token>] --workflow <id> --input <nodeId>=<folder|image>… --out <dir>";

/**
 * The workflow in a JSON file or a studio PNG, under the same document limits as the editor and
 * the API (nodes/core/limits.ts): a JSON file over the size limit is refused before it is read.
 */
async function loadDocument(path: string): Promise<WorkflowDocument> {
  if (extname(path).toLowerCase() === ".png") {
    const raw = extractWorkflowFromPng(new Uint8Array(await readFile(path)));
    if (raw === null) throw new Error(`${path} holds no studio workflow`);
    return parseWorkflow(raw);
  }
  const tooLarge = documentSizeIssue((await stat(path)).size, path);
  if (tooLarge) throw new Error(tooLarge);
  return parseWorkflowJson(await readFile(path, "utf8"));
}

async function main(argv: string[]): Promise<number> {
  const { positionals, values } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      input: { type: "string", multiple: true },
      out: { type: "string" },
      runtime: { type: "string", default: "native" },
      server: { type: "string" },
      token: { type: "string" },
      workflow: { type: "string" },
    },
  });
  const [command, file] = positionals;
  const runtime = values.runtime;
  if (command === "batch" && values.server) {
    if (!values.workflow || !values.out) {
      console.error(USAGE);
      return 2;
    }
    const result = await runServerBatch({
      server: values.server,
      token: values.token ?? process.env.LEFFA_TOKEN,
      workflowId: values.workflow,
      inputs: values.input ?? [],
      out: values.out,
    });
    const failed = result.statuses.filter((s) => s !== "done").length;
    console.log(
      `${result.statuses.length - failed} of ${result.statuses.length} runs done; ${result.zip}`,
    );
    return failed ? 1 : 0;
  }
  const known = command === "run" || command === "batch";
  if (!known || !file || !values.out || (runtime !== "native" && runtime !== "wasm")) {
    console.error(USAGE);
    return 2;
  }
  const doc = await loadDocument(file);
  if (command === "batch") {
    const rows = await runLocalBatch({ doc, inputs: values.input ?? [], out: values.out, runtime });
    const failed = rows.filter((r) => r.status !== "done").length;
    console.log(
      `${rows.length - failed} of ${rows.length} runs done; outputs and batch.csv in ${values.out}`,
    );
    return failed ? 1 : 0;
  }
  const assets = new Map<string, Uint8Array>();
  for (const spec of values.input ?? []) {
    const eq = spec.indexOf("=");
    if (eq < 1) throw new Error(`--input expects <nodeId>=<file>, got "${spec}"`);
    const nodeId = spec.slice(0, eq);
    const node = doc.nodes.find((n) => n.id === nodeId);
    if (!node) throw new Error(`--input: no node "${nodeId}" in the workflow`);
    if (node.type !== "load-image")
      throw new Error(`--input: node "${nodeId}" is a ${node.type}, not a load-image`);
    const bytes = new Uint8Array(await readFile(spec.slice(eq + 1)));
    const id = bytesToHex(sha256(bytes));
    assets.set(id, bytes);
    node.params = { ...node.params, image: id };
  }

  const outcome = await executeWorkflow(doc, createNodeHost({ assets, runtime }), {
    runId: "cli",
    onEvent: (e) => {
      if (e.type === "node-status" && e.status !== "queued" && e.status !== "running") {
        const ms = e.elapsedMs !== undefined ? ` (${Math.round(e.elapsedMs)} ms)` : "";
        console.log(`${e.status.padEnd(9)} ${e.nodeId}${ms}${e.message ? `: ${e.message}` : ""}`);
      }
    },
  });

  await mkdir(values.out, { recursive: true });
  let written = 0;
  for (const [nodeId, result] of outcome.results) {
    for (const f of result.ui?.files ?? []) {
      await writeFile(join(values.out, `${nodeId}-${f.name}`), f.bytes);
      written++;
    }
    if (result.ui?.files?.length) continue;
    const images = result.ui?.images ?? [];
    for (const [i, image] of images.entries()) {
      await writeFile(join(values.out, `${nodeId}-${i}.png`), await nodeCodec.encodePng(image));
      written++;
    }
  }
  const s = outcome.stats;
  console.log(
    `${outcome.status}: ${s.ran} ran, ${s.cached} cached, ${s.failed} failed, ${s.skipped} skipped; ${written} file(s) in ${values.out}`,
  );
  return outcome.status === "done" ? 0 : 1;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err: Error) => {
    console.error(`error: ${err.message}`);
    process.exit(2);
  },
);
