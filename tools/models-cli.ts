/**
 * `npm run models -- list | install <id>… | verify [<id>…] | remove <id>… | convert <what> --from <file>
 * | make-tiny <id>`:
 * the command-line face of the model store. Progress goes to stderr (one line per file), results
 * to stdout. Exit codes: 0 ok, 1 failure, 2 usage.
 */
import { mkdir, writeFile } from "node:fs/promises";
import path from "node:path";
import { getModel, UnknownModelError } from "../models/manifest";
import type { ModelEntry } from "../models/manifest/schema";
import {
  humanBytes,
  installModel,
  InstallError,
  listModels,
  removeModel,
  verifyModel,
  type InstallProgress,
} from "../models/install";
import { ConversionError } from "../models/install/converted";
import { progressLine, progressStep } from "../models/install/format";
import { modelsDir, type InstalledRecord } from "../models/store";

const USAGE = `usage: npm run models -- <command>

  list                          every known model: id, task, size, licence, installed or missing
  install <id>...               download or extract, build, verify and store the model(s)
  verify [<id>...]              re-hash installed files (every installed model when no id)
  remove <id>...                delete installed model(s)
  convert leffa-vton --from <virtual_tryon.pth> [--variant hd|dc] [--dtype fp16|fp32]
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

function table(rows: string[][]): string {
  const widths = rows[0].map((_, c) => Math.max(...rows.map((r) => r[c].length)));
  return rows
    .map((r) =>
      r
        .map((cell, c) => cell.padEnd(widths[c]))
        .join("  ")
        .trimEnd(),
    )
    .join("\n");
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
  console.log(table(rows));
  console.log(`\nstore: ${modelsDir()}`);
  return 0;
}

async function install(ids: string[], signal: AbortSignal): Promise<number> {
  if (ids.length === 0) throw new UsageError("install needs at least one model id");
  const reporter = new ProgressReporter();
  for (const id of ids) {
    const notice = getModel(id).licence.notice;
    if (notice) console.error(`${id}: licence ${getModel(id).licence.spdx}. ${notice}`);
    console.error(`installing ${id}`);
    const record = await installModel(id, { signal, onProgress: (p) => reporter.update(p) });
    reporter.newLine();
    const total = record.files.reduce((sum, f) => sum + f.bytes, 0);
    console.log(
      `${id}: installed (${record.files.length} files, ${humanBytes(total)}) in ${path.join(modelsDir(), id)}`,
    );
  }
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

async function convert(args: string[]): Promise<number> {
  const { options, positional } = parseOptions(args, [
    "from",
    "variant",
    "dtype",
    "flow-layers",
    "scheduler-config",
    "attention",
  ]);
  const [what, ...extra] = positional;
  if (extra.length > 0) throw new UsageError(`unexpected argument "${extra[0]}"`);
  const from = options.get("from");
  if (from === undefined) throw new UsageError("convert needs --from <checkpoint file>");
  const started = Date.now();
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
      case "install":
        return await install(rest, signal);
      case "verify":
        return await verify(rest);
      case "remove":
        return await remove(rest);
      case "convert":
        return await convert(rest);
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
      err instanceof ConversionError
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
