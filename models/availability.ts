import { ModelUnavailableError } from "../nodes/core/types";

/**
 * Model availability for this release: no model can be installed yet (the manifest, installer and
 * browser cache arrive with the models issue), so every model node fails on its own node with a
 * message that names the model, instead of producing a placeholder result.
 */
export async function requireModel(modelId: string): Promise<void> {
  throw new ModelUnavailableError(
    modelId,
    "model installation is not part of this studio release yet",
  );
}
