"use client";
import { Modal } from "../../shared/Modal";
import { useEffect, useState } from "react";
import type { WorkflowDocument } from "@/nodes/core/document";
import {
  fetchVersion,
  fetchVersions,
  restoreVersion,
  SaveConflictError,
  type SavedWorkflow,
  type VersionEntry,
} from "../../shared/api-client";
import { useEditor } from "../canvas/editor-store";
import styles from "../../shared/panels.module.css";
import historyStyles from "./HistoryPanel.module.css";
import { diffWorkflows, formatValue, isContentUnchanged, type WorkflowDiff } from "./workflow-diff";

/** Every saved version: compare any with the editor's current document, restore any. */
export function HistoryPanel({
  workflowId,
  onRestored,
  onSave,
  onClose,
}: {
  workflowId: string;
  onRestored(saved: SavedWorkflow, fromVersion: number): void;
  /** Saves the editor's document as a new version with this message; false if it did not. */
  onSave(message: string): Promise<boolean>;
  onClose(): void;
}) {
  const [versions, setVersions] = useState<VersionEntry[] | null>(null);
  const [selected, setSelected] = useState<number | null>(null);
  const [diff, setDiff] = useState<WorkflowDiff | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [message, setMessage] = useState("");
  const [loads, setLoads] = useState(0);
  const baseVersion = useEditor((s) => s.baseVersion);

  useEffect(() => {
    let cancelled = false;
    fetchVersions(workflowId).then(
      (list) => !cancelled && setVersions(list),
      (err: Error) => !cancelled && setError(`Could not load the history: ${err.message}`),
    );
    return () => {
      cancelled = true;
    };
  }, [workflowId, loads, baseVersion]);

  const saveVersion = async () => {
    setBusy(true);
    try {
      if (await onSave(message.trim())) {
        setMessage("");
        setLoads((n) => n + 1);
      }
    } finally {
      setBusy(false);
    }
  };

  const compare = async (version: number) => {
    setSelected(version);
    setDiff(null);
    try {
      const old: WorkflowDocument = await fetchVersion(workflowId, version);
      setDiff(diffWorkflows(old, useEditor.getState().document()));
      setError(null);
    } catch (err) {
      setError(`Could not load version ${version}: ${(err as Error).message}`);
    }
  };

  const restore = async (version: number) => {
    const st = useEditor.getState();
    const dirty = st.revision !== st.savedRevision;
    const question = dirty
      ? `Restore version ${version}? Your unsaved changes are kept as a draft.`
      : `Restore version ${version}? It is saved as a new version; nothing is lost.`;
    if (!window.confirm(question)) return;
    setBusy(true);
    try {
      onRestored(await restoreVersion(workflowId, version, st.baseVersion), version);
    } catch (err) {
      setError(
        err instanceof SaveConflictError
          ? `Version ${err.conflict.currentVersion} was saved elsewhere in the meantime: save or reload first, then restore.`
          : `Not restored: ${(err as Error).message}`,
      );
    } finally {
      setBusy(false);
    }
  };

  return (
    <Modal
      label="Version history"
      className={styles.panel}
      testId="history-panel"
      onClose={onClose}
    >
      <div className={styles.row}>
        <h2>History</h2>
        <span className={styles.muted}>
          {baseVersion ? `editing on version ${baseVersion}` : ""}
        </span>
        <span style={{ flex: 1 }} />
        <button type="button" onClick={onClose}>
          Close
        </button>
      </div>
      <form
        className={styles.row}
        onSubmit={(e) => {
          e.preventDefault();
          void saveVersion();
        }}
      >
        <input
          className={styles.link}
          placeholder="Describe this version (optional)"
          aria-label="version message"
          maxLength={500}
          data-testid="history-message"
          value={message}
          onChange={(e) => setMessage(e.target.value)}
        />
        <button type="submit" disabled={busy} data-testid="history-save">
          Save version
        </button>
      </form>
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
      {versions === null && !error && <p className="hint">Loading…</p>}
      <div className={historyStyles.columns}>
        <ul className={historyStyles.versions}>
          {versions?.map((v) => (
            <li
              key={v.version}
              className={`${historyStyles.version} ${selected === v.version ? historyStyles.versionSelected : ""}`}
              data-testid="history-version"
              data-version={v.version}
            >
              <div className={historyStyles.versionHead}>
                <b>v{v.version}</b>
                <span className={styles.muted}>{new Date(v.createdAt).toLocaleString()}</span>
              </div>
              {v.message && <span>{v.message}</span>}
              <div className={styles.row}>
                <button
                  type="button"
                  className="small"
                  data-testid="history-compare"
                  onClick={() => void compare(v.version)}
                >
                  Compare
                </button>
                <button
                  type="button"
                  className="small"
                  disabled={busy}
                  data-testid="history-restore"
                  onClick={() => void restore(v.version)}
                >
                  Restore
                </button>
              </div>
            </li>
          ))}
        </ul>
        <div className={historyStyles.diff} data-testid="history-diff">
          {selected === null && (
            <p className="hint">Compare a version to see what changed since, up to now.</p>
          )}
          {selected !== null && diff && <DiffView version={selected} diff={diff} />}
        </div>
      </div>
    </Modal>
  );
}

