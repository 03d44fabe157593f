"use client";
import { useEffect, useRef } from "react";
import { createPortal } from "react-dom";
import styles from "./NodeContextMenu.module.css";

export interface NodeMenuItem {
  readonly id: string;
  readonly label: string;
  /** The shortcut that does the same, shown at the right. */
  readonly keys?: string;
  /** Why the item cannot be used now; the item is then disabled and says so. */
  readonly unavailable?: string;
  onSelect(): void;
}

interface NodeContextMenuProps {
  readonly nodeId: string;
  /** Viewport position of the menu's top-left corner. */
  readonly at: { readonly x: number; readonly y: number };
  readonly items: readonly NodeMenuItem[];
  onClose(): void;
}

/**
 * A node's right-click menu. Keyboard first: it opens with focus on its first usable item, the
 * arrow keys, Home and End move between items, Enter or Space picks one, and Escape or Tab closes
 * it and gives focus back to the node. A press anywhere outside it, or a wheel turn (the canvas
 * zooms away from under it), closes it too.
 */
export function NodeContextMenu({ nodeId, at, items, onClose }: NodeContextMenuProps) {
  const menu = useRef<HTMLDivElement>(null);

  useEffect(() => {
    const buttons = () => [
      ...(menu.current?.querySelectorAll<HTMLButtonElement>("button:not(:disabled)") ?? []),
    ];
    buttons()[0]?.focus();
    const focusNode = () =>
      document
        .querySelector<HTMLElement>(`.react-flow__node[data-id="${CSS.escape(nodeId)}"]`)
        ?.focus();
    const onKey = (e: KeyboardEvent) => {
      if (e.key === "Escape" || e.key === "Tab") {
        e.preventDefault();
        e.stopPropagation();
        onClose();
        focusNode();
        return;
      }
      const list = buttons();
      if (!list.length || !["ArrowDown", "ArrowUp", "Home", "End"].includes(e.key)) return;
      e.preventDefault();
      const at = list.indexOf(document.activeElement as HTMLButtonElement);
      const next =
        e.key === "Home"
          ? 0
          : e.key === "End"
            ? list.length - 1
            : (at + (e.key === "ArrowDown" ? 1 : list.length - 1)) % list.length;
      list[next].focus();
    };
    const onOutside = (e: Event) => {
      if (!menu.current?.contains(e.target as Node)) onClose();
    };
    // Capture: React Flow stops some pointer events on the pane before they bubble to document.
    document.addEventListener("keydown", onKey, true);
    document.addEventListener("pointerdown", onOutside, true);
    document.addEventListener("wheel", onOutside, true);
    return () => {
      document.removeEventListener("keydown", onKey, true);
      document.removeEventListener("pointerdown", onOutside, true);
      document.removeEventListener("wheel", onOutside, true);
    };
  }, [nodeId, onClose]);

  return createPortal(
    <div
      ref={menu}
      role="menu"
      aria-label="Node actions"
      className={styles.menu}
      style={{ left: at.x, top: at.y }}
      data-testid="node-menu"
      onContextMenu={(e) => e.preventDefault()}
    >
      {items.map((item) => (
        <button
          key={item.id}
          type="button"
          role="menuitem"
          className={styles.item}
          disabled={item.unavailable !== undefined}
          title={item.unavailable}
          onClick={() => {
            onClose();
            item.onSelect();
          }}
        >
          <span className={styles.label}>{item.label}</span>
          {item.keys && <kbd className={styles.keys}>{item.keys}</kbd>}
          {item.unavailable && <span className={styles.reason}>{item.unavailable}</span>}
        </button>
      ))}
    </div>,
    document.body,
  );
}
