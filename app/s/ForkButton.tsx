"use client";
import { useState } from "react";
import { apiCall } from "../_editor/shared/api-client";

/** Copies the shared workflow into this studio's library and opens the copy in the editor. */
export function ForkButton({ token }: { token: string }) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  return (
    <>
      <button
        type="button"
        className="primary"
        disabled={busy}
        data-testid="fork"
        onClick={() => {
          setBusy(true);
          apiCall<{ id: string }>(`/api/share/${encodeURIComponent(token)}/fork`, {
            method: "POST",
          }).then(
            (copy) => window.location.assign(`/w/${copy.id}`),
            (err: Error) => {
              setError(`Not forked: ${err.message}`);
              setBusy(false);
            },
          );
        }}
      >
        {busy ? "Forking…" : "Fork into my library"}
      </button>
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
    </>
  );
}
