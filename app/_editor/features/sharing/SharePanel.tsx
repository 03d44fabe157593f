"use client";
import { Modal } from "../../shared/Modal";
import { useState } from "react";
import { setVisibility, type ShareState, type Visibility } from "../../shared/api-client";
import styles from "../../shared/panels.module.css";

const CHOICES: { value: Visibility; label: string; detail: string }[] = [
  { value: "private", label: "Private", detail: "Only in your library." },
  { value: "link", label: "Anyone with the link", detail: "Read-only page; they can fork it." },
  { value: "public", label: "Public", detail: "Also listed in the public gallery." },
];

/** Publish by link, list in the gallery, or unpublish (which revokes the link for good). */
export function SharePanel({
  workflowId,
  state,
  onChange,
  onClose,
}: {
  workflowId: string;
  state: ShareState;
  onChange(state: ShareState): void;
  onClose(): void;
}) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [copied, setCopied] = useState(false);
  const url =
    state.shareToken && typeof window !== "undefined"
      ? `${window.location.origin}/s/${state.shareToken}`
      : null;

  const choose = async (visibility: Visibility) => {
    if (visibility === state.visibility) return;
    if (
      visibility === "private" &&
      !window.confirm("Unpublish? The current link stops working, for good.")
    )
      return;
    setBusy(true);
    try {
      onChange(await setVisibility(workflowId, visibility));
      setError(null);
      setCopied(false);
    } catch (err) {
      setError((err as Error).message);
    } finally {
      setBusy(false);
    }
  };

  return (
    <Modal label="Share" className={styles.panel} testId="share-panel" onClose={onClose}>
      <h2>Share</h2>
      <p className="hint">Shared pages show the saved version, not unsaved edits.</p>
      {CHOICES.map((c) => (
        <label key={c.value} className={styles.row}>
          <input
            type="radio"
            name="visibility"
            value={c.value}
            checked={state.visibility === c.value}
            disabled={busy}
            data-testid={`share-visibility-${c.value}`}
            onChange={() => void choose(c.value)}
          />
          <b>{c.label}</b>
          <span className={styles.muted}>{c.detail}</span>
        </label>
      ))}
      {url && (
        <div className={styles.row}>
          <input className={styles.link} readOnly value={url} data-testid="share-link" />
          <button
            type="button"
            onClick={() => {
              void navigator.clipboard.writeText(url).then(() => setCopied(true));
            }}
          >
            {copied ? "Copied" : "Copy link"}
          </button>
          <a href={url} target="_blank" rel="noreferrer" className="button">
            Open
          </a>
        </div>
      )}
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
      <div className={styles.row}>
        <button type="button" onClick={onClose}>
          Close
        </button>
      </div>
    </Modal>
  );
}
