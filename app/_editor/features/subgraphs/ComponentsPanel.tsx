"use client";
import { useEffect, useState } from "react";
import { Modal } from "../../shared/Modal";
import styles from "../../shared/panels.module.css";
import { listComponents, type ComponentSummary } from "./components-api";
import { insertComponent } from "./subgraph-actions";

/** The library's components: pick one to add a node of it to the canvas. */
export function ComponentsPanel({
  at,
  onClose,
  onError,
}: {
  at(): { x: number; y: number };
  onClose(): void;
  onError(message: string): void;
}) {
  const [list, setList] = useState<ComponentSummary[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    listComponents().then(setList, (err: Error) => setError(err.message));
  }, []);
  return (
    <Modal label="Components" testId="components-panel" onClose={onClose}>
      <div className={styles.panel}>
        <h2>Components</h2>
        <p className={styles.muted}>
          Subgraphs saved to the library (a subgraph node&apos;s menu: “Save as component”).
        </p>
        {error && <p role="alert">{error}</p>}
        {list === null && !error && <p>Loading…</p>}
        {list?.length === 0 && <p>No components yet.</p>}
        <ul className="component-list">
          {list?.map((c) => (
            <li key={c.id}>
              <button
                type="button"
                data-testid="insert-component"
                onClick={() => {
                  insertComponent(c.id, at()).then(onClose, (err: Error) => onError(err.message));
                }}
              >
                Add “{c.name}”
              </button>
            </li>
          ))}
        </ul>
      </div>
    </Modal>
  );
}
