import { useEffect } from "react";
import { useEditor } from "../canvas/editor-store";
import { anyPanelOpen, usePanels } from "../panels/panel-store";
import { findShortcut, type CommandId } from "./shortcuts";

function isTyping(target: EventTarget | null): boolean {
  const el = target as HTMLElement | null;
  if (!el) return false;
  return (
    el.tagName === "INPUT" ||
    el.tagName === "TEXTAREA" ||
    el.tagName === "SELECT" ||
    el.isContentEditable
  );
}

interface EditorKeysOptions {
  dispatch(command: CommandId): void;
  /** An image file pasted onto the canvas. */
  onPasteImage(file: File): void;
  /** Pasted text that is not a studio selection (perhaps a whole workflow). */
  onPasteText(text: string): void;
}

/**
 * Shortcuts from the registry, plus copy and paste through the native clipboard events (which
 * carry the system clipboard without a permission prompt). Text fields keep their own keys.
 */
export function useEditorKeys({ dispatch, onPasteImage, onPasteText }: EditorKeysOptions): void {
  // While a dialog is open the canvas ignores its shortcuts; the dialogs open through the store.
  const paused = usePanels(anyPanelOpen);
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      const shortcut = findShortcut(e, isTyping(e.target));
      if (!shortcut || shortcut.command === "copy" || shortcut.command === "paste" || paused)
        return;
      e.preventDefault();
      // The registry owns its chords: React Flow would otherwise act on the same key too (Enter
      // with Ctrl held toggles a focused node's selection, which would lose Run to here its node).
      e.stopPropagation();
      dispatch(shortcut.command);
    };
    const onCopy = (e: ClipboardEvent) => {
      if (isTyping(e.target)) return;
      const text = useEditor.getState().copySelection();
      if (!text || !e.clipboardData) return;
      e.clipboardData.setData("text/plain", text);
      e.preventDefault();
    };
    const onPaste = (e: ClipboardEvent) => {
      if (isTyping(e.target) || !e.clipboardData) return;
      const file = [...e.clipboardData.files].find((f) => f.type.startsWith("image/"));
      const text = e.clipboardData.getData("text/plain");
      if (!file && !text) return;
      e.preventDefault();
      if (file) onPasteImage(file);
      else onPasteText(text);
    };
    // Capture, so the shortcut is handled before the focused element (a node) sees the key.
    window.addEventListener("keydown", onKey, true);
    document.addEventListener("copy", onCopy);
    document.addEventListener("paste", onPaste);
    return () => {
      window.removeEventListener("keydown", onKey, true);
      document.removeEventListener("copy", onCopy);
      document.removeEventListener("paste", onPaste);
    };
  }, [paused, dispatch, onPasteImage, onPasteText]);
}
