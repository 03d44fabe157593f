/**
 * `npm run models -- list | plan --workflow <w> | install <id>… | install --workflow <w>
 * | verify [<id>…] | remove <id>… | convert <what> [--from <file>] | make-tiny <id>`:
 * the command-line face of the model store. Progress goes to stderr (one line per file), results
 * to stdout. Exit codes: 0 ok, 1 failure, 2 usage.
 */
import { mkdir, writeFile } from "node:fs/promises";
import path from "node:path";
import { findModel, getModel, UnknownModelError } from "../models/manifest";
import type { ModelEntry } from "../models/manifest/schema";
import {
  humanBytes,
  InstallError,
  listModels,
  removeModel,
  verifyModel,
  type InstallProgress,
} from "../models/install";
import { ConversionError } from "../models/install/converted";
import { deleteCheckpoint, fetchCheckpoint } from "../models/install/checkpoint";
import { planInstall } from "../models/install/plan";
import { planText } from "../models/install/plan-text";
import { runPlan } from "../models/install/run-plan";
import { acquireStoreLock, type StoreLock } from "../models/install/store-lock";
import { WorkflowNotFoundError } from "./workflow-source";
import { progressLine, progressStep, textTable } from "../models/install/format";
import { modelsDir, readInstalled, type InstalledRecord } from "../models/store";

const USAGE = `usage: npm run models -- <command>

  list                          every known model: id, task, size, licence, installed or missing
  plan --workflow <w>           what installing a workflow's models takes: per model its licence,
                                bytes to download, disk at the peak and on disk, download or
                                conversion. <w>: a template name ("Virtual try-on"), a
                                workflow .json/.png file, or a saved workflow's id
  install --workflow <w> [--keep-checkpoint]
                                show that plan and install it: downloads, and conversions that
                                fetch their own checkpoint (resumable, verified; deleted once
                                converted unless --keep-checkpoint)
  install <id>... [--keep-checkpoint]
                                download or extract (or download a checkpoint and convert),
                                build, verify and store the model(s)
  verify [<id>...]              re-hash installed files (every installed model when no id)
  remove <id>...                delete installed model(s)
  convert leffa-vton [--from <virtual_tryon.pth>] [--variant hd|dc] [--dtype fp16|fp32]
                     [--flow-layers 13,14,15|none] [--scheduler-config <file>]
                     [--attention fused|chunked]
                                convert Leffa's try-on checkpoint into its four graphs;
                                --flow-layers: generative-UNet layers (0-15) that also output
                                queries and keys for the flow view (default 13,14,15);
                                --scheduler-config: the base folder's scheduler_config.json
                                (default: the one Leffa's repository holds);
                                --attention: one com.microsoft MultiHeadAttention per attention
                                (fused, the default) or query-chunked standard ops (chunked)
  convert leffa-pose --from <pose_transfer.pth> [--dtype fp16|fp32] [--flow-layers 65,67,69|none]
                     [--scheduler-config <file>] [--attention fused|chunked]
                                convert Leffa's SDXL pose-transfer checkpoint (5.2 B parameters)
                                into its four graphs (the VAE stays fp32); flow layers 0-69
  convert densepose --from <model_final_162be9.pkl>
                                convert detectron2's DensePose R50-FPN into one graph
  convert openpose-body --from <body_pose_model.pth>
                                convert the CMU OpenPose body model (ControlNet annotator
                                copy; non-commercial licence) into one graph
  make-tiny <id> [--out <file>] [--seed <n>]
                                write a tiny random-weight model with <id>'s contract
                                (default <store>/tiny/<id>.onnx)

Without --from, convert downloads the checkpoint itself into <store>/.downloads/ (resumed after
an interruption, verified) and deletes it afterwards unless --keep-checkpoint.
Downloads from Hugging Face honour HF_ENDPOINT (a mirror) and HF_TOKEN (gated repositories).
The store is $MODELS_DIR, or models/store.`;

class UsageError extends Error {}

