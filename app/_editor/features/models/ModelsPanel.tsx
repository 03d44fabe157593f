"use client";
import { useCallback, useEffect, useRef, useState } from "react";
import { ModelProbe } from "./ModelProbe";
import {
  browserCopy,
  fetchModels,
  formatBytes,
  importTarget,
  installModelOnServer,
  licenceFlags,
  modelSize,
  removeModelOnServer,
  wantedFiles,
  type CachedModelFile,
  type InstallProgress,
  type LicenceFlag,
  type ModelSummary,
} from "./models-api";
import {
  cacheModelFile,
  cancelModelDownload,
  clearModelCache,
  importModelFile,
  listCachedModels,
} from "../../shared/runtime-client";

/**
 * The Models panel: every model the manifest knows, whether the server has it installed and
 * whether this browser has cached it, with the actions that change either. Installing runs on
 * the server (NDJSON progress); caching and importing run in the worker, which owns the cache.
 */

interface FileProgress {
  readonly loaded: number;
  readonly total: number | null;
}

type Activity =
  | { readonly kind: "install"; readonly progress: InstallProgress | null }
  | {
      readonly kind: "cache";
      readonly downloadId: string;
      readonly files: Record<string, FileProgress>;
    }
  | { readonly kind: "busy"; readonly what: string };

const FLAG_TEXT: Record<LicenceFlag, string> = {
  copyleft: "copyleft (AGPL/GPL): sharing obligations",
  "non-commercial": "non-commercial use only",
  "commercial-unclear": "commercial use not cleared",
};

function percent(loaded: number, total: number | null): number | null {
  return total ? Math.min(100, Math.round((loaded / total) * 100)) : null;
}

function ProgressBar({ label, loaded, total }: { label: string } & FileProgress) {
  const pct = percent(loaded, total);
  const amount = total ? `${formatBytes(loaded)} of ${formatBytes(total)}` : formatBytes(loaded);
  return (
    <div className="models-progress-row">
      <span className="models-progress-label">{label}</span>
      <div
        className="models-progress"
        role="progressbar"
        aria-label={label}
        aria-valuemin={0}
        aria-valuemax={100}
        aria-valuenow={pct ?? undefined}
        aria-valuetext={pct === null ? amount : `${pct} % (${amount})`}
      >
        <div style={{ width: `${pct ?? 100}%` }} className={pct === null ? "indeterminate" : ""} />
      </div>
      <span className="models-progress-value">{pct === null ? amount : `${pct} %`}</span>
    </div>
  );
}

function LicenceLine({ model }: { model: ModelSummary }) {
  const flags = licenceFlags(model.licence);
  return (
    <div className="model-licence">
      <span className="hint">Licence </span>
      <a href={model.licence.url} target="_blank" rel="noreferrer">
        {model.licence.spdx}
      </a>
      {flags.map((f) => (
        <span key={f} className={`badge badge-${f}`} data-testid="licence-flag">
          {FLAG_TEXT[f]}
        </span>
      ))}
      {model.licence.notice && <p className="model-notice">{model.licence.notice}</p>}
    </div>
  );
}

function ServerStatus({ model }: { model: ModelSummary }) {
  const size = modelSize(model);
  if (model.installed) {
    const date = new Date(model.installed.installedAt).toLocaleDateString();
    return (
      <span className="model-status status-installed" data-testid="model-server-status">
        Installed on the server · {size === null ? "" : formatBytes(size)} · {date}
      </span>
    );
  }
  return (
    <span className="model-status status-missing" data-testid="model-server-status">
      Not installed
      {size === null ? " · size known once built" : ` · ${formatBytes(size)}`}
    </span>
  );
}

function BrowserStatus({ model, cached }: { model: ModelSummary; cached: CachedModelFile[] }) {
  const copy = browserCopy(model, cached);
  const wanted = model.files.length;
  let text: string;
  let state: string;
  if (copy.complete) {
    const unchecked = copy.current.some((c) => c.origin === "import-unchecked");
    text = `Cached in this browser · ${formatBytes(copy.bytes)}${unchecked ? " · imported, unchecked" : ""}`;
    state = "cached";
  } else if (copy.current.length || copy.stale.length) {
    const stale = copy.stale.length ? ` (${copy.stale.length} of an older version)` : "";
    text = `Partly cached · ${copy.current.length} of ${wanted} files${stale} · ${formatBytes(copy.bytes)}`;
    state = "partial";
  } else {
    text = "Not cached in this browser";
    state = "none";
  }
  return (
    <span
      className={`model-status browser-${state}`}
      data-testid="model-browser-status"
      data-state={state}
    >
      {text}
    </span>
  );
}

