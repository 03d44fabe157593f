import type { BackendInfo } from "@/nodes/core/types";
import { modelMemoryProblem } from "@/nodes/lib/leffa-sampler/capability";
import { LEFFA_FAMILIES, type LeffaModelChoice } from "@/nodes/lib/leffa-sampler/family";

/**
 * Why this tab's device cannot run the document while the server can: a Leffa Sampler whose
 * model (pose transfer: 7.8 GB of weights) exceeds what the backend can hold (the 4 GB
 * WebAssembly heap, or the runtime's modelBytesLimit). Null when the tab can try it itself.
 */
export interface OfferNode {
  readonly id: string;
  readonly type: string;
  readonly params: Readonly<Record<string, unknown>>;
  readonly mode?: string;
}

export function serverOffer(
  doc: { readonly nodes: readonly OfferNode[] },
  backend: BackendInfo | null,
): { nodeId: string; reason: string } | null {
  if (!backend) return null;
  for (const node of doc.nodes) {
    if (node.type !== "leffa-sampler" || node.mode === "mute" || node.mode === "bypass") continue;
    const model = node.params.model;
    const family =
      typeof model === "string" && Object.hasOwn(LEFFA_FAMILIES, model)
        ? LEFFA_FAMILIES[model as LeffaModelChoice]
        : undefined;
    if (!family) continue;
    const reason = modelMemoryProblem(backend, family);
    if (reason) return { nodeId: node.id, reason };
  }
  return null;
}