function DiffView({ version, diff }: { version: number; diff: WorkflowDiff }) {
  if (isContentUnchanged(diff)) {
    return (
      <p>
        No changes from v{version} to the current workflow
        {diff.moved.length ? ` (only ${diff.moved.length} node(s) moved)` : ""}.
      </p>
    );
  }
  return (
    <div>
      <h3>From v{version} to the current workflow</h3>
      {diff.name && (
        <p className={historyStyles.changed}>
          Renamed “{diff.name.from}” → “{diff.name.to}”
        </p>
      )}
      <DiffList
        title="Nodes added"
        className={historyStyles.added}
        items={diff.nodes.added.map((n) => `${n.id} (${n.type})`)}
      />
      <DiffList
        title="Nodes removed"
        className={historyStyles.removed}
        items={diff.nodes.removed.map((n) => `${n.id} (${n.type})`)}
      />
      {diff.nodes.changed.length > 0 && (
        <>
          <b>Nodes changed</b>
          <ul>
            {diff.nodes.changed.map((c) => (
              <li key={c.id} className={historyStyles.changed}>
                {c.id} ({c.type})
                <ul>
                  {c.typeChange && (
                    <li>
                      type: {c.typeChange.from} → {c.typeChange.to}
                    </li>
                  )}
                  {c.modeChange && (
                    <li>
                      mode: {c.modeChange.from} → {c.modeChange.to}
                    </li>
                  )}
                  {c.params.map((p) => (
                    <li key={p.key} className={styles[p.kind]}>
                      {p.key}: {p.kind === "added" ? "added " : ""}
                      {p.kind === "removed" ? `removed (was ${formatValue(p.from)})` : ""}
                      {p.kind === "added" ? formatValue(p.to) : ""}
                      {p.kind === "changed" ? `${formatValue(p.from)} → ${formatValue(p.to)}` : ""}
                    </li>
                  ))}
                </ul>
              </li>
            ))}
          </ul>
        </>
      )}
      <DiffList
        title="Wires added"
        className={historyStyles.added}
        items={diff.edges.added.map(
          (e) => `${e.source}.${e.sourceHandle} → ${e.target}.${e.targetHandle}`,
        )}
      />
      <DiffList
        title="Wires removed"
        className={historyStyles.removed}
        items={diff.edges.removed.map(
          (e) => `${e.source}.${e.sourceHandle} → ${e.target}.${e.targetHandle}`,
        )}
      />
      {diff.moved.length > 0 && <p className={styles.muted}>{diff.moved.length} node(s) moved.</p>}
    </div>
  );
}

function DiffList({
  title,
  className,
  items,
}: {
  title: string;
  className: string;
  items: readonly string[];
}) {
  if (items.length === 0) return null;
  return (
    <>
      <b>{title}</b>
      <ul>
        {items.map((text, i) => (
          <li key={i} className={className}>
            {text}
          </li>
        ))}
      </ul>
    </>
  );
}
