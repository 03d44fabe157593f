"use client";
import { Handle, NodeResizer, Position, type NodeProps } from "@xyflow/react";
import { memo, useState } from "react";
import { useShallow } from "zustand/react/shallow";
import { PORT_COLORS } from "@/nodes/core/ports";
import type { NodeDefinition, PortSpec } from "@/nodes/core/types";
import { nodeModels } from "@/nodes/core/required-models";
import { lookupNode, useEditor } from "./editor-store";
import { subgraphKey } from "@/nodes/core/subgraph-structure";
import { nodeRunState, runIdPrefix } from "../subgraphs/run-summary";
import { SubgraphBar } from "../subgraphs/SubgraphBar";
import type { StudioNode } from "./flow-mapping";
import { FlowInspector } from "../flow/FlowInspector";
import { useRun } from "../runs/run-store";
import type { SwitchableMode } from "./node-modes";
import { ParamWidget } from "./widgets";

const STATUS_LABEL: Record<string, string> = {
  queued: "queued",
  running: "running",
  cached: "cached",
  done: "done",
  error: "error",
  skipped: "skipped",
  cancelled: "cancelled",
  bypassed: "bypassed",
};

/** What a switched-off node says on its header (the tint and the dimming say it at a glance). */
const MODE_BADGE: Record<SwitchableMode, { text: string; title: string }> = {
  bypass: { text: "bypassed", title: "Bypassed: its input is passed on unchanged (Ctrl/⌘+B)" },
  mute: { text: "muted", title: "Muted: it and what needs it are skipped (Ctrl/⌘+M)" },
};

function PortRow({
  name,
  spec,
  kind,
}: {
  name: string;
  spec: PortSpec;
  kind: "source" | "target";
}) {
  const color = PORT_COLORS[spec.type];
  return (
    <div className={`port port-${kind}`} data-port={name}>
      <Handle
        type={kind}
        id={name}
        position={kind === "target" ? Position.Left : Position.Right}
        style={{ background: color, borderColor: color }}
        title={`${spec.type}${spec.optional ? " (optional)" : ""}`}
      />
      <span className="port-label">
        {spec.label ?? name}
        <span className="port-type" style={{ color }}>
          {spec.type}
        </span>
      </span>
    </div>
  );
}

function RunBadge({ id: nodeId }: { id: string }) {
  const id = useEditor((s) => runIdPrefix(s.scope)) + nodeId;
  const run = useRun(useShallow((s) => nodeRunState(s.nodes, id)));
  if (!run) return null;
  const pct =
    run.progress && run.progress.max > 0
      ? Math.round((run.progress.value / run.progress.max) * 100)
      : null;
  return (
    <span
      className={`run-badge run-${run.status}`}
      data-testid="node-status"
      data-status={run.status}
    >
      {STATUS_LABEL[run.status]}
      {run.status === "running" && pct !== null ? ` ${pct}%` : ""}
      {run.status === "done" && run.elapsedMs !== undefined
        ? ` ${Math.round(run.elapsedMs)} ms`
        : ""}
    </span>
  );
}

function RunDetails({ id: nodeId, showImages }: { id: string; showImages: boolean }) {
  const id = useEditor((s) => runIdPrefix(s.scope)) + nodeId;
  const run = useRun(useShallow((s) => nodeRunState(s.nodes, id)));
  const outputs = useRun((s) => s.outputs[id]);
  const [inspecting, setInspecting] = useState(false);
  return (
    <>
      {run?.status === "running" && run.progress && (
        <div
          className="progress"
          role="progressbar"
          aria-valuenow={run.progress.value}
          aria-valuemax={run.progress.max}
        >
          <div
            style={{ width: `${(100 * run.progress.value) / Math.max(1, run.progress.max)}%` }}
          />
          {(run.progress.message ?? run.message) && (
            <span>{run.progress.message ?? run.message}</span>
          )}
        </div>
      )}
      {showImages && run?.status === "running" && run.preview && (
        <div className="thumbs live-preview">
          {/* eslint-disable-next-line @next/next/no-img-element -- object URL of a live preview */}
          <img
            src={run.preview.url}
            alt="live preview"
            data-testid="node-live-preview"
            width={run.preview.width}
            height={run.preview.height}
          />
        </div>
      )}
      {(run?.status === "error" || run?.status === "skipped") && run.message && (
        <div className={`node-message node-message-${run.status}`} role="alert">
          {run.message}
        </div>
      )}
      {showImages && outputs && outputs.images.length > 0 && (
        <div className="thumbs">
          {outputs.images.map((img, i) => (
            // eslint-disable-next-line @next/next/no-img-element -- object URLs of run outputs
            <img
              key={img.url}
              src={img.url}
              alt={`output ${i + 1}`}
              data-testid="node-thumbnail"
              width={img.width}
              height={img.height}
            />
          ))}
        </div>
      )}
      {outputs?.text && (
        <p className="node-output-text" data-testid="node-output-text">
          {outputs.text}
        </p>
      )}
      {outputs?.flow && outputs.flow.layers.length > 0 && (
        <button
          type="button"
          className="small nodrag"
          data-testid="inspect-flow"
          onClick={() => setInspecting(true)}
        >
          Inspect: where did each pixel look?
        </button>
      )}
      {inspecting && outputs?.flow && (
        <FlowInspector flow={outputs.flow} onClose={() => setInspecting(false)} />
      )}
      {outputs?.files.map((f) => (
        <a key={f.url} className="button small download" href={f.url} download={f.name}>
          ⬇ {f.name}
        </a>
      ))}
    </>
  );
}