/** Draws one progress line per file and phase on stderr: redrawn in place on a terminal, every 10 % otherwise. */
class ProgressReporter {
  private key = "";
  private step = -1;
  private lastDraw = 0;
  private lastLine = "";
  constructor(private readonly out: NodeJS.WriteStream = process.stderr) {}

  update(p: InstallProgress): void {
    const key = `${p.modelId}/${p.file}/${p.phase}`;
    const line = progressLine(p.file, p.phase, p.bytes, p.total);
    const done = p.total !== null && p.bytes >= p.total;
    if (this.out.isTTY) {
      if (key !== this.key) this.newLine();
      const now = Date.now();
      if (key === this.key && !done && now - this.lastDraw < 100) return;
      this.key = key;
      this.lastDraw = now;
      this.out.write(`\r${line.padEnd(this.lastLine.length)}`);
      this.lastLine = line;
      return;
    }
    const step = progressStep(p.bytes, p.total);
    if (key === this.key && step === this.step) return;
    this.key = key;
    this.step = step;
    this.out.write(`${line}\n`);
  }

  /** Ends the line being redrawn, if any. */
  newLine(): void {
    if (this.out.isTTY && this.lastLine) this.out.write("\n");
    this.lastLine = "";
    this.key = "";
  }
}

function sizeOf(entry: ModelEntry, installed: InstalledRecord | undefined): string {
  if (installed) return humanBytes(installed.files.reduce((sum, f) => sum + f.bytes, 0));
  const known = entry.files.map((f) => f.bytes);
  if (known.some((b) => b === null)) return "?";
  return humanBytes(known.reduce((sum: number, b) => sum + (b ?? 0), 0));
}

function statusOf(entry: ModelEntry, installed: InstalledRecord | undefined): string {
  if (installed) return "installed";
  if (entry.source.kind === "convert") return "missing (convert)";
  return entry.optional ? "missing (optional)" : "missing";
}

async function list(): Promise<number> {
  const models = await listModels();
  const rows = [["ID", "TASK", "SIZE", "LICENCE", "STATUS"]];
  for (const { entry, installed } of models) {
    const licence =
      entry.licence.spdx +
      (entry.licence.commercial === "yes" ? "" : ` (commercial: ${entry.licence.commercial})`);
    rows.push([
      entry.id,
      entry.task,
      sizeOf(entry, installed),
      licence,
      statusOf(entry, installed),
    ]);
  }
  console.log(textTable(rows));
  console.log(`\nstore: ${modelsDir()}`);
  return 0;
}

/** `--keep-checkpoint` (a flag) taken out of the arguments. */
function takeFlag(args: string[], flag: string): { rest: string[]; set: boolean } {
  return { rest: args.filter((a) => a !== flag), set: args.includes(flag) };
}

/** The model ids a command acts on: `--workflow <w>` (resolved) or the ids given. */
async function targetsOf(
  args: string[],
  command: string,
): Promise<{ ids: string[]; title: string }> {
  const { options, positional } = parseOptions(args, ["workflow"]);
  const spec = options.get("workflow");
  if (spec === undefined) {
    if (positional.length === 0) {
      throw new UsageError(`${command} needs model ids or --workflow <template|file|id>`);
    }
    return { ids: positional, title: positional.join(", ") };
  }
  if (positional.length > 0) throw new UsageError(`give --workflow or model ids, not both`);
  const { resolveWorkflow } = await import("./workflow-source");
  const { workflowModels } = await import("../nodes/core/required-models");
  const { getNodeDefinition } = await import("../nodes");
  const { doc, label } = await resolveWorkflow(spec);
  return { ids: workflowModels(doc, getNodeDefinition), title: `${label}` };
}

async function plan(args: string[], signal: AbortSignal): Promise<number> {
  const { rest, set: keepCheckpoint } = takeFlag(args, "--keep-checkpoint");
  const { ids, title } = await targetsOf(rest, "plan");
  const made = await planInstall(ids, { keepCheckpoint, signal });
  console.log(planText(made, title));
  return made.unknown.length > 0 ? 1 : 0;
}

