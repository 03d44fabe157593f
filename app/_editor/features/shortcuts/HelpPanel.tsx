"use client";
import { Modal } from "../../shared/Modal";
import { SHORTCUTS } from "./shortcuts";

/** Lists every shortcut straight from the registry, so the help can never drift from the keys. */
export function HelpPanel({ onClose }: { onClose(): void }) {
  return (
    <Modal label="Keyboard shortcuts" className="help" onClose={onClose}>
      <h2>Keyboard shortcuts</h2>
      <table>
        <tbody>
          {SHORTCUTS.map((s) => (
            <tr key={s.command} data-command={s.command}>
              <td>{s.label}</td>
              <td>
                {s.keys.map((k) => (
                  <kbd key={k}>{k.replace("Mod", "Ctrl/⌘")}</kbd>
                ))}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <h3>Mouse</h3>
      <ul>
        <li>Double-click the canvas, or drag a wire into empty space, to add a node.</li>
        <li>Shift-drag to box-select; Ctrl/⌘-click to add to the selection.</li>
        <li>
          Drop an image on the canvas to load it; drop a PNG saved by the studio to open its
          workflow.
        </li>
      </ul>
      <button type="button" onClick={onClose}>
        Close
      </button>
    </Modal>
  );
}
