"use client";
import type { ConflictInfo } from "../../shared/api-client";
import styles from "../../shared/panels.module.css";

export type ConflictChoice = "overwrite" | "copy" | "reload" | "cancel";

/**
 * Shown when a save is refused because another tab or person saved a newer version. Every choice
 * keeps both pieces of work somewhere: overwriting leaves theirs in the history, a copy leaves it
 * current, reloading keeps ours as a draft.
 */
export function ConflictDialog({
  conflict,
  busy,
  onChoose,
}: {
  conflict: ConflictInfo;
  busy: boolean;
  onChoose(choice: ConflictChoice): void;
}) {
  const who = conflict.savedBy ?? "Someone (another tab or person)";
  return (
    <div className="modal-backdrop">
      <div
        className={`modal ${styles.panel}`}
        role="alertdialog"
        aria-label="Save conflict"
        data-testid="conflict-dialog"
      >
        <h2>This workflow changed since you opened it</h2>
        <p>
          {who} saved version {conflict.currentVersion} at{" "}
          {new Date(conflict.savedAt).toLocaleString()}
          {conflict.message ? ` (“${conflict.message}”)` : ""}. Your edits are based on version{" "}
          {conflict.baseVersion}.
        </p>
        <ul>
          <li>
            <b>Overwrite</b>: save yours as version {conflict.currentVersion + 1}; theirs stays in
            the history.
          </li>
          <li>
            <b>Save as a copy</b>: yours becomes a new workflow; theirs stays as it is.
          </li>
          <li>
            <b>Reload</b>: open version {conflict.currentVersion}; your edits are kept as a draft.
          </li>
        </ul>
        <div className={styles.row}>
          <button
            type="button"
            className="primary"
            disabled={busy}
            data-testid="conflict-overwrite"
            onClick={() => onChoose("overwrite")}
          >
            Overwrite
          </button>
          <button
            type="button"
            disabled={busy}
            data-testid="conflict-copy"
            onClick={() => onChoose("copy")}
          >
            Save as a copy
          </button>
          <button
            type="button"
            disabled={busy}
            data-testid="conflict-reload"
            onClick={() => onChoose("reload")}
          >
            Reload
          </button>
          <button
            type="button"
            disabled={busy}
            data-testid="conflict-cancel"
            onClick={() => onChoose("cancel")}
          >
            Not now
          </button>
        </div>
      </div>
    </div>
  );
}
