"use client";
import { useEffect, useRef, useState, type PointerEvent, type WheelEvent } from "react";
import { differenceImage } from "./difference";
import type { GridCell } from "./sweep-store";

export interface CompareSide {
  readonly label: string;
  readonly cell: GridCell;
}

type View = { readonly scale: number; readonly x: number; readonly y: number };

/** Panes are about 380 × 250 px: the zoom that shows the larger cell whole, in whole steps. */
const PANE = { width: 380, height: 250 };
function fitScale(a: GridCell, b: GridCell): number {
  const width = Math.max(a.image?.width ?? 1, b.image?.width ?? 1);
  const height = Math.max(a.image?.height ?? 1, b.image?.height ?? 1);
  const fit = Math.min(PANE.width / width, PANE.height / height);
  return fit >= 1 ? Math.min(16, Math.floor(fit)) : fit;
}

async function pixelsOf(url: string) {
  const img = new Image();
  img.src = url;
  await img.decode();
  const canvas = new OffscreenCanvas(img.naturalWidth, img.naturalHeight);
  const ctx = canvas.getContext("2d")!;
  ctx.drawImage(img, 0, 0);
  return ctx.getImageData(0, 0, img.naturalWidth, img.naturalHeight);
}

/**
 * Two sweep cells side by side with one zoom and pan (wheel to zoom, drag to pan, both views
 * follow), a wipe (B over A up to the slider), and their difference image, amplified 4× so small
 * changes show. Each side says its values, its time and what the output node reported.
 */
export function CompareView({
  a,
  b,
  onClose,
}: {
  a: CompareSide;
  b: CompareSide;
  onClose(): void;
}) {
  const fit = fitScale(a.cell, b.cell);
  const [view, setView] = useState<View>({ scale: fit, x: 0, y: 0 });
  const [wipe, setWipe] = useState(50);
  const [diff, setDiff] = useState<{ mean: number; changed: number } | null>(null);
  const diffCanvas = useRef<HTMLCanvasElement>(null);
  const drag = useRef<{ x: number; y: number } | null>(null);

  useEffect(() => {
    let live = true;
    const [ua, ub] = [a.cell.image?.url, b.cell.image?.url];
    if (!ua || !ub) return;
    void Promise.all([pixelsOf(ua), pixelsOf(ub)]).then(([pa, pb]) => {
      if (!live || !diffCanvas.current) return;
      const d = differenceImage(pa, pb);
      diffCanvas.current.width = d.image.width;
      diffCanvas.current.height = d.image.height;
      diffCanvas.current
        .getContext("2d")!
        .putImageData(new ImageData(d.image.data, d.image.width, d.image.height), 0, 0);
      setDiff({ mean: d.mean, changed: d.changed });
    });
    return () => {
      live = false;
    };
  }, [a.cell.image?.url, b.cell.image?.url]);

  const onWheel = (e: WheelEvent) => {
    const factor = e.deltaY < 0 ? 1.25 : 0.8;
    setView((v) => ({ ...v, scale: Math.min(32, Math.max(0.25, v.scale * factor)) }));
  };
  const pan = {
    onPointerDown: (e: PointerEvent) => {
      drag.current = { x: e.clientX, y: e.clientY };
      (e.target as Element).setPointerCapture?.(e.pointerId);
    },
    onPointerMove: (e: PointerEvent) => {
      const from = drag.current;
      if (!from) return;
      drag.current = { x: e.clientX, y: e.clientY };
      setView((v) => ({ ...v, x: v.x + e.clientX - from.x, y: v.y + e.clientY - from.y }));
    },
    onPointerUp: () => {
      drag.current = null;
    },
    onWheel,
  };
  const transform = `translate(${view.x}px, ${view.y}px) scale(${view.scale})`;
  const img = (side: CompareSide, extra?: React.CSSProperties) =>
    side.cell.image && (
      // eslint-disable-next-line @next/next/no-img-element -- object URL of a sweep cell
      <img
        src={side.cell.image.url}
        alt={side.label}
        width={side.cell.image.width}
        height={side.cell.image.height}
        draggable={false}
        style={{ transform, transformOrigin: "0 0", imageRendering: "pixelated", ...extra }}
      />
    );
  const about = (side: CompareSide, name: string) => (
    <div className="compare-about" data-testid={`compare-about-${name}`}>
      <strong>
        {name}: {side.label}
      </strong>
      <span>{side.cell.ms !== undefined ? ` · ${Math.round(side.cell.ms)} ms` : ""}</span>
      {side.cell.message && <div className="muted">{side.cell.message}</div>}
      {side.cell.loss && <div data-testid={`compare-loss-${name}`}>{side.cell.loss}</div>}
    </div>
  );

  return (
    <section className="compare-view" data-testid="compare-view" aria-label="Compare two cells">
      <div className="compare-head">
        {about(a, "A")}
        {about(b, "B")}
        <button type="button" className="small" onClick={() => setView({ scale: fit, x: 0, y: 0 })}>
          Reset zoom
        </button>
        <button type="button" className="small" onClick={onClose}>
          Back to the grid
        </button>
      </div>
      <div className="compare-panes">
        <figure className="compare-pane" data-testid="compare-a" {...pan}>
          {img(a)}
          <figcaption>A</figcaption>
        </figure>
        <figure className="compare-pane" data-testid="compare-b" {...pan}>
          {img(b)}
          <figcaption>B</figcaption>
        </figure>
        <figure className="compare-pane compare-wipe" data-testid="compare-wipe" {...pan}>
          {img(a)}
          {img(b, { position: "absolute", left: 0, top: 0, clipPath: `inset(0 0 0 ${wipe}%)` })}
          <figcaption>wipe: A | B</figcaption>
        </figure>
        <figure className="compare-pane" {...pan}>
          <canvas
            ref={diffCanvas}
            data-testid="compare-difference"
            data-mean={diff ? diff.mean.toFixed(3) : undefined}
            style={{ transform, transformOrigin: "0 0", imageRendering: "pixelated" }}
          />
          <figcaption>
            difference ×4
            {diff &&
              ` · mean ${diff.mean.toFixed(2)} / 255 · ${(diff.changed * 100).toFixed(1)}% of pixels`}
          </figcaption>
        </figure>
      </div>
      <label className="compare-slider">
        wipe{" "}
        <input
          type="range"
          min={0}
          max={100}
          value={wipe}
          aria-label="wipe position"
          onChange={(e) => setWipe(e.target.valueAsNumber)}
        />
      </label>
      <p className="muted" data-testid="compare-zoom">
        zoom {Math.round(view.scale * 100)}% (wheel to zoom, drag to pan; every view follows)
      </p>
    </section>
  );
}