async function install(args: string[], signal: AbortSignal): Promise<number> {
  const { rest, set: keepCheckpoint } = takeFlag(args, "--keep-checkpoint");
  if (rest.length === 0) throw new UsageError("install needs at least one model id");
  const { ids, title } = await targetsOf(rest, "install");
  const made = await planInstall(ids, { keepCheckpoint, signal });
  if (made.unknown.length > 0) {
    throw new InstallError("unknown-model", `unknown model "${made.unknown.join('", "')}"`);
  }
  // A plan of several models is shown first; one model just installs.
  if (made.items.length > 1) console.error(`${planText(made, title)}\n`);
  const reporter = new ProgressReporter();
  const result = await runPlan(made, {
    signal,
    keepCheckpoint,
    onProgress: (p) => reporter.update(p),
    onStep: (item) => {
      reporter.newLine();
      if (item.licence.notice && made.items.length === 1) {
        console.error(
          `${item.ids.join(", ")}: licence ${item.licence.spdx}. ${item.licence.notice}`,
        );
      }
      console.error(
        item.kind === "convert"
          ? `converting ${item.checkpoint?.name} into ${item.ids.join(", ")}`
          : `installing ${item.ids.join(", ")}`,
      );
    },
  });
  reporter.newLine();
  for (const id of result.installed) {
    const record = await readInstalled(id);
    const total = record?.files.reduce((sum, f) => sum + f.bytes, 0) ?? 0;
    console.log(
      `${id}: installed (${record?.files.length ?? 0} files, ${humanBytes(total)}) in ${path.join(modelsDir(), id)}`,
    );
  }
  for (const id of result.skipped) console.log(`${id}: already installed`);
  return 0;
}

async function verify(ids: string[]): Promise<number> {
  const targets =
    ids.length > 0 ? ids : (await listModels()).filter((m) => m.installed).map((m) => m.entry.id);
  if (targets.length === 0) {
    console.log("no model is installed");
    return 0;
  }
  let failures = 0;
  for (const id of targets) {
    const result = await verifyModel(id);
    if (result.ok) console.log(`${id}: ok`);
    else {
      failures++;
      console.log(`${id}: FAILED`);
      for (const problem of result.problems) console.log(`  ${problem}`);
    }
  }
  if (failures > 0)
    console.error(
      `${failures} model(s) failed verification; reinstall with: npm run models -- install <id>`,
    );
  return failures > 0 ? 1 : 0;
}

async function remove(ids: string[]): Promise<number> {
  if (ids.length === 0) throw new UsageError("remove needs at least one model id");
  for (const id of ids) {
    await removeModel(id);
    console.log(`${id}: removed`);
  }
  return 0;
}

/** `--name value` options plus positional arguments; every option must be one of `known`. */
function parseOptions(
  args: readonly string[],
  known: readonly string[],
): { options: Map<string, string>; positional: string[] } {
  const options = new Map<string, string>();
  const positional: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    if (!arg.startsWith("--")) {
      positional.push(arg);
      continue;
    }
    const name = arg.slice(2);
    if (!known.includes(name)) throw new UsageError(`unknown option ${arg}`);
    const value = args[++i];
    if (value === undefined) throw new UsageError(`${arg} needs a value`);
    options.set(name, value);
  }
  return { options, positional };
}

function choice<T extends string>(name: string, value: string | undefined, allowed: readonly T[]) {
  if (value === undefined) return undefined;
  if (!(allowed as readonly string[]).includes(value)) {
    throw new UsageError(`--${name} must be one of ${allowed.join(", ")}, got "${value}"`);
  }
  return value as T;
}

