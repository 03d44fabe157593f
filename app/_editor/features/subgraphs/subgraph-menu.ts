import { subgraphKey } from "@/nodes/core/subgraph-structure";
import type { NodeMenuItem } from "../canvas/NodeContextMenu";
import { useEditor } from "../canvas/editor-store";
import { usePanels } from "../panels/panel-store";
import { keysLabel } from "../shortcuts/shortcuts";
import { saveAsComponent } from "./subgraph-actions";

/**
 * A node's menu items for subgraphs: make one of the selection (the right-clicked node joins
 * it); and, on a subgraph node, open it and save it to the library as a component.
 */
export function subgraphMenuItems(
  nodeId: string,
  say: (text: string, tone?: "info" | "error") => void,
): NodeMenuItem[] {
  const s = useEditor.getState();
  const node = s.nodes.find((n) => n.id === nodeId);
  const key = node ? subgraphKey(node.data.nodeType) : undefined;
  const def = key !== undefined ? s.subgraphs[key] : undefined;
  const items: NodeMenuItem[] = [
    {
      id: "make-subgraph",
      label: "Make subgraph…",
      keys: keysLabel("makeSubgraph"),
      onSelect: () => {
        // The right-clicked node is part of what collapses, selected or not.
        if (!node?.selected) {
          useEditor.setState({
            nodes: useEditor
              .getState()
              .nodes.map((n) => (n.id === nodeId && !n.selected ? { ...n, selected: true } : n)),
          });
        }
        usePanels.getState().openPanel("makeSubgraph");
      },
    },
  ];
  if (!def) return items;
  items.push(
    {
      id: "open-subgraph",
      label: `Open “${def.name}”`,
      onSelect: () => {
        const reason = useEditor.getState().enterSubgraph(nodeId);
        if (reason) say(reason, "error");
      },
    },
    {
      id: "save-component",
      label: def.component ? "Save as new component version" : "Save as component",
      unavailable: s.scope.length > 0 ? "Go back to the workflow first" : undefined,
      onSelect: () => {
        void saveAsComponent(nodeId).then((r) => say(r.text, r.ok ? "info" : "error"));
      },
    },
  );
  return items;
}