function ModelRow(props: {
  model: ModelSummary;
  cached: CachedModelFile[];
  activity: Activity | undefined;
  finished: Record<string, FileProgress> | undefined;
  error: string | undefined;
  onInstall(): void;
  onRemove(): void;
  onCache(): void;
  onCancel(): void;
  onImport(file: File): void;
  onClear(): void;
}) {
  const { model, activity } = props;
  const copy = browserCopy(model, props.cached);
  const busy = activity !== undefined;
  return (
    <li className="model-row" data-model-id={model.id} aria-label={model.title}>
      <div className="model-head">
        <strong className="model-title">{model.title}</strong>
        <span className="badge">{model.task}</span>
        {model.optional && <span className="badge badge-optional">optional</span>}
        <code className="model-id">{model.id}</code>
      </div>
      <p className="model-description">{model.description}</p>
      <LicenceLine model={model} />
      <div className="model-statuses">
        <ServerStatus model={model} />
        <BrowserStatus model={model} cached={props.cached} />
      </div>

      {activity?.kind === "install" && (
        <ProgressBar
          label={
            activity.progress
              ? `${activity.progress.phase} ${activity.progress.file}`
              : "starting the install"
          }
          loaded={activity.progress?.bytes ?? 0}
          total={activity.progress?.total ?? null}
        />
      )}
      {activity?.kind === "cache" &&
        Object.entries(activity.files).map(([name, p]) => (
          <ProgressBar key={name} label={`download ${name}`} loaded={p.loaded} total={p.total} />
        ))}
      {!activity &&
        Object.entries(props.finished ?? {}).map(([name, p]) => (
          <ProgressBar key={name} label={`cached ${name}`} loaded={p.loaded} total={p.total} />
        ))}
      {activity?.kind === "busy" && <p className="hint">{activity.what}</p>}
      {props.error && (
        <p className="model-error" role="alert">
          {props.error}
        </p>
      )}

      <div className="model-actions">
        {!model.installed && (
          <button
            type="button"
            onClick={props.onInstall}
            disabled={busy}
            aria-label={`Install ${model.title} on the server`}
          >
            Install
          </button>
        )}
        {model.installed && !copy.complete && (
          <button
            type="button"
            className="primary"
            onClick={props.onCache}
            disabled={busy}
            aria-label={`Cache ${model.title} in this browser`}
          >
            Cache in browser
          </button>
        )}
        {activity?.kind === "cache" && (
          <button
            type="button"
            onClick={props.onCancel}
            aria-label={`Cancel caching ${model.title}`}
          >
            Cancel
          </button>
        )}
        <label
          className={`button${busy ? " disabled" : ""}`}
          title="Cache a model file you already have on disk"
        >
          Import file…
          <input
            type="file"
            hidden
            disabled={busy}
            aria-label={`Import a local file for ${model.title}`}
            onChange={(e) => {
              const file = e.target.files?.[0];
              e.target.value = "";
              if (file) props.onImport(file);
            }}
          />
        </label>
        {(copy.current.length > 0 || copy.stale.length > 0) && (
          <button
            type="button"
            onClick={props.onClear}
            disabled={busy}
            aria-label={`Remove ${model.title} from this browser's cache`}
          >
            Clear from browser
          </button>
        )}
        {model.installed && (
          <button
            type="button"
            className="danger"
            onClick={props.onRemove}
            disabled={busy}
            aria-label={`Remove ${model.title} from the server`}
          >
            Remove from server
          </button>
        )}
      </div>
      {model.onnx && (model.installed || copy.complete) && (
        <ModelProbe modelId={model.id} title={model.title} disabled={busy} />
      )}
    </li>
  );
}

function useStorageEstimate(cached: CachedModelFile[]): string | null {
  const [estimate, setEstimate] = useState<string | null>(null);
  useEffect(() => {
    let live = true;
    void navigator.storage?.estimate?.().then((e) => {
      if (live && e.quota) {
        setEstimate(
          `Browser storage: ${formatBytes(e.usage ?? 0)} used of ${formatBytes(e.quota)}`,
        );
      }
    });
    return () => {
      live = false;
    };
  }, [cached]);
  return estimate;
}

