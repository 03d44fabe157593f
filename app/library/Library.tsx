"use client";
import Link from "next/link";
import { useCallback, useEffect, useState } from "react";
import { apiCall as api } from "../_editor/shared/api-client";
import styles from "./library.module.css";
import { AccountMenu } from "../_editor/features/account/AccountMenu";

interface Row {
  readonly id: string;
  readonly name: string;
  readonly description: string;
  readonly tags: readonly string[];
  readonly updatedAt: string;
  readonly nodeCount: number;
  readonly hasThumbnail: boolean;
  readonly isTemplate: boolean;
  readonly visibility: "private" | "link" | "public";
}

interface Page {
  readonly workflows: Row[];
  readonly nextOffset: number | null;
}

const SORTS = [
  ["updated", "Last updated"],
  ["opened", "Recently opened"],
  ["created", "Newest"],
  ["name", "Name"],
] as const;

type Sort = (typeof SORTS)[number][0];

const PAGE = 60;

/** Waits until typing pauses before searching, so each keystroke is not a request. */
function useDebounced<T>(value: T, ms: number): T {
  const [settled, setSettled] = useState(value);
  useEffect(() => {
    const timer = setTimeout(() => setSettled(value), ms);
    return () => clearTimeout(timer);
  }, [value, ms]);
  return settled;
}

function listPath(kind: "mine" | "templates", q: string, tag: string, sort: Sort, offset = 0) {
  const params = new URLSearchParams({ kind, sort, limit: String(PAGE), offset: String(offset) });
  if (q.trim()) params.set("q", q.trim());
  if (tag) params.set("tag", tag);
  return `/api/workflows?${params}`;
}

/** Saved workflows: search, filter, sort; open, rename, describe, tag, duplicate, delete. */
export function Library() {
  const [rows, setRows] = useState<Row[] | null>(null);
  const [nextOffset, setNextOffset] = useState<number | null>(null);
  const [templates, setTemplates] = useState<Row[]>([]);
  const [error, setError] = useState<string | null>(null);
  const [search, setSearch] = useState("");
  const [tag, setTag] = useState("");
  const [sort, setSort] = useState<Sort>("updated");
  const [editing, setEditing] = useState<string | null>(null);
  const q = useDebounced(search, 250);

  const reload = useCallback(async () => {
    try {
      const [mine, examples] = await Promise.all([
        api<Page>(listPath("mine", q, tag, sort)),
        api<Page>(listPath("templates", q, tag, "name")),
      ]);
      setRows(mine.workflows);
      setNextOffset(mine.nextOffset);
      setTemplates(examples.workflows);
      setError(null);
    } catch (err) {
      setError((err as Error).message);
    }
  }, [q, tag, sort]);

  useEffect(() => {
    // Loading on mount (and when the query changes) is the effect's purpose.
    // eslint-disable-next-line react-hooks/set-state-in-effect
    void reload();
  }, [reload]);

  const loadMore = async () => {
    if (nextOffset === null) return;
    try {
      const page = await api<Page>(listPath("mine", q, tag, sort, nextOffset));
      setRows((r) => [...(r ?? []), ...page.workflows]);
      setNextOffset(page.nextOffset);
    } catch (err) {
      setError((err as Error).message);
    }
  };

  const act = async (work: () => Promise<unknown>) => {
    try {
      await work();
      await reload();
    } catch (err) {
      setError((err as Error).message);
    }
  };

  const copyTemplate = async (id: string) => {
    try {
      const copy = await api<{ id: string }>(`/api/workflows/${id}/use`, { method: "POST" });
      window.location.assign(`/w/${copy.id}`);
    } catch (err) {
      setError((err as Error).message);
    }
  };

  const filtering = q.trim() !== "" || tag !== "";

  return (
    <div className="library">
      <header className="toolbar">
        <Link href="/" className="brand">
          Leffa Studio
        </Link>
        <h1>Library</h1>
        <span className="spacer" />
        <AccountMenu />
        <Link href="/gallery" className="button">
          Public gallery
        </Link>
        <Link href="/" className="button primary">
          + New workflow
        </Link>
      </header>
      <div className={styles.filters}>
        <input
          type="search"
          placeholder="Search names, descriptions, tags"
          aria-label="search workflows"
          data-testid="library-search"
          value={search}
          onChange={(e) => setSearch(e.target.value)}
        />
        <label>
          Sort{" "}
          <select
            aria-label="sort workflows"
            data-testid="library-sort"
            value={sort}
            onChange={(e) => setSort(e.target.value as Sort)}
          >
            {SORTS.map(([value, label]) => (
              <option key={value} value={value}>
                {label}
              </option>
            ))}
          </select>
        </label>
        {tag && (
          <button type="button" data-testid="library-tag-filter" onClick={() => setTag("")}>
            tag: {tag} ✕
          </button>
        )}
      </div>
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
      {templates.length > 0 && (
        <>
          <h2 className={styles.section}>Templates</h2>
          <ul className="library-grid">
            {templates.map((w) => (
              <li key={w.id} className="library-card" data-testid="template-card">
                <Link href={`/w/${w.id}`} className="thumb">
                  <Thumb row={w} />
                </Link>
                <div className="meta">
                  <Link href={`/w/${w.id}`} className="title">
                    {w.name}
                  </Link>
                  <span>{w.nodeCount} nodes · read-only template</span>
                  {w.description && <p className={styles.description}>{w.description}</p>}
                  <Tags tags={w.tags} onPick={setTag} />
                </div>
                <div className="actions">
                  <button
                    type="button"
                    className="primary"
                    data-testid="use-template"
                    onClick={() => void copyTemplate(w.id)}
                  >
                    Use template
                  </button>
                </div>
              </li>
            ))}
          </ul>
          <h2 className={styles.section}>Your workflows</h2>
        </>
      )}
      {rows === null && !error && <p className="hint">Loading…</p>}
      {rows?.length === 0 && (
        <p className="hint">{filtering ? "No workflows match." : "No saved workflows yet."}</p>
      )}
      <ul className="library-grid">
        {rows?.map((w) => (
          <li key={w.id} className="library-card" data-testid="library-card">
            <Link href={`/w/${w.id}`} className="thumb">
              <Thumb row={w} />
            </Link>
            <div className="meta">
              <Link href={`/w/${w.id}`} className="title">
                {w.name}
              </Link>
              <span>
                {w.nodeCount} nodes · updated {new Date(w.updatedAt).toLocaleString()}
              </span>
              {w.visibility !== "private" && (
                <span className={styles.badge} data-testid="library-visibility">
                  {w.visibility === "public" ? "public" : "shared by link"}
                </span>
              )}
              {w.description && <p className={styles.description}>{w.description}</p>}
              <Tags tags={w.tags} onPick={setTag} />
            </div>
            {editing === w.id ? (
              <DetailsForm
                row={w}
                onCancel={() => setEditing(null)}
                onSave={(body) =>
                  act(async () => {
                    await api(`/api/workflows/${w.id}`, {
                      method: "PATCH",
                      body: JSON.stringify(body),
                    });
                    setEditing(null);
                  })
                }
              />
            ) : (
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
                <button type="button" data-testid="edit-details" onClick={() => setEditing(w.id)}>
                  Details
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
            )}
          </li>
        ))}
      </ul>
      {nextOffset !== null && (
        <div className={styles.more}>
          <button type="button" data-testid="library-more" onClick={() => void loadMore()}>
            Load more
          </button>
        </div>
      )}
    </div>
  );
}

