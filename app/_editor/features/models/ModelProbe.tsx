"use client";

import { useState } from "react";
import type { ProbeResult } from "@/workers/models/probe";
import { probeModel } from "../../shared/runtime-client";

function seconds(ms: number): string {
  return ms < 1000 ? `${ms.toFixed(0)} ms` : `${(ms / 1000).toFixed(1)} s`;
}

/**
 * "Test": loads a model in this browser's runtime and runs it once on a fixed input, showing the
 * backend it got (WebGPU, or WASM and why), how long loading and running took, and a summary of
 * the output. The samples are kept on the element, so two backends can be compared value by value.
 */
export function ModelProbe(props: { modelId: string; title: string; disabled: boolean }) {
  const [state, setState] = useState<
    | { kind: "idle" }
    | { kind: "running" }
    | { kind: "done"; result: ProbeResult }
    | { kind: "error"; message: string }
  >({ kind: "idle" });

  const run = () => {
    setState({ kind: "running" });
    probeModel(props.modelId).then(
      (result) => setState({ kind: "done", result }),
      (err: unknown) =>
        setState({ kind: "error", message: err instanceof Error ? err.message : String(err) }),
    );
  };

  return (
    <div className="model-probe">
      <button
        type="button"
        onClick={run}
        disabled={props.disabled || state.kind === "running"}
        aria-label={`Test ${props.title} on this device`}
      >
        {state.kind === "running" ? "Testing…" : "Test"}
      </button>
      {state.kind === "done" && (
        <span
          className="hint"
          data-testid="model-probe"
          data-backend={state.result.backend.name}
          data-load-ms={state.result.loadMs.toFixed(1)}
          data-files-ms={state.result.filesMs.toFixed(1)}
          data-ms={state.result.ms.toFixed(1)}
          data-samples={JSON.stringify(state.result.output.samples)}
          title={state.result.backend.detail}
        >
          {`ran on ${state.result.backend.name} in ${seconds(state.result.ms)} (loaded in ${seconds(state.result.loadMs)}) · ${state.result.output.name} [${state.result.output.dims.join("×")}], mean ${state.result.output.mean.toFixed(4)}`}
        </span>
      )}
      {state.kind === "error" && (
        <span className="model-error" role="alert">
          {state.message}
        </span>
      )}
    </div>
  );
}
