"use client";
import { useMemo, useState } from "react";
import { Modal } from "../../shared/Modal";
import styles from "../../shared/panels.module.css";
import own from "./subgraphs.module.css";
import { fromFlowEdge, fromFlowNode } from "../canvas/flow-mapping";
import { lookupNode, useEditor } from "../canvas/editor-store";
import { selectionPorts, type ParamChoice, type PortChoice } from "./collapse";
import { makeSubgraph } from "./subgraph-actions";

function Choices({
  title,
  items,
  chosen,
  toggle,
}: {
  title: string;
  items: readonly (PortChoice | ParamChoice)[];
  chosen: ReadonlySet<string>;
  toggle(key: string): void;
}) {
  if (items.length === 0) return null;
  return (
    <fieldset className={own.choices}>
      <legend>{title}</legend>
      {items.map((item) => (
        <label key={item.key}>
          <input
            type="checkbox"
            checked={chosen.has(item.key)}
            onChange={() => toggle(item.key)}
            data-testid={`expose-${item.key}`}
          />{" "}
          {item.label}
          {"wired" in item && item.wired && <span className={styles.muted}> (wired outside)</span>}
        </label>
      ))}
    </fieldset>
  );
}

/**
 * "Make subgraph": the selected nodes become one node. The person names it and picks the ports
 * and params it shows; ports wired to the rest of the graph start checked, since leaving one out
 * drops its wire.
 */
export function MakeSubgraphDialog({ onClose }: { onClose(): void }) {
  const ports = useMemo(() => {
    const s = useEditor.getState();
    const selected = new Set(s.nodes.filter((n) => n.selected).map((n) => n.id));
    return {
      count: selected.size,
      ...selectionPorts(
        { nodes: s.nodes.map(fromFlowNode), edges: s.edges.map(fromFlowEdge) },
        selected,
        lookupNode,
      ),
    };
  }, []);
  const [name, setName] = useState("Subgraph");
  const [chosen, setChosen] = useState<ReadonlySet<string>>(
    () => new Set([...ports.inputs, ...ports.outputs].filter((p) => p.wired).map((p) => p.key)),
  );
  const [error, setError] = useState<string | null>(null);
  const toggle = (key: string) => {
    const next = new Set(chosen);
    if (next.has(key)) next.delete(key);
    else next.add(key);
    setChosen(next);
  };
  const make = () => {
    const reason = makeSubgraph({ name, expose: chosen });
    if (reason) setError(reason);
    else onClose();
  };
  return (
    <Modal label="Make subgraph" testId="make-subgraph" onClose={onClose}>
      <form
        className={own.dialog}
        onSubmit={(e) => {
          e.preventDefault();
          make();
        }}
      >
        <h2>Make a subgraph of {ports.count} nodes</h2>
        <label>
          Name{" "}
          <input
            value={name}
            onChange={(e) => setName(e.target.value)}
            data-testid="subgraph-name"
            autoFocus
          />
        </label>
        <Choices title="Inputs it shows" items={ports.inputs} chosen={chosen} toggle={toggle} />
        <Choices title="Outputs it shows" items={ports.outputs} chosen={chosen} toggle={toggle} />
        <Choices title="Params it shows" items={ports.params} chosen={chosen} toggle={toggle} />
        {error && (
          <p role="alert" className="error">
            {error}
          </p>
        )}
        <div className={styles.row}>
          <button type="submit" className="primary" data-testid="make-subgraph-confirm">
            Make subgraph
          </button>
          <button type="button" onClick={onClose}>
            Cancel
          </button>
        </div>
      </form>
    </Modal>
  );
}
