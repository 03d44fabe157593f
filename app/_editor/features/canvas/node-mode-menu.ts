import { keysLabel } from "../shortcuts/shortcuts";
import { lookupNode, useEditor } from "./editor-store";
import type { NodeMenuItem } from "./NodeContextMenu";
import { modeUnavailable, type SwitchableMode } from "./node-modes";

const VERB: Record<SwitchableMode, { on: string; off: string }> = {
  bypass: { on: "Bypass", off: "Stop bypassing" },
  mute: { on: "Mute", off: "Unmute" },
};

/**
 * The Bypass and Mute entries of a node's right-click menu. An entry the node cannot take is
 * shown disabled with the reason (a Preview has no output to pass its input to).
 */
export function nodeModeMenuItems(nodeId: string, onRefused: (reason: string) => void) {
  const node = useEditor.getState().nodes.find((n) => n.id === nodeId);
  const def = node && lookupNode(node.data.nodeType);
  return (["bypass", "mute"] as const).map((mode): NodeMenuItem => ({
    id: mode,
    label: node?.data.mode === mode ? VERB[mode].off : VERB[mode].on,
    keys: keysLabel(mode),
    unavailable: modeUnavailable(def, mode),
    onSelect: () => {
      const reason = useEditor.getState().toggleMode(mode, [nodeId]);
      if (reason) onRefused(reason);
    },
  }));
}
