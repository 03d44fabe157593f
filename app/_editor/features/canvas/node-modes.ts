import { bypassPlan } from "@/nodes/core/bypass";
import type { NodeMode } from "@/nodes/core/document";
import type { NodeDefinition } from "@/nodes/core/types";

/** The modes a person switches a node into; switching again returns it to normal. */
export type SwitchableMode = Exclude<NodeMode, "normal">;

export const MODE_LABEL: Record<SwitchableMode, string> = { bypass: "Bypass", mute: "Mute" };

/** Why `def` cannot take `mode`, or undefined when it can. */
export function modeUnavailable(
  def: Pick<NodeDefinition, "title" | "inputs" | "outputs" | "executable"> | undefined,
  mode: SwitchableMode,
): string | undefined {
  if (!def) return "This node's type is unknown to the studio";
  if (def.executable === false) return `A ${def.title.toLowerCase()} does not run`;
  if (mode === "bypass") {
    const plan = bypassPlan(def);
    if (!plan.ok) return plan.reason;
  }
  return undefined;
}

export interface ModeTarget {
  readonly id: string;
  readonly def: Pick<NodeDefinition, "title" | "inputs" | "outputs" | "executable"> | undefined;
  readonly mode?: SwitchableMode;
}

export type ModeSwitch =
  | { readonly ok: true; readonly modes: ReadonlyMap<string, SwitchableMode | undefined> }
  | { readonly ok: false; readonly reason: string };

/**
 * What a bypass or mute command does to `targets` (the selection, or the node whose menu was
 * opened): the nodes that can take the mode switch to it, or back to normal when every one of
 * them already has it (a toggle, as in ComfyUI). Nodes that cannot take it are left as they are;
 * when none can, the reason of the first is given.
 */
export function switchMode(targets: readonly ModeTarget[], mode: SwitchableMode): ModeSwitch {
  if (targets.length === 0) return { ok: false, reason: "Select a node first" };
  const able = targets.filter((t) => modeUnavailable(t.def, mode) === undefined);
  if (able.length === 0) return { ok: false, reason: modeUnavailable(targets[0].def, mode)! };
  const off = able.every((t) => t.mode === mode);
  return { ok: true, modes: new Map(able.map((t) => [t.id, off ? undefined : mode])) };
}
