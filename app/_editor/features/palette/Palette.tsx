"use client";
import { useEffect, useMemo, useRef, useState } from "react";
import { NODE_DEFINITIONS } from "@/nodes";
import { paletteGroups, type DanglingWire } from "./palette-filter";

interface PaletteProps {
  readonly screen: { x: number; y: number };
  readonly wire?: DanglingWire;
  onPick(type: string): void;
  onClose(): void;
}

/** Searchable, grouped node list; Enter adds the first match, Escape closes. */
export function Palette({ screen, wire, onPick, onClose }: PaletteProps) {
  const [query, setQuery] = useState("");
  const input = useRef<HTMLInputElement>(null);
  const groups = useMemo(() => paletteGroups(NODE_DEFINITIONS, query, wire), [query, wire]);
  useEffect(() => input.current?.focus(), []);
  const first = groups[0]?.defs[0];
  const left = Math.min(screen.x, (typeof window === "undefined" ? 1200 : window.innerWidth) - 300);
  const top = Math.min(screen.y, (typeof window === "undefined" ? 800 : window.innerHeight) - 420);
  return (
    <div className="palette-backdrop" onMouseDown={onClose}>
      <div
        className="palette"
        role="dialog"
        aria-label="Add a node"
        style={{ left: Math.max(8, left), top: Math.max(8, top) }}
        onMouseDown={(e) => e.stopPropagation()}
      >
        <input
          ref={input}
          type="search"
          placeholder={wire ? `nodes that take ${wire.portType}…` : "search nodes…"}
          aria-label="search nodes"
          value={query}
          onChange={(e) => setQuery(e.target.value)}
          onKeyDown={(e) => {
            if (e.key === "Escape") onClose();
            if (e.key === "Enter" && first) onPick(first.type);
          }}
        />
        <div className="palette-list">
          {groups.length === 0 && <p className="hint">No matching node.</p>}
          {groups.map((g) => (
            <section key={g.category}>
              <h4>{g.category}</h4>
              {g.defs.map((d) => (
                <button
                  key={d.type}
                  type="button"
                  className="palette-item"
                  data-type={d.type}
                  onClick={() => onPick(d.type)}
                  title={d.description}
                >
                  <strong>{d.title}</strong>
                  <span>{d.description}</span>
                </button>
              ))}
            </section>
          ))}
        </div>
      </div>
    </div>
  );
}
