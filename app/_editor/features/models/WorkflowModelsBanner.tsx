"use client";
import { useEffect, useMemo, useRef, useState } from "react";
import { useShallow } from "zustand/react/shallow";
import { getNodeDefinition } from "@/nodes";
import { workflowModels } from "@/nodes/core/required-models";
import { humanBytes } from "@/models/install/format";
import { useEditor } from "../canvas/editor-store";
import {
  bannerText,
  fetchInstallPlan,
  missingCount,
  PENDING_INSTALL_KEY,
  stepsToInstall,
  type InstallPlan,
} from "./install-plan";
import { installModelOnServer, type InstallProgress } from "./models-api";

/**
 * "This workflow needs N models (X GB to download, Y GB on disk) — Install all": shown while the
 * open workflow's nodes, with their current params, need models the server lacks. Install all
 * runs the server's plan step by step (downloads, and conversions that fetch their own
 * checkpoint) in one progress view, with Cancel; an install cut short by a reload or a server
 * restart is offered again ("Resume") and picks up the partial downloads. Members of a studio
 * with accounts on are told to ask an administrator.
 */
export function WorkflowModelsBanner({ className }: { className?: string }) {
  const key = useEditor(
    useShallow((s) =>
      s.nodes.map((n) => `${n.data.nodeType}:${JSON.stringify(n.data.params)}`).join("\n"),
    ),
  );
  const ids = useMemo(() => {
    const nodes = useEditor.getState().nodes.map((n) => ({
      type: n.data.nodeType,
      params: n.data.params,
    }));
    return workflowModels({ nodes } as never, getNodeDefinition);
    // The key is the nodes' types and params: nothing else changes what they need.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [key]);
  const [state, setState] = useState<{ plan: InstallPlan; canInstall: boolean } | null>(null);
  const [refresh, setRefresh] = useState(0);
  const [progress, setProgress] = useState<{
    step: number;
    steps: number;
    line: InstallProgress | null;
  } | null>(null);
  const [error, setError] = useState<string | null>(null);
  // An "Install all" that a reload or a server restart cut short.
  const [pending, setPending] = useState(
    () =>
      typeof window !== "undefined" && window.localStorage.getItem(PENDING_INSTALL_KEY) !== null,
  );
  const abort = useRef<AbortController | null>(null);

  useEffect(() => {
    if (ids.length === 0) return;
    const controller = new AbortController();
    const timer = setTimeout(() => {
      fetchInstallPlan(ids, controller.signal).then(setState, () => undefined);
    }, 300);
    return () => {
      clearTimeout(timer);
      controller.abort();
    };
  }, [ids, refresh]);

  if (ids.length === 0 || !state || missingCount(state.plan) === 0) return null;
  const { plan, canInstall } = state;

  const installAll = async () => {
    const steps = stepsToInstall(plan);
    const controller = new AbortController();
    abort.current = controller;
    setError(null);
    window.localStorage.setItem(PENDING_INSTALL_KEY, JSON.stringify(ids));
    try {
      for (const [i, id] of steps.entries()) {
        setProgress({ step: i + 1, steps: steps.length, line: null });
        await installModelOnServer(
          id,
          (line) => setProgress({ step: i + 1, steps: steps.length, line }),
          controller.signal,
        );
      }
      window.localStorage.removeItem(PENDING_INSTALL_KEY);
      setPending(false);
    } catch (err) {
      setError(
        controller.signal.aborted
          ? "Install cancelled: what was downloaded is kept, Resume picks it up."
          : (err as Error).message,
      );
      setPending(true);
    } finally {
      abort.current = null;
      setProgress(null);
      setRefresh((r) => r + 1);
    }
  };

  const line = progress?.line;
  const fraction = line?.total ? Math.min(1, line.bytes / line.total) : null;
  return (
    <div className={className} role="status" data-testid="workflow-models-banner">
      <span className="models-banner-text">{bannerText(plan)}</span>
      {progress ? (
        <>
          <span className="models-banner-progress" data-testid="install-progress">
            step {progress.step}/{progress.steps}
            {line &&
              ` · ${line.phase} ${line.file}` +
                (line.phase === "convert"
                  ? ` (${line.bytes}/${line.total ?? "?"})`
                  : ` ${humanBytes(line.bytes)}${line.total ? ` / ${humanBytes(line.total)}` : ""}`)}
            <progress max={1} value={fraction ?? undefined} />
          </span>
          <button type="button" className="small" onClick={() => abort.current?.abort()}>
            Cancel
          </button>
        </>
      ) : canInstall ? (
        <button type="button" className="small primary" onClick={installAll}>
          {pending ? "Resume install" : "Install all"}
        </button>
      ) : (
        <span>Ask an administrator to install them.</span>
      )}
      {error && (
        <span className="models-banner-error" role="alert">
          {error}
        </span>
      )}
    </div>
  );
}