export function ModelsPanel({ onClose }: { onClose(): void }) {
  const [models, setModels] = useState<ModelSummary[] | null>(null);
  const [cached, setCached] = useState<CachedModelFile[]>([]);
  const [loadError, setLoadError] = useState<string | null>(null);
  const [activity, setActivity] = useState<Record<string, Activity>>({});
  const [errors, setErrors] = useState<Record<string, string>>({});
  // The bars of a finished download stay (at 100 %) until the next action on that model, so the
  // user sees what happened even when a download from localhost is over in a blink.
  const [finished, setFinished] = useState<Record<string, Record<string, FileProgress>>>({});
  const dialog = useRef<HTMLDivElement>(null);
  const estimate = useStorageEstimate(cached);

  const refreshes = useRef(0);
  const refresh = useCallback(async () => {
    // Actions on several rows refresh concurrently; only the latest answer may be shown.
    const mine = ++refreshes.current;
    try {
      const [list, inBrowser] = await Promise.all([fetchModels(), listCachedModels()]);
      if (mine !== refreshes.current) return;
      setModels(list);
      setCached(inBrowser);
      setLoadError(null);
    } catch (err) {
      if (mine === refreshes.current) {
        setLoadError(`Could not list the models: ${(err as Error).message}`);
      }
    }
  }, []);

  useEffect(() => {
    void refresh();
    dialog.current?.focus();
  }, [refresh]);

  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (e.key === "Escape") onClose();
    };
    window.addEventListener("keydown", onKey);
    return () => window.removeEventListener("keydown", onKey);
  }, [onClose]);

  const setFor = useCallback(
    (id: string, next: Activity | undefined) =>
      setActivity((all) => {
        const copy = { ...all };
        if (next) copy[id] = next;
        else delete copy[id];
        return copy;
      }),
    [],
  );

  /** Runs one action on one model: shows its error on the row, then refreshes both lists. */
  const act = useCallback(
    async (id: string, start: Activity, work: () => Promise<void>) => {
      setFor(id, start);
      setErrors((all) => ({ ...all, [id]: "" }));
      setFinished((all) => ({ ...all, [id]: {} }));
      try {
        await work();
      } catch (err) {
        setErrors((all) => ({ ...all, [id]: (err as Error).message }));
      } finally {
        setFor(id, undefined);
        await refresh();
      }
    },
    [refresh, setFor],
  );

  const install = (m: ModelSummary) =>
    act(m.id, { kind: "install", progress: null }, async () => {
      await installModelOnServer(m.id, (progress) => setFor(m.id, { kind: "install", progress }));
    });

  const remove = (m: ModelSummary) => {
    if (!window.confirm(`Remove ${m.title} from the server's model store?`)) return;
    void act(m.id, { kind: "busy", what: "Removing…" }, () => removeModelOnServer(m.id));
  };

  const cacheInBrowser = (m: ModelSummary) => {
    // Only files the server has installed can be downloaded; their hash is the one to check.
    const files = wantedFiles(m).flatMap((f) =>
      f.sha256 !== null && f.bytes !== null && m.installed ? [{ ...f, sha256: f.sha256 }] : [],
    );
    const downloadId = `${m.id}:${Date.now()}`;
    let progress: Record<string, FileProgress> = Object.fromEntries(
      files.map((f) => [f.name, { loaded: 0, total: f.bytes }]),
    );
    // Best effort: ask the browser not to evict the cache under storage pressure.
    void navigator.storage?.persist?.().catch(() => false);
    return act(m.id, { kind: "cache", downloadId, files: progress }, async () => {
      for (const file of files) {
        await cacheModelFile(
          m.id,
          file,
          (loaded, total) => {
            progress = { ...progress, [file.name]: { loaded, total } };
            setFor(m.id, { kind: "cache", downloadId, files: progress });
          },
          downloadId,
        );
      }
      setFinished((all) => ({ ...all, [m.id]: progress }));
    });
  };

  const importFile = (m: ModelSummary, file: File) =>
    act(m.id, { kind: "busy", what: `Checking and caching ${file.name}…` }, async () => {
      const name = importTarget(m, file.name);
      const installed = m.installed?.files.find((f) => f.name === name);
      await importModelFile(m.id, name, file, installed);
    });

  const clearAll = async () => {
    try {
      await clearModelCache();
    } catch (err) {
      setLoadError(`Could not clear the browser cache: ${(err as Error).message}`);
    }
    await refresh();
  };

  return (
    <div className="modal-backdrop" onMouseDown={onClose}>
      <div
        ref={dialog}
        tabIndex={-1}
        className="modal models-panel"
        role="dialog"
        aria-modal="true"
        aria-labelledby="models-panel-title"
        onMouseDown={(e) => e.stopPropagation()}
      >
        <header className="models-header">
          <h2 id="models-panel-title">Models</h2>
          <p className="hint">
            Models are installed on the studio server, then cached in this browser, which runs them.
            Check each licence before you use a model.
          </p>
        </header>
        {loadError && (
          <p className="model-error" role="alert">
            {loadError}
          </p>
        )}
        {!models && !loadError && <p className="hint">Loading the models…</p>}
        {models && (
          <ul className="models-list">
            {models.map((m) => (
              <ModelRow
                key={m.id}
                model={m}
                cached={cached}
                activity={activity[m.id]}
                finished={finished[m.id]}
                error={errors[m.id] || undefined}
                onInstall={() => void install(m)}
                onRemove={() => remove(m)}
                onCache={() => void cacheInBrowser(m)}
                onCancel={() => {
                  const a = activity[m.id];
                  if (a?.kind === "cache") void cancelModelDownload(a.downloadId);
                }}
                onImport={(file) => void importFile(m, file)}
                onClear={() =>
                  void act(m.id, { kind: "busy", what: "Clearing…" }, async () => {
                    await clearModelCache(m.id);
                  })
                }
              />
            ))}
          </ul>
        )}
        <footer className="models-footer">
          <span className="hint" data-testid="storage-estimate">
            {estimate}
          </span>
          <span className="spacer" />
          <button type="button" onClick={() => void clearAll()} disabled={cached.length === 0}>
            Clear browser cache
          </button>
          <button type="button" onClick={onClose}>
            Close
          </button>
        </footer>
      </div>
    </div>
  );
}
