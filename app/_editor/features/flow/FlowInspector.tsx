"use client";
import { useEffect, useRef, useState, type MouseEvent } from "react";
import { createPortal } from "react-dom";
import type { FlowField } from "@/nodes/core/flow";
import type { RgbaImage } from "@/nodes/core/image";
import { lookAt, renderHeat, type LookAt, type StepChoice } from "@/nodes/lib/flow-display/look-at";
import { Modal } from "../../shared/Modal";

/** Paints an image into a canvas at its own size (CSS scales the canvas to fit). */
function paint(canvas: HTMLCanvasElement | null, image: RgbaImage | undefined): void {
  if (!canvas || !image) return;
  canvas.width = image.width;
  canvas.height = image.height;
  const pixels = new ImageData(new Uint8ClampedArray(image.data), image.width, image.height);
  canvas.getContext("2d")!.putImageData(pixels, 0, 0);
}

function crosshair(canvas: HTMLCanvasElement | null, x: number, y: number): void {
  const g = canvas?.getContext("2d");
  if (!g) return;
  const r = Math.max(4, canvas!.width / 64);
  g.strokeStyle = "#00e5ff";
  g.lineWidth = Math.max(1.5, r / 4);
  g.beginPath();
  g.arc(x, y, r, 0, Math.PI * 2);
  g.moveTo(x - 2 * r, y);
  g.lineTo(x + 2 * r, y);
  g.moveTo(x, y - 2 * r);
  g.lineTo(x, y + 2 * r);
  g.stroke();
}

/**
 * The flow field's inspector: hover a pixel of the result, and the garment lights up where that
 * pixel's attention went (its top-K reference tokens, head-averaged), with the flow's point
 * marked. Layer and step (or the mean of the collected steps) are selectable.
 */
export function FlowInspector({ flow, onClose }: { flow: FlowField; onClose(): void }) {
  const [layerIndex, setLayerIndex] = useState(0);
  const [step, setStep] = useState<StepChoice>("mean");
  const [pointer, setPointer] = useState<{ x: number; y: number } | null>(null);
  const resultRef = useRef<HTMLCanvasElement>(null);
  const garmentRef = useRef<HTMLCanvasElement>(null);
  const layer = flow.layers[layerIndex];
  const look: LookAt | null =
    pointer && layer ? lookAt(flow, layer, step, pointer.x, pointer.y) : null;

  useEffect(() => {
    paint(resultRef.current, flow.result);
    if (pointer) crosshair(resultRef.current, pointer.x, pointer.y);
  }, [flow, pointer]);

  useEffect(() => {
    if (!flow.reference || !layer) return;
    if (!look) {
      paint(garmentRef.current, flow.reference);
      return;
    }
    paint(
      garmentRef.current,
      renderHeat(flow.reference, look.heat, layer.gridWidth, layer.gridHeight),
    );
    crosshair(garmentRef.current, look.point.x, look.point.y);
  }, [flow, layer, look]);

  const onMove = (e: MouseEvent<HTMLCanvasElement>) => {
    const canvas = e.currentTarget;
    const box = canvas.getBoundingClientRect();
    const x = Math.floor(((e.clientX - box.left) / box.width) * canvas.width);
    const y = Math.floor(((e.clientY - box.top) / box.height) * canvas.height);
    if (x >= 0 && y >= 0 && x < canvas.width && y < canvas.height) setPointer({ x, y });
  };

  return createPortal(
    <Modal
      label="Flow inspector"
      className="flow-inspector"
      testId="flow-inspector"
      onClose={onClose}
    >
      <header>
        <h2>Where attention looked</h2>
        <label>
          Layer{" "}
          <select
            aria-label="inspected layer"
            value={layerIndex}
            onChange={(e) => setLayerIndex(Number(e.target.value))}
          >
            {flow.layers.map((l, i) => (
              <option key={l.name} value={i}>
                {l.name}
              </option>
            ))}
          </select>
        </label>
        <label>
          Step{" "}
          <select
            aria-label="inspected step"
            value={String(step)}
            onChange={(e) => setStep(e.target.value === "mean" ? "mean" : Number(e.target.value))}
          >
            <option value="mean">mean of the collected steps</option>
            {layer?.steps.map((s, i) => (
              <option key={s.timestep} value={i}>
                t = {s.timestep}
              </option>
            ))}
          </select>
        </label>
        <button type="button" onClick={onClose}>
          Close
        </button>
      </header>
      <div className="flow-inspector-panes">
        <figure>
          <canvas
            ref={resultRef}
            data-testid="flow-inspector-result"
            onMouseMove={onMove}
            onMouseLeave={() => setPointer(null)}
          />
          <figcaption>Result: hover a pixel</figcaption>
        </figure>
        <figure>
          <canvas ref={garmentRef} data-testid="flow-inspector-garment" />
          <figcaption>Garment: where it looked</figcaption>
        </figure>
      </div>
      <p className="hint" data-testid="flow-inspector-readout">
        {look && pointer
          ? `pixel (${pointer.x}, ${pointer.y}) · token (${look.column}, ${look.row}) looked at ` +
            `(${Math.round(look.point.x)}, ${Math.round(look.point.y)}) in the garment · ` +
            `${Math.round(look.confidence * 100)} % of its attention on the garment`
          : `${layer?.name ?? "no layer"} · τ = ${layer?.temperature ?? 1} · top ${layer?.topK ?? 0} garment tokens per pixel`}
      </p>
    </Modal>,
    document.body,
  );
}
