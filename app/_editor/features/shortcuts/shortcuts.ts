/**
 * Every keyboard shortcut of the editor, in one registry: the key handler dispatches from it and
 * the help panel lists it. "Mod" is Ctrl, or ⌘ on macOS.
 */
export type CommandId =
  | "undo"
  | "redo"
  | "delete"
  | "copy"
  | "paste"
  | "duplicate"
  | "selectAll"
  | "run"
  | "runToHere"
  | "bypass"
  | "mute"
  | "makeSubgraph"
  | "cancel"
  | "save"
  | "palette"
  | "note"
  | "help";

export interface Shortcut {
  readonly command: CommandId;
  readonly keys: readonly string[];
  readonly label: string;
  /** Also fires while typing in a text field (otherwise the field keeps the key). */
  readonly inInputs?: boolean;
}

export const SHORTCUTS: readonly Shortcut[] = [
  { command: "run", keys: ["Mod+Enter"], label: "Run the workflow", inInputs: true },
  {
    command: "runToHere",
    keys: ["Mod+Shift+Enter"],
    label: "Run to here: the selected node and what it needs",
    inInputs: true,
  },
  {
    command: "bypass",
    keys: ["Mod+B"],
    label: "Bypass the selected nodes: pass their input on (again: back to normal)",
  },
  {
    command: "mute",
    keys: ["Mod+M"],
    label: "Mute the selected nodes: skip them and what needs them (again: back to normal)",
  },
  {
    command: "makeSubgraph",
    keys: ["Mod+E"],
    label: "Make a subgraph of the selected nodes (choose the ports and params it shows)",
  },
  { command: "cancel", keys: ["Mod+."], label: "Cancel the run", inInputs: true },
  { command: "save", keys: ["Mod+S"], label: "Save", inInputs: true },
  { command: "undo", keys: ["Mod+Z"], label: "Undo" },
  { command: "redo", keys: ["Mod+Shift+Z", "Mod+Y"], label: "Redo" },
  { command: "copy", keys: ["Mod+C"], label: "Copy selected nodes" },
  { command: "paste", keys: ["Mod+V"], label: "Paste nodes or an image at the cursor" },
  { command: "duplicate", keys: ["Mod+D"], label: "Duplicate selected nodes" },
  { command: "delete", keys: ["Delete", "Backspace"], label: "Delete selected nodes and wires" },
  { command: "selectAll", keys: ["Mod+A"], label: "Select all nodes" },
  { command: "palette", keys: ["Mod+K"], label: "Add a node (palette)" },
  { command: "note", keys: ["Shift+N"], label: "Add a note at the cursor" },
  { command: "help", keys: ["Shift+?"], label: "Show this help" },
];

/** The first chord of a command as people read it (menus, tooltips), e.g. "Ctrl/⌘+Shift+Enter". */
export function keysLabel(command: CommandId): string {
  const keys = SHORTCUTS.find((s) => s.command === command)?.keys[0] ?? "";
  return keys.replace("Mod", "Ctrl/⌘");
}

export interface KeyLike {
  readonly key: string;
  readonly ctrlKey: boolean;
  readonly metaKey: boolean;
  readonly shiftKey: boolean;
  readonly altKey: boolean;
}

/** Canonical chord of a key event, e.g. "Mod+Shift+Z". */
export function chordOf(e: KeyLike): string {
  const parts: string[] = [];
  if (e.ctrlKey || e.metaKey) parts.push("Mod");
  if (e.altKey) parts.push("Alt");
  if (e.shiftKey) parts.push("Shift");
  const key = e.key.length === 1 ? e.key.toUpperCase() : e.key;
  parts.push(key);
  return parts.join("+");
}

export function findShortcut(e: KeyLike, typing: boolean): Shortcut | undefined {
  const chord = chordOf(e);
  return SHORTCUTS.find((s) => s.keys.includes(chord) && (!typing || s.inInputs));
}
