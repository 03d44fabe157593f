"use client";
import { useEffect, useState } from "react";
import { subgraphKey } from "@/nodes/core/subgraph-structure";
import { useToasts } from "../../shared/toasts";
import styles from "./subgraphs.module.css";
import { useEditor } from "../canvas/editor-store";
import { useComponentVersions } from "./component-versions";
import { updateComponent } from "./subgraph-actions";

/**
 * The strip under a subgraph node's title: open it to edit inside, which library component and
 * version it is, and the update when the library has a newer version.
 */
export function SubgraphBar({ id, type }: { id: string; type: string }) {
  const key = subgraphKey(type) ?? "";
  const def = useEditor((s) => s.subgraphs[key]);
  const origin = def?.component;
  const latest = useComponentVersions((s) => (origin ? s.latest[origin.id] : undefined));
  const [busy, setBusy] = useState(false);
  useEffect(() => {
    if (origin) useComponentVersions.getState().check(origin.id);
  }, [origin]);
  if (!def) return null;
  const newer = origin && latest !== undefined && latest > origin.version ? latest : undefined;
  return (
    <div className={`${styles.bar} nodrag`} data-testid="subgraph-bar">
      <span>{def.nodes.length} nodes</span>
      {origin && (
        <span className={styles.version} data-testid="component-version">
          component v{origin.version}
        </span>
      )}
      {newer !== undefined && (
        <button
          type="button"
          data-testid="component-update"
          className={styles.update}
          disabled={busy}
          title={`The library has version ${newer} of this component`}
          onClick={() => {
            setBusy(true);
            void updateComponent(key).then((r) => {
              setBusy(false);
              useToasts.getState().push(r.text, r.ok ? "info" : "error");
            });
          }}
        >
          Update to v{newer}
        </button>
      )}
      <button
        type="button"
        data-testid="open-subgraph"
        onClick={() => {
          const reason = useEditor.getState().enterSubgraph(id);
          if (reason) useToasts.getState().push(reason, "error");
        }}
      >
        Open
      </button>
    </div>
  );
}
