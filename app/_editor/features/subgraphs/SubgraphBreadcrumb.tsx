"use client";
import { useEditor } from "../canvas/editor-store";
import { usePanels } from "../panels/panel-store";
import styles from "./subgraphs.module.css";

/**
 * Above the canvas: where the canvas is (the workflow, or a subgraph inside it; each step
 * leads back out), and the library's components to add.
 */
export function SubgraphBreadcrumb() {
  const scope = useEditor((s) => s.scope);
  const name = useEditor((s) => s.name);
  const inner = useEditor((s) =>
    s.scope.length > 0 ? s.subgraphs[s.scope[s.scope.length - 1].key] : undefined,
  );
  return (
    <nav
      className={`${styles.breadcrumb}${scope.length > 0 ? ` ${styles.inside}` : ""}`}
      aria-label="Where you are"
      data-testid="subgraph-breadcrumb"
    >
      {scope.length > 0 && (
        <>
          <button type="button" onClick={() => useEditor.getState().leaveSubgraph(0)}>
            {name}
          </button>
          {scope.map((frame, i) => (
            <span key={frame.key}>
              {" › "}
              {i < scope.length - 1 ? (
                <button type="button" onClick={() => useEditor.getState().leaveSubgraph(i + 1)}>
                  {frame.name}
                </button>
              ) : (
                <strong data-testid="subgraph-current">{frame.name}</strong>
              )}
            </span>
          ))}
          {inner && (
            <span className={styles.exposed}>
              {" "}
              — shows {inner.inputs.map((m) => m.name).join(", ") || "no inputs"} →{" "}
              {inner.outputs.map((m) => m.name).join(", ") || "no outputs"}
            </span>
          )}
        </>
      )}
      <button
        type="button"
        data-testid="open-components"
        onClick={() => usePanels.getState().openPanel("components")}
      >
        Components…
      </button>
    </nav>
  );
}