async function convert(args: string[], signal: AbortSignal): Promise<number> {
  const { rest, set: keepCheckpoint } = takeFlag(args, "--keep-checkpoint");
  const { options, positional } = parseOptions(rest, [
    "from",
    "variant",
    "dtype",
    "flow-layers",
    "scheduler-config",
    "attention",
  ]);
  const [what, ...extra] = positional;
  if (extra.length > 0) throw new UsageError(`unexpected argument "${extra[0]}"`);
  const given = options.get("from");
  if (given !== undefined && keepCheckpoint) {
    throw new UsageError(
      "--keep-checkpoint is for a downloaded checkpoint: --from files are never deleted",
    );
  }
  const started = Date.now();
  const fetched =
    given === undefined ? await downloadCheckpointOf(what, options, signal) : undefined;
  const from = given ?? fetched!.file;
  try {
    const code = await convertFrom(what, from, options, started);
    if (fetched && !keepCheckpoint) await deleteCheckpoint(path.basename(fetched.file));
    return code;
  } finally {
    await fetched?.lock.release();
  }
}

/** The checkpoint `convert <what>` reads, downloaded into the store's .downloads/ (under the install lock). */
async function downloadCheckpointOf(
  what: string | undefined,
  options: Map<string, string>,
  signal: AbortSignal,
): Promise<{ file: string; lock: StoreLock }> {
  const variant = options.get("variant") ?? "hd";
  const id =
    what === "leffa-vton"
      ? `leffa-vton-${variant}-gen-unet`
      : what === "leffa-pose"
        ? "leffa-pose-gen-unet"
        : what === "densepose"
          ? "densepose-r50-fpn"
          : what === "openpose-body"
            ? "openpose-body"
            : undefined;
  const source = id ? findModel(id)?.source : undefined;
  if (!source || source.kind !== "convert") {
    throw new UsageError(
      what === undefined ? "convert needs what to convert" : `cannot convert "${what}"`,
    );
  }
  await mkdir(modelsDir(), { recursive: true });
  const lock = await acquireStoreLock(modelsDir(), `convert ${what}`);
  try {
    const reporter = new ProgressReporter();
    const checkpoint = await fetchCheckpoint(
      { name: source.checkpoint, url: source.checkpointUrl },
      {
        signal,
        onProgress: (phase, bytes, total) =>
          reporter.update({ modelId: id!, file: source.checkpoint, phase, bytes, total }),
      },
    );
    reporter.newLine();
    console.error(
      `${source.checkpoint}: ${humanBytes(checkpoint.bytes)}, sha256 ${checkpoint.sha256} (${checkpoint.checkedAgainst === "hub" ? "as the hub declares it" : checkpoint.checkedAgainst === "pinned" ? "pinned" : "trusted on first use: the hub declared no sha256"})`,
    );
    return { file: checkpoint.file, lock };
  } catch (err) {
    await lock.release();
    throw err;
  }
}

async function convertFrom(
  what: string | undefined,
  from: string,
  options: Map<string, string>,
  started: number,
): Promise<number> {
  const onProgress = (done: number, total: number, message: string) =>
    process.stderr.write(`[${done}/${total}] ${message}\n`);
  // Loaded on demand: the converters pull in the checkpoint readers and the graph builder.
  if (what === "leffa-vton" || what === "leffa-pose") {
    const { convertLeffa, parseFlowLayers } = await import("../models/leffa/convert");
    const flowText = options.get("flow-layers");
    if (what === "leffa-pose" && options.has("variant")) {
      throw new UsageError("convert leffa-pose has one variant: drop --variant");
    }
    const result = await convertLeffa({
      from: path.resolve(from),
      variant:
        what === "leffa-pose"
          ? "pose"
          : (choice("variant", options.get("variant"), ["hd", "dc"] as const) ?? "hd"),
      dtype: choice("dtype", options.get("dtype"), ["fp16", "fp32"] as const) ?? "fp16",
      flowLayers: flowText === undefined ? undefined : parseFlowLayers(flowText),
      attention: choice("attention", options.get("attention"), ["fused", "chunked"] as const),
      schedulerConfig: options.has("scheduler-config")
        ? path.resolve(options.get("scheduler-config")!)
        : undefined,
      onProgress,
    });
    console.log(
      `converted ${result.models.join(", ")} (${humanBytes(result.bytes)}) in ${secondsSince(started)}`,
    );
    return 0;
  }
  if (what === "densepose") {
    const leffaOnly = ["variant", "dtype", "flow-layers", "scheduler-config", "attention"];
    if (leffaOnly.some((o) => options.has(o))) {
      throw new UsageError("convert densepose takes only --from");
    }
    const { convertDensePose } = await import("../models/convert/densepose");
    const result = await convertDensePose({ from: path.resolve(from), onProgress });
    console.log(
      `converted densepose-r50-fpn (${humanBytes(result.bytes)}, ${result.keysUsed} tensors, ` +
        `${result.keysDropped} unused ones dropped) in ${secondsSince(started)}`,
    );
    return 0;
  }
  if (what === "openpose-body") {
    const leffaOnly = ["variant", "dtype", "flow-layers", "scheduler-config", "attention"];
    if (leffaOnly.some((o) => options.has(o))) {
      throw new UsageError("convert openpose-body takes only --from");
    }
    const { convertOpenPoseBody } = await import("../models/convert/openpose");
    const result = await convertOpenPoseBody({ from: path.resolve(from), onProgress });
    console.log(
      `converted openpose-body (${humanBytes(result.bytes)}, ${result.tensors} tensors) in ` +
        secondsSince(started),
    );
    return 0;
  }
  throw new UsageError(
    what === undefined ? "convert needs what to convert" : `cannot convert "${what}"`,
  );
}

