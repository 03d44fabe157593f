"use client";
import { useMemo, useState } from "react";
import { getNodeDefinition } from "@/nodes";
import type { WorkflowDocument } from "@/nodes/core/document";
import {
  expandSweep,
  SWEEP_LIMITS,
  type SweepSpec,
  type SweepValues,
} from "@/workers/runtime/sweep";
import { Modal } from "../../shared/Modal";
import {
  defaultOutput,
  defaultValues,
  parseList,
  sweepableParams,
  type SweepableParam,
} from "./sweep-form";

interface AxisDraft {
  readonly key: string;
  readonly values: SweepValues;
  /** The list as typed, kept apart so "512," does not lose its comma while typing. */
  readonly listText: string;
}

const keyOf = (p: Pick<SweepableParam, "nodeId" | "param">) => `${p.nodeId}:${p.param}`;

function draftFor(p: SweepableParam, doc: WorkflowDocument): AxisDraft {
  const current = doc.nodes.find((n) => n.id === p.nodeId)?.params[p.param];
  const values = defaultValues(p, current);
  return {
    key: keyOf(p),
    values,
    listText: values.kind === "list" ? values.values.join(", ") : "",
  };
}

function NumberField(props: { label: string; value: number; onChange(v: number): void }) {
  return (
    <label>
      {props.label}{" "}
      <input
        type="number"
        value={Number.isFinite(props.value) ? props.value : ""}
        onChange={(e) => props.onChange(e.target.valueAsNumber)}
        style={{ width: 80 }}
      />
    </label>
  );
}

function AxisEditor({
  name,
  params,
  draft,
  doc,
  onChange,
}: {
  name: string;
  params: readonly SweepableParam[];
  draft: AxisDraft;
  doc: WorkflowDocument;
  onChange(d: AxisDraft): void;
}) {
  const v = draft.values;
  const setKind = (kind: SweepValues["kind"]) => {
    const p = params.find((q) => keyOf(q) === draft.key)!;
    const base = defaultValues(p, doc.nodes.find((n) => n.id === p.nodeId)?.params[p.param]);
    const values: SweepValues =
      kind === base.kind
        ? base
        : kind === "list"
          ? { kind, values: parseList(draft.listText || String(p.spec.default)) }
          : kind === "range"
            ? { kind, start: 0, stop: 1, step: 1 }
            : { kind, count: 4, from: 0 };
    onChange({
      ...draft,
      values,
      listText: values.kind === "list" ? values.values.join(", ") : draft.listText,
    });
  };
  return (
    <fieldset className="sweep-axis" data-axis={name}>
      <legend>{name}</legend>
      <label>
        param{" "}
        <select
          aria-label={`${name} param`}
          value={draft.key}
          onChange={(e) =>
            onChange(
              draftFor(
                params.find((p) => keyOf(p) === e.target.value)!,
                doc,
              ),
            )
          }
        >
          {params.map((p) => (
            <option key={keyOf(p)} value={keyOf(p)}>
              {p.label} ({p.nodeId})
            </option>
          ))}
        </select>
      </label>{" "}
      <label>
        values{" "}
        <select
          aria-label={`${name} values`}
          value={v.kind}
          onChange={(e) => setKind(e.target.value as SweepValues["kind"])}
        >
          <option value="list">list</option>
          <option value="range">range</option>
          <option value="seeds">n seeds</option>
        </select>
      </label>
      <div className="sweep-values">
        {v.kind === "list" && (
          <input
            aria-label={`${name} list`}
            value={draft.listText}
            placeholder="comma-separated values"
            onChange={(e) =>
              onChange({
                ...draft,
                listText: e.target.value,
                values: { kind: "list", values: parseList(e.target.value) },
              })
            }
            style={{ width: "100%" }}
          />
        )}
        {v.kind === "range" && (
          <>
            <NumberField
              label="from"
              value={v.start}
              onChange={(start) => onChange({ ...draft, values: { ...v, start } })}
            />{" "}
            <NumberField
              label="to"
              value={v.stop}
              onChange={(stop) => onChange({ ...draft, values: { ...v, stop } })}
            />{" "}
            <NumberField
              label="step"
              value={v.step}
              onChange={(step) => onChange({ ...draft, values: { ...v, step } })}
            />
          </>
        )}
        {v.kind === "seeds" && (
          <>
            <NumberField
              label="count"
              value={v.count}
              onChange={(count) => onChange({ ...draft, values: { ...v, count } })}
            />{" "}
            <NumberField
              label="first seed"
              value={v.from}
              onChange={(from) => onChange({ ...draft, values: { ...v, from } })}
            />
          </>
        )}
      </div>
    </fieldset>
  );
}

