"use client";
import Link from "next/link";
import { useEditor } from "../features/canvas/editor-store";
import { useRun } from "../features/runs/run-store";
import { AccountMenu } from "../features/account/AccountMenu";
import { usePanels } from "../features/panels/panel-store";
import { ServerRunControls } from "../features/server-runs/ServerRunControls";
import { keysLabel } from "../features/shortcuts/shortcuts";

interface ToolbarProps {
  readonly saving: boolean;
  /** Saves a new version; false when it did not save (a server run then does not start). */
  onSave(): Promise<boolean>;
  onAddNode(): void;
  onRun(): void;
  /** Runs the one selected node and what it needs. */
  onRunToHere(): void;
  onCancel(): void;
  onExport(): void;
  onImport(file: File): void;
  /** Templates are read-only: nothing to publish. */
  readonly isTemplate: boolean;
}

/**
 * Name, save state, the main actions, and which compute backend the runtime got. Its dialogs
 * open through the panel store.
 */
export function Toolbar(props: ToolbarProps) {
  const name = useEditor((s) => s.name);
  const dirty = useEditor((s) => s.revision !== s.savedRevision);
  const baseVersion = useEditor((s) => s.baseVersion);
  const running = useRun((s) => s.running);
  const backend = useRun((s) => s.backend);
  const saved = useEditor((s) => s.workflowId !== null);
  const openPanel = usePanels((s) => s.openPanel);
  const oneSelected = useEditor((s) => s.nodes.filter((n) => n.selected).length === 1);
  return (
    <header className="toolbar">
      <Link href="/library" className="brand" title="Workflow library">
        Leffa Studio
      </Link>
      <input
        className="name"
        aria-label="workflow name"
        value={name}
        onChange={(e) => useEditor.getState().setName(e.target.value)}
      />
      <span className={`save-state ${dirty ? "dirty" : "clean"}`} data-testid="save-state">
        {dirty ? "unsaved changes" : "saved"}
      </span>
      {baseVersion !== null && (
        <span className="hint" data-testid="saved-version" title="The saved version being edited">
          v{baseVersion}
        </span>
      )}
      <button
        type="button"
        onClick={() => void props.onSave()}
        disabled={props.saving}
        title="Save (Ctrl+S)"
      >
        {props.saving ? "Saving…" : "Save"}
      </button>
      <button
        type="button"
        onClick={() => openPanel("history")}
        disabled={!saved}
        title={saved ? "Versions: compare and restore" : "Save first to keep versions"}
        data-testid="open-history"
      >
        History
      </button>
      <button
        type="button"
        onClick={() => openPanel("share")}
        disabled={!saved || props.isTemplate}
        title={
          props.isTemplate
            ? "Templates are read-only: use the template, then share your copy"
            : saved
              ? "Publish by link or in the public gallery"
              : "Save first to share"
        }
        data-testid="open-share"
      >
        Share
      </button>
      <button type="button" onClick={props.onAddNode} title="Add a node (Ctrl+K)">
        + Add node
      </button>
      <button
        type="button"
        className="primary"
        onClick={props.onRun}
        disabled={running}
        title="Run (Ctrl+Enter)"
      >
        {running ? "Running…" : "▶ Run"}
      </button>
      <ServerRunControls onSave={props.onSave} />
      <button
        type="button"
        onClick={props.onRunToHere}
        disabled={running || !oneSelected}
        // Not "Run…": the tests find the Run button by its title.
        title={
          oneSelected
            ? `Only the selected node and what it needs; the rest keep their results (${keysLabel("runToHere")})`
            : "Select one node to run to it"
        }
        data-testid="run-to-here"
      >
        Run to here
      </button>
      <button type="button" onClick={props.onCancel} disabled={!running} title="Cancel (Ctrl+.)">
        Cancel
      </button>
      <button type="button" onClick={props.onExport} title="Download the workflow as JSON">
        Export
      </button>
      <label className="button" title="Open a workflow JSON or a PNG saved by the studio">
        Import
        <input
          type="file"
          hidden
          accept="application/json,.json,image/png"
          aria-label="import workflow file"
          onChange={(e) => {
            const file = e.target.files?.[0];
            e.target.value = "";
            if (file) props.onImport(file);
          }}
        />
      </label>
      <button
        type="button"
        onClick={() => openPanel("models")}
        title="Install, cache and import models; see their licences"
      >
        Models
      </button>
      <span className="spacer" />
      <AccountMenu />
      <span
        className={`backend backend-${backend?.name ?? "starting"}`}
        data-testid="backend"
        title={backend?.detail}
      >
        {backend ? `${backend.name.toUpperCase()} · ${backend.detail}` : "starting runtime…"}
      </span>
      <button
        type="button"
        onClick={() => openPanel("help")}
        title="Keyboard shortcuts (?)"
        aria-label="help"
      >
        ?
      </button>
    </header>
  );
}
