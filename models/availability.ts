import { ModelUnavailableError } from "../nodes/core/types";
import { conversionAdvice, findModel } from "./manifest";

/** Where the person can act on a missing model: the studio in a browser, or a shell. */
export type Surface = "browser" | "cli";

/**
 * The error for a model that cannot be used, saying what to do about it: install it (Models
 * panel or CLI), or convert it from a checkpoint that must be downloaded by hand.
 */
export function modelUnavailable(modelId: string, surface: Surface): ModelUnavailableError {
  const entry = findModel(modelId);
  if (!entry) return new ModelUnavailableError(modelId, "it is not in the studio's model manifest");
  const cli = `npm run models -- install ${modelId}`;
  if (entry.source.kind === "convert") {
    return new ModelUnavailableError(modelId, conversionAdvice(entry.source));
  }
  return new ModelUnavailableError(
    modelId,
    surface === "browser"
      ? `it is not installed; install it from the Models panel (toolbar → Models) or run \`${cli}\``
      : `it is not installed; run \`${cli}\``,
  );
}
