"use client";
import Link from "next/link";
import { useCallback, useEffect, useState } from "react";
import { apiCall as api } from "../_editor/api-client";

interface Row {
  readonly id: string;
  readonly name: string;
  readonly updatedAt: string;
  readonly nodeCount: number;
  readonly hasThumbnail: boolean;
}

/** Saved workflows: open, rename, duplicate, delete. */
export function Library() {
  const [rows, setRows] = useState<Row[] | null>(null);
  const [error, setError] = useState<string | null>(null);

  const reload = useCallback(async () => {
    try {
      const body = await api<{ workflows: Row[] }>("/api/workflows");
      setRows(body.workflows);
      setError(null);
    } catch (err) {
      setError((err as Error).message);
    }
  }, []);

  useEffect(() => {
    // Loading on mount is the effect's purpose; the state it sets is the fetched list.
    // eslint-disable-next-line react-hooks/set-state-in-effect
    void reload();
  }, [reload]);

  const act = async (work: () => Promise<unknown>) => {
    try {
      await work();
      await reload();
    } catch (err) {
      setError((err as Error).message);
    }
  };

  return (
    <div className="library">
      <header className="toolbar">
        <Link href="/" className="brand">
          Leffa Studio
        </Link>
        <h1>Library</h1>
        <span className="spacer" />
        <Link href="/" className="button primary">
          + New workflow
        </Link>
      </header>
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
      {rows === null && !error && <p className="hint">Loading…</p>}
      {rows?.length === 0 && <p className="hint">No saved workflows yet.</p>}
      <ul className="library-grid">
        {rows?.map((w) => (
          <li key={w.id} className="library-card" data-testid="library-card">
            <Link href={`/w/${w.id}`} className="thumb">
              {w.hasThumbnail ? (
                // eslint-disable-next-line @next/next/no-img-element -- stored thumbnail served by our API
                <img
                  src={`/api/workflows/${w.id}/thumbnail?v=${encodeURIComponent(w.updatedAt)}`}
                  alt=""
                />
              ) : (
                <span className="no-thumb">no preview</span>
              )}
            </Link>
            <div className="meta">
              <Link href={`/w/${w.id}`} className="title">
                {w.name}
              </Link>
              <span>
                {w.nodeCount} nodes · updated {new Date(w.updatedAt).toLocaleString()}
              </span>
            </div>
            <div className="actions">
              <button
                type="button"
                onClick={() => {
                  const name = window.prompt("New name", w.name);
                  if (name && name.trim() && name !== w.name)
                    void act(() =>
                      api(`/api/workflows/${w.id}`, {
                        method: "PATCH",
                        body: JSON.stringify({ name }),
                      }),
                    );
                }}
              >
                Rename
              </button>
              <button
                type="button"
                onClick={() =>
                  void act(() => api(`/api/workflows/${w.id}/duplicate`, { method: "POST" }))
                }
              >
                Duplicate
              </button>
              <button
                type="button"
                className="danger"
                onClick={() => {
                  if (window.confirm(`Delete "${w.name}" and all its versions?`))
                    void act(() => api(`/api/workflows/${w.id}`, { method: "DELETE" }));
                }}
              >
                Delete
              </button>
            </div>
          </li>
        ))}
      </ul>
    </div>
  );
}