function secondsSince(start: number): string {
  return `${((Date.now() - start) / 1000).toFixed(1)} s`;
}

async function makeTiny(args: string[]): Promise<number> {
  let out: string | undefined;
  let seed: number | undefined;
  const ids: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    if (arg === "--out" || arg === "--seed") {
      const value = args[++i];
      if (value === undefined) throw new UsageError(`${arg} needs a value`);
      if (arg === "--out") out = value;
      else {
        seed = Number(value);
        if (!Number.isInteger(seed))
          throw new UsageError(`--seed must be an integer, got "${value}"`);
      }
    } else if (arg.startsWith("--")) throw new UsageError(`unknown option ${arg}`);
    else ids.push(arg);
  }
  if (ids.length !== 1) throw new UsageError("make-tiny needs exactly one model id");
  const entry = getModel(ids[0]);
  // Loaded on demand: only this command needs the ONNX builder.
  const { makeTinyModel } = await import("../models/tiny/make-tiny");
  const bytes = makeTinyModel(entry, seed === undefined ? {} : { seed });
  const file = path.resolve(out ?? path.join(modelsDir(), "tiny", `${entry.id}.onnx`));
  await mkdir(path.dirname(file), { recursive: true });
  await writeFile(file, bytes);
  console.log(`${entry.id}: tiny model written to ${file} (${humanBytes(bytes.length)})`);
  return 0;
}

export async function main(argv: string[], signal: AbortSignal): Promise<number> {
  const [command, ...rest] = argv;
  try {
    switch (command) {
      case "list":
        if (rest.length > 0) throw new UsageError("list takes no arguments");
        return await list();
      case "plan":
        return await plan(rest, signal);
      case "install":
        return await install(rest, signal);
      case "verify":
        return await verify(rest);
      case "remove":
        return await remove(rest);
      case "convert":
        return await convert(rest, signal);
      case "make-tiny":
        return await makeTiny(rest);
      case undefined:
      case "help":
      case "--help":
      case "-h":
        console.log(USAGE);
        return command === undefined ? 2 : 0;
      default:
        throw new UsageError(`unknown command "${command}"`);
    }
  } catch (err) {
    if (err instanceof UsageError) {
      console.error(`error: ${err.message}\n\n${USAGE}`);
      return 2;
    }
    if (
      err instanceof InstallError ||
      err instanceof UnknownModelError ||
      err instanceof ConversionError ||
      err instanceof WorkflowNotFoundError
    ) {
      console.error(`\nerror: ${err.message}`);
      return 1;
    }
    console.error(`\nerror: ${(err as Error).stack ?? err}`);
    return 1;
  }
}

const controller = new AbortController();
process.once("SIGINT", () => {
  console.error("\ncancelling: partial downloads are kept, run the same command again to resume");
  controller.abort();
});
process.exitCode = await main(process.argv.slice(2), controller.signal);