/**
 * "Sweep…" from a node's menu: one or two params (X, and optionally Y) with their values, and
 * the node whose result fills each cell. The cell count and any refusal (over the limit, a
 * value the param does not take) show before anything runs.
 */
export function SweepDialog({
  nodeId,
  doc,
  onStart,
  onClose,
}: {
  nodeId: string;
  doc: WorkflowDocument;
  onStart(spec: SweepSpec): void;
  onClose(): void;
}) {
  const params = useMemo(() => sweepableParams(doc, getNodeDefinition), [doc]);
  const own = params.filter((p) => p.nodeId === nodeId);
  const [x, setX] = useState<AxisDraft | null>(() =>
    (own[0] ?? params[0]) ? draftFor(own[0] ?? params[0], doc) : null,
  );
  const [y, setY] = useState<AxisDraft | null>(null);
  const [output, setOutput] = useState(() => defaultOutput(doc, nodeId, getNodeDefinition));
  const outputs = doc.nodes.filter((n) => getNodeDefinition(n.type)?.executable !== false);

  const toAxis = (d: AxisDraft) => {
    const [node, param] = d.key.split(":");
    return { nodeId: node, param, values: d.values };
  };
  const spec: SweepSpec | null = x
    ? { axes: [toAxis(x), ...(y ? [toAxis(y)] : [])], output }
    : null;
  let verdict: { cells: number } | { error: string };
  try {
    if (!spec) throw new Error("no node of this workflow has a number, choice or seed param");
    verdict = { cells: expandSweep(doc, spec, getNodeDefinition).cells.length };
  } catch (err) {
    verdict = { error: (err as Error).message };
  }

  return (
    <Modal label="Sweep" className="sweep-dialog" testId="sweep-dialog" onClose={onClose}>
      <h2>Sweep</h2>
      <p className="muted">
        Run the workflow once per value (X) or per pair of values (X × Y, up to {SWEEP_LIMITS.cells}{" "}
        cells). What every cell shares runs once.
      </p>
      {x && <AxisEditor name="X" params={params} draft={x} doc={doc} onChange={setX} />}
      {y ? (
        <>
          <AxisEditor name="Y" params={params} draft={y} doc={doc} onChange={setY} />
          <button type="button" className="small" onClick={() => setY(null)}>
            Remove Y
          </button>
        </>
      ) : (
        x && (
          <button
            type="button"
            className="small"
            onClick={() => setY(draftFor(params.find((p) => keyOf(p) !== x.key) ?? params[0], doc))}
          >
            Add a Y axis
          </button>
        )
      )}
      <p>
        <label>
          show in each cell{" "}
          <select aria-label="output" value={output} onChange={(e) => setOutput(e.target.value)}>
            {outputs.map((n) => (
              <option key={n.id} value={n.id}>
                {getNodeDefinition(n.type)?.title ?? n.type} ({n.id})
              </option>
            ))}
          </select>
        </label>
      </p>
      <p
        role="status"
        data-testid="sweep-verdict"
        className={"error" in verdict ? "error-text" : "muted"}
      >
        {"error" in verdict ? verdict.error : `${verdict.cells} cells`}
      </p>
      <div className="row">
        <button
          type="button"
          className="primary"
          disabled={"error" in verdict || !spec}
          onClick={() => spec && onStart(spec)}
        >
          Run sweep
        </button>
        <button type="button" onClick={onClose}>
          Cancel
        </button>
      </div>
    </Modal>
  );
}