function NoteView({
  id,
  params,
  selected,
}: {
  id: string;
  params: Record<string, unknown>;
  selected: boolean;
}) {
  return (
    <div className="studio-note">
      <NodeResizer isVisible={selected} minWidth={140} minHeight={80} />
      <textarea
        className="nodrag nowheel"
        aria-label="note text"
        placeholder="Write a note…"
        value={String(params.text ?? "")}
        onChange={(e) => useEditor.getState().setParam(id, "text", e.target.value)}
      />
    </div>
  );
}

/** Shown for a node type this studio does not know: kept in the document, never dropped. */
function MissingView({ id, type }: { id: string; type: string }) {
  // Two selectors of string arrays: useShallow compares array items, not a fresh wrapper object.
  const inputs = useEditor(
    useShallow((s) => s.edges.filter((e) => e.target === id).map((e) => e.targetHandle ?? "")),
  );
  const outputs = useEditor(
    useShallow((s) => s.edges.filter((e) => e.source === id).map((e) => e.sourceHandle ?? "")),
  );
  return (
    <div className="studio-node missing-node" data-testid="missing-node">
      <header>Missing node</header>
      <p>
        Unknown type <code>{type}</code>. It is kept as it is; install or update the studio to run
        it.
      </p>
      {[...new Set(inputs)].map((h) => (
        <PortRow key={`i-${h}`} name={h} spec={{ type: "STRING" }} kind="target" />
      ))}
      {[...new Set(outputs)].map((h) => (
        <PortRow key={`o-${h}`} name={h} spec={{ type: "STRING" }} kind="source" />
      ))}
    </div>
  );
}

function DefinedView({
  id,
  def,
  params,
  selected,
  mode,
}: {
  id: string;
  def: NodeDefinition;
  params: Record<string, unknown>;
  selected: boolean;
  mode: SwitchableMode | undefined;
}) {
  const needs = nodeModels(def, params);
  return (
    <div
      className={`studio-node category-${def.category.toLowerCase()}${selected ? " selected" : ""}${mode ? ` node-mode-${mode}` : ""}`}
      data-node-type={def.type}
      data-mode={mode ?? "normal"}
    >
      <header title={def.description}>
        <span className="node-title">{def.title}</span>
        {mode && (
          <span
            className={`mode-badge mode-badge-${mode}`}
            data-testid="node-mode"
            title={MODE_BADGE[mode].title}
          >
            {MODE_BADGE[mode].text}
          </span>
        )}
        <RunBadge id={id} />
      </header>
      {subgraphKey(def.type) !== undefined && <SubgraphBar id={id} type={def.type} />}
      <div className="ports">
        <div className="inputs">
          {Object.entries(def.inputs).map(([name, spec]) => (
            <PortRow key={name} name={name} spec={spec} kind="target" />
          ))}
        </div>
        <div className="outputs">
          {Object.entries(def.outputs).map(([name, spec]) => (
            <PortRow key={name} name={name} spec={spec} kind="source" />
          ))}
        </div>
      </div>
      {Object.keys(def.params).length > 0 && (
        <div className="widgets nodrag nowheel">
          {Object.entries(def.params).map(([name, spec]) => (
            <ParamWidget key={name} nodeId={id} name={name} spec={spec} value={params[name]} />
          ))}
        </div>
      )}
      {needs.length > 0 && <div className="node-models">needs: {needs.join(", ")}</div>}
      {/* A node that already shows its image in a widget (Load Image) does not repeat it. */}
      <RunDetails
        id={id}
        showImages={!Object.values(def.params).some((p) => p.widget === "image")}
      />
    </div>
  );
}

export const StudioNodeView = memo(function StudioNodeView({
  id,
  data,
  selected,
}: NodeProps<StudioNode>) {
  // Subscribed so a subgraph node redraws when its definition (ports, params) changes.
  useEditor((s) => s.subgraphs);
  const def = lookupNode(data.nodeType);
  if (!def) return <MissingView id={id} type={data.nodeType} />;
  if (def.type === "note")
    return <NoteView id={id} params={data.params} selected={Boolean(selected)} />;
  return (
    <DefinedView
      id={id}
      def={def}
      params={data.params}
      selected={Boolean(selected)}
      mode={data.mode}
    />
  );
});
