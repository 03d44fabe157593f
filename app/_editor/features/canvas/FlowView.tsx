"use client";
import {
  Background,
  Controls,
  MiniMap,
  ReactFlow,
  useStore,
  type Connection,
  type FinalConnectionState,
  type IsValidConnection,
  type NodeTypes,
} from "@xyflow/react";
import "@xyflow/react/dist/style.css";
import { useCallback, useState, type MouseEvent as ReactMouseEvent } from "react";
import { lookupNode, useEditor } from "./editor-store";
import type { StudioNode } from "./flow-mapping";
import type { DanglingWire } from "../palette/palette-filter";
import { StudioNodeView } from "./StudioNodeView";
import { NodeContextMenu, type NodeMenuItem } from "./NodeContextMenu";
import { useToasts } from "../../shared/toasts";

const NODE_TYPES: NodeTypes = { studio: StudioNodeView };

/**
 * Below this zoom, widgets and port labels are too small to read, and painting their text is
 * what slows dragging in large graphs; nodes then show only title, status, ports and outputs.
 */
const LOW_DETAIL_ZOOM = 0.5;

/** The rule React Flow asks while a wire is dragged: the same pure function as everywhere. */
const isValidConnection: IsValidConnection = (c) => useEditor.getState().canConnect(c).ok;

/**
 * The React Flow view. It alone subscribes to nodes and edges, so a drag re-renders it and the
 * moved node — not the toolbar, panels and handlers around it.
 */
export function FlowView({
  onWireDropped,
  nodeMenu,
}: {
  onWireDropped(screen: { x: number; y: number }, wire: DanglingWire): void;
  /** The actions of a node's right-click menu (the studio knows what they do). */
  nodeMenu(nodeId: string): readonly NodeMenuItem[];
}) {
  const nodes = useEditor((s) => s.nodes);
  const edges = useEditor((s) => s.edges);
  const lowDetail = useStore((s) => s.transform[2] < LOW_DETAIL_ZOOM);
  const toast = useToasts((s) => s.push);
  const [menu, setMenu] = useState<{ nodeId: string; x: number; y: number } | null>(null);
  const closeMenu = useCallback(() => setMenu(null), []);

  // The context-menu key and Shift+F10 on a focused node fire this too, at (0, 0): the menu
  // then opens at the node.
  const onNodeContextMenu = useCallback((event: ReactMouseEvent, node: StudioNode) => {
    event.preventDefault();
    let { clientX: x, clientY: y } = event;
    if (x === 0 && y === 0) {
      const selector = `.react-flow__node[data-id="${CSS.escape(node.id)}"]`;
      const box = document.querySelector(selector)?.getBoundingClientRect();
      if (box) [x, y] = [box.left + 16, box.top + 24];
    }
    setMenu({ nodeId: node.id, x, y });
  }, []);

  const onConnect = useCallback(
    (c: Connection) => {
      const reason = useEditor.getState().connect(c);
      if (reason) toast(`Wire refused: ${reason}`, "error");
    },
    [toast],
  );

  // A wire released over empty canvas opens the palette with only nodes that can take it.
  const onConnectEnd = useCallback(
    (event: MouseEvent | TouchEvent, state: FinalConnectionState) => {
      if (state.isValid || state.toNode || !state.fromHandle?.id || !state.fromNode) return;
      const fromNode = useEditor.getState().nodes.find((n) => n.id === state.fromNode!.id);
      if (!fromNode) return;
      const def = lookupNode(fromNode.data.nodeType);
      const kind = state.fromHandle.type;
      const spec =
        kind === "source" ? def?.outputs[state.fromHandle.id] : def?.inputs[state.fromHandle.id];
      if (!spec) return;
      const point = "changedTouches" in event ? event.changedTouches[0] : event;
      onWireDropped(
        { x: point.clientX, y: point.clientY },
        { nodeId: fromNode.id, handleId: state.fromHandle.id, from: kind, portType: spec.type },
      );
    },
    [onWireDropped],
  );

  return (
    <>
      <ReactFlow<StudioNode>
        className={lowDetail ? "low-detail" : undefined}
        nodes={nodes}
        edges={edges}
        nodeTypes={NODE_TYPES}
        onNodesChange={useEditor.getState().onNodesChange}
        onEdgesChange={useEditor.getState().onEdgesChange}
        onConnect={onConnect}
        onConnectEnd={onConnectEnd}
        onNodeContextMenu={onNodeContextMenu}
        isValidConnection={isValidConnection}
        deleteKeyCode={null}
        selectionKeyCode="Shift"
        multiSelectionKeyCode={["Meta", "Control"]}
        zoomOnDoubleClick={false}
        minZoom={0.1}
        proOptions={{ hideAttribution: true }}
      >
        <Background gap={24} />
        <MiniMap pannable zoomable nodeColor="#3a4152" maskColor="rgb(22 24 29 / 70%)" />
        <Controls />
      </ReactFlow>
      {menu && (
        <NodeContextMenu
          nodeId={menu.nodeId}
          at={menu}
          items={nodeMenu(menu.nodeId)}
          onClose={closeMenu}
        />
      )}
    </>
  );
}