function Thumb({ row }: { row: Row }) {
  return row.hasThumbnail ? (
    // eslint-disable-next-line @next/next/no-img-element -- stored thumbnail served by our API
    <img src={`/api/workflows/${row.id}/thumbnail?v=${encodeURIComponent(row.updatedAt)}`} alt="" />
  ) : (
    <span className="no-thumb">no preview</span>
  );
}

function Tags({ tags, onPick }: { tags: readonly string[]; onPick(tag: string): void }) {
  if (tags.length === 0) return null;
  return (
    <div className={styles.tags}>
      {tags.map((t) => (
        <button
          key={t}
          type="button"
          className={styles.tag}
          title={`Show workflows tagged "${t}"`}
          data-testid="library-tag"
          onClick={() => onPick(t)}
        >
          {t}
        </button>
      ))}
    </div>
  );
}

function DetailsForm({
  row,
  onSave,
  onCancel,
}: {
  row: Row;
  onSave(body: { description: string; tags: string[] }): void;
  onCancel(): void;
}) {
  const [description, setDescription] = useState(row.description);
  const [tags, setTags] = useState(row.tags.join(", "));
  return (
    <form
      className={styles.details}
      data-testid="details-form"
      onSubmit={(e) => {
        e.preventDefault();
        onSave({ description, tags: tags.split(",").filter((t) => t.trim() !== "") });
      }}
    >
      <textarea
        aria-label="description"
        placeholder="Description"
        maxLength={2000}
        value={description}
        onChange={(e) => setDescription(e.target.value)}
      />
      <input
        aria-label="tags"
        placeholder="Tags, separated by commas"
        value={tags}
        onChange={(e) => setTags(e.target.value)}
      />
      <div className="actions" style={{ padding: 0 }}>
        <button type="submit" className="primary">
          Save details
        </button>
        <button type="button" onClick={onCancel}>
          Cancel
        </button>
      </div>
    </form>
  );
}
