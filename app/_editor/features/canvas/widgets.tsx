"use client";
import { useState, type DragEvent } from "react";
import { MAX_SEED, type ParamSpec } from "@/nodes/core/params";
import { assetUrl, uploadImage } from "../../shared/assets";
import { useEditor } from "./editor-store";
import { useToasts } from "../../shared/toasts";

interface WidgetProps {
  readonly nodeId: string;
  readonly name: string;
  readonly spec: ParamSpec;
  readonly value: unknown;
}

function set(nodeId: string, name: string, value: unknown): void {
  useEditor.getState().setParam(nodeId, name, value);
}

/** A number box that only commits values inside the range, so the document stays valid. */
function NumberWidget({
  nodeId,
  name,
  spec,
  value,
}: WidgetProps & { spec: Extract<ParamSpec, { widget: "number" }> }) {
  const [draft, setDraft] = useState<string | null>(null);
  const commit = (text: string) => {
    setDraft(text);
    const n = Number(text);
    if (text.trim() === "" || !Number.isFinite(n) || n < spec.min || n > spec.max) return;
    if (spec.integer && !Number.isInteger(n)) return;
    set(nodeId, name, n);
  };
  const current = typeof value === "number" ? value : spec.default;
  const invalid = draft !== null && Number(draft) !== current;
  return (
    <span className="widget-number">
      {spec.slider && (
        <input
          type="range"
          aria-label={`${spec.label ?? name} slider`}
          min={spec.min}
          max={spec.max}
          step={spec.step ?? "any"}
          value={current}
          onChange={(e) => commit(e.target.value)}
        />
      )}
      <input
        type="number"
        aria-label={spec.label ?? name}
        aria-invalid={invalid}
        min={spec.min}
        max={spec.max}
        step={spec.step ?? "any"}
        value={draft ?? String(current)}
        onChange={(e) => commit(e.target.value)}
        onBlur={() => setDraft(null)}
        title={invalid ? `between ${spec.min} and ${spec.max}` : undefined}
      />
    </span>
  );
}

function ImageWidget({ nodeId, name, value }: WidgetProps) {
  const [busy, setBusy] = useState(false);
  const toast = useToasts((s) => s.push);
  const id = typeof value === "string" ? value : "";
  const accept = async (file: File | undefined) => {
    if (!file) return;
    setBusy(true);
    try {
      set(nodeId, name, await uploadImage(file));
    } catch (err) {
      toast(`Image not loaded: ${(err as Error).message}`, "error");
    } finally {
      setBusy(false);
    }
  };
  const onDrop = (e: DragEvent) => {
    e.preventDefault();
    e.stopPropagation();
    void accept(e.dataTransfer.files[0]);
  };
  return (
    <div className="widget-image" onDragOver={(e) => e.preventDefault()} onDrop={onDrop}>
      {id ? (
        // eslint-disable-next-line @next/next/no-img-element -- user uploads, served by our API
        <img src={assetUrl(id)} alt="chosen input" />
      ) : (
        <span className="hint">drop, paste or choose an image</span>
      )}
      <label className="button small">
        {busy ? "uploading…" : id ? "replace…" : "choose file…"}
        <input
          type="file"
          accept="image/png,image/jpeg,image/webp"
          aria-label="choose image file"
          hidden
          onChange={(e) => void accept(e.target.files?.[0])}
        />
      </label>
    </div>
  );
}

export function ParamWidget(props: WidgetProps) {
  const { nodeId, name, spec, value } = props;
  const label = spec.label ?? name;
  let control: React.ReactNode;
  switch (spec.widget) {
    case "number":
      control = <NumberWidget {...props} spec={spec} />;
      break;
    case "seed":
      control = (
        <span className="widget-seed">
          <NumberWidget
            {...props}
            spec={{ ...spec, widget: "number", min: 0, max: MAX_SEED, integer: true, step: 1 }}
          />
          <button
            type="button"
            className="small"
            title="random seed"
            aria-label="randomise seed"
            onClick={() => set(nodeId, name, Math.floor(Math.random() * MAX_SEED))}
          >
            random
          </button>
        </span>
      );
      break;
    case "select":
      control = (
        <select
          aria-label={label}
          value={String(value ?? spec.default)}
          onChange={(e) => set(nodeId, name, e.target.value)}
        >
          {spec.options.map((o) => (
            <option key={o.value} value={o.value}>
              {o.label}
            </option>
          ))}
        </select>
      );
      break;
    case "checkbox":
      control = (
        <input
          type="checkbox"
          aria-label={label}
          checked={Boolean(value ?? spec.default)}
          onChange={(e) => set(nodeId, name, e.target.checked)}
        />
      );
      break;
    case "text":
      control = spec.multiline ? (
        <textarea
          aria-label={label}
          value={String(value ?? spec.default)}
          onChange={(e) => set(nodeId, name, e.target.value)}
        />
      ) : (
        <input
          type="text"
          aria-label={label}
          value={String(value ?? spec.default)}
          onChange={(e) => set(nodeId, name, e.target.value)}
        />
      );
      break;
    case "color":
      control = (
        <input
          type="color"
          aria-label={label}
          value={String(value ?? spec.default)}
          onChange={(e) => set(nodeId, name, e.target.value)}
        />
      );
      break;
    case "image":
      return <ImageWidget {...props} />;
  }
  return (
    <label className="widget" title={spec.description}>
      <span className="widget-label">{label}</span>
      {control}
    </label>
  );
}
