import { graphOutputName } from "../../../models/contract-check";
import { getModel } from "../../../models/manifest";
import type { TensorSpec } from "../../../models/manifest/schema";
import type { RgbaImage } from "../../core/image";
import { CancelledError, NodeError, type ModelSession, type NodeContext } from "../../core/types";
import { addNeck, fillClothHoles } from "./refine";
import { schpInput, schpLabels } from "./schp";
import { SEGFORMER_SIZE, segformerInput, segformerLabels } from "./segformer";

/**
 * Runs a human parser on a (384×512) person image and returns Leffa's label map: 0..17 ATR
 * labels, plus 18 (neck) with SCHP, whose LIP pass finds it.
 */

export type ParserChoice = "schp" | "segformer";

export interface ParseResult {
  /** One label per pixel of the image. */
  readonly labels: Uint8Array;
  /** "model on backend" for each session used, for the node's text. */
  readonly sessions: readonly string[];
}

/** Leffa's parsing_api reads SCHP's fused logits as `session.run(None, …)[1]`: by position. */
const SCHP_LOGITS_INDEX = 1;

/**
 * The loaded graph's name for the contract output `spec`: its position in the graph's outputs
 * where the contract positions it (SCHP), else its name. The session's contract check has
 * already refused a graph whose output at that position is not what the contract says.
 */
function outputName(session: ModelSession, spec: TensorSpec): string {
  if (spec.index === undefined) return spec.name;
  const names = session.outputNames;
  const name = names && graphOutputName(spec, names);
  if (!name) {
    const has = names ? `its outputs are ${names.map((n) => `"${n}"`).join(", ")}` : "no list";
    throw new NodeError(
      `${session.modelId}: cannot read output #${spec.index} ("${spec.name}"): ${has}`,
    );
  }
  return name;
}

/** Runs one session on one float input and reads the contract output `spec` as float32 logits. */
async function runLogits(
  ctx: NodeContext,
  session: ModelSession,
  spec: TensorSpec,
  data: Float32Array,
  dims: readonly number[],
): Promise<{ logits: Float32Array; dims: readonly number[] }> {
  const { inputs } = getModel(session.modelId).contract;
  const name = outputName(session, spec);
  const feeds = { [inputs[0].name]: ctx.tensor("float32", data, dims) };
  const result = await session.run(feeds, { outputs: [name] });
  const output = result[name];
  if (!output) {
    throw new NodeError(`${session.modelId} returned no "${name}" output`);
  }
  const logits = await output.getData();
  output.dispose();
  if (!(logits instanceof Float32Array)) {
    throw new NodeError(`${session.modelId} returned ${output.type} logits; expected float32`);
  }
  return { logits, dims: output.dims };
}

/** The contract's output at `index` (SCHP's fused logits sit at 1). */
function positionedOutput(session: ModelSession, index: number): TensorSpec {
  const spec = getModel(session.modelId).contract.outputs.find((o) => o.index === index);
  if (!spec) throw new NodeError(`${session.modelId}'s contract has no output #${index}`);
  return spec;
}

function describe(session: ModelSession): string {
  return `${session.modelId} on ${session.backend.name}`;
}

function checkCancelled(ctx: NodeContext): void {
  if (ctx.signal.aborted) throw new CancelledError();
}

/** SCHP as Leffa runs it: ATR at 512² with hole filling, LIP at 473² for the neck. */
async function parseWithSchp(ctx: NodeContext, image: RgbaImage): Promise<ParseResult> {
  const { width, height } = image;
  const steps = 4;
  ctx.progress(0, steps, "loading SCHP ATR");
  const atrSession = await ctx.loadModel("schp-atr");
  const lipSession = await ctx.loadModel("schp-lip");
  const passes = [
    { session: atrSession, size: 512 },
    { session: lipSession, size: 473 },
  ];
  const labels: Uint8Array[] = [];
  for (const [i, { session, size }] of passes.entries()) {
    checkCancelled(ctx);
    ctx.progress(1 + i, steps, `parsing with ${session.modelId}`);
    const input = schpInput(image, size);
    const spec = positionedOutput(session, SCHP_LOGITS_INDEX);
    const out = await runLogits(ctx, session, spec, input.data, [1, 3, size, size]);
    checkCancelled(ctx);
    labels.push(schpLabels(out.logits, out.dims, size, width, height));
  }
  ctx.progress(3, steps, "filling holes, adding the neck");
  const atr = fillClothHoles(labels[0], width, height);
  return {
    labels: addNeck(atr, labels[1]),
    sessions: [describe(atrSession), describe(lipSession)],
  };
}

/**
 * SegFormer-B2 clothes: one pass at 512², ATR labels. Leffa's hole filling is applied too (the
 * same label set, the same clean-up); there is no LIP pass, so no neck label.
 */
async function parseWithSegformer(ctx: NodeContext, image: RgbaImage): Promise<ParseResult> {
  const { width, height } = image;
  ctx.progress(0, 3, "loading SegFormer");
  const session = await ctx.loadModel("segformer-b2-clothes");
  checkCancelled(ctx);
  ctx.progress(1, 3, `parsing with ${session.modelId}`);
  const input = segformerInput(image, ctx.signal);
  const spec = getModel(session.modelId).contract.outputs[0];
  const out = await runLogits(ctx, session, spec, input, [1, 3, SEGFORMER_SIZE, SEGFORMER_SIZE]);
  checkCancelled(ctx);
  ctx.progress(2, 3, "filling holes");
  const labels = segformerLabels(out.logits, out.dims, width, height);
  return { labels: fillClothHoles(labels, width, height), sessions: [describe(session)] };
}

export function parsePerson(
  ctx: NodeContext,
  image: RgbaImage,
  parser: ParserChoice,
): Promise<ParseResult> {
  return parser === "schp" ? parseWithSchp(ctx, image) : parseWithSegformer(ctx, image);
}
