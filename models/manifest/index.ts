import { MODEL_ENTRIES } from "./entries";
import { modelEntrySchema, type ModelEntry, type ModelSource } from "./schema";

/** Every known model, validated once at load: a broken manifest fails loudly, not later. */
export const MODELS: readonly ModelEntry[] = MODEL_ENTRIES.map((entry) =>
  modelEntrySchema.parse(entry),
);

const byId = new Map(MODELS.map((m) => [m.id, m]));

export function findModel(id: string): ModelEntry | undefined {
  return byId.get(id);
}

export class UnknownModelError extends Error {
  override readonly name = "UnknownModelError";
  constructor(readonly modelId: string) {
    super(`unknown model "${modelId}"; known models: ${[...byId.keys()].join(", ")}`);
  }
}

export function getModel(id: string): ModelEntry {
  const entry = byId.get(id);
  if (!entry) throw new UnknownModelError(id);
  return entry;
}

/** What to do for a model the studio converts from a checkpoint: said the same by the CLI and UI. */
export function conversionAdvice(source: Extract<ModelSource, { kind: "convert" }>): string {
  return `it is converted from ${source.checkpoint}: download it from ${source.checkpointUrl} and run \`${source.command}\``;
}
