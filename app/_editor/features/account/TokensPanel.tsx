"use client";
import { useEffect, useState } from "react";
import { Modal } from "../../shared/Modal";
import styles from "../../shared/panels.module.css";
import own from "./TokensPanel.module.css";
import { createToken, listTokens, revokeToken, type ApiTokenEntry } from "./tokens-api";

function when(iso: string | null): string {
  return iso ? new Date(iso).toLocaleString() : "never";
}

/**
 * Personal API tokens: make one (shown once, to copy now), see which exist and when each was last
 * used, revoke one. Scripts send a token as `Authorization: Bearer …` to the runs API.
 */
export function TokensPanel({ onClose }: { onClose(): void }) {
  const [tokens, setTokens] = useState<ApiTokenEntry[] | null>(null);
  const [name, setName] = useState("");
  const [created, setCreated] = useState<{ name: string; token: string } | null>(null);
  const [copied, setCopied] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  const refresh = async () => {
    try {
      setTokens(await listTokens());
    } catch (err) {
      setError((err as Error).message);
    }
  };

  useEffect(() => {
    let cancelled = false;
    listTokens().then(
      (list) => {
        if (!cancelled) setTokens(list);
      },
      (err: Error) => {
        if (!cancelled) setError(err.message);
      },
    );
    return () => {
      cancelled = true;
    };
  }, []);

  const create = async () => {
    setBusy(true);
    try {
      const made = await createToken(name);
      setCreated({ name: made.name, token: made.token });
      setCopied(false);
      setName("");
      setError(null);
      await refresh();
    } catch (err) {
      setError((err as Error).message);
    } finally {
      setBusy(false);
    }
  };

  const revoke = async (token: ApiTokenEntry) => {
    if (!window.confirm(`Revoke "${token.name}"? Scripts using it stop working at once.`)) return;
    setBusy(true);
    try {
      await revokeToken(token.id);
      setError(null);
      await refresh();
    } catch (err) {
      setError((err as Error).message);
    } finally {
      setBusy(false);
    }
  };

  return (
    <Modal label="API tokens" className={styles.panel} testId="tokens-panel" onClose={onClose}>
      <h2>API tokens</h2>
      <p className={`hint ${own.intro}`}>
        For scripts: send <code>Authorization: Bearer &lt;token&gt;</code> to the runs API (
        <code>POST /api/workflows/&lt;id&gt;/runs</code>). A token acts as you on your workflows and
        runs, but cannot edit, delete or share anything.
      </p>
      <form
        className={styles.row}
        onSubmit={(e) => {
          e.preventDefault();
          void create();
        }}
      >
        <input
          className={styles.link}
          placeholder="Name, e.g. catalogue script"
          value={name}
          maxLength={100}
          onChange={(e) => setName(e.target.value)}
          data-testid="token-name"
        />
        <button type="submit" disabled={busy || name.trim() === ""} data-testid="token-create">
          Create token
        </button>
      </form>
      {created && (
        <div className={styles.row} data-testid="token-created">
          <b>{created.name}:</b>
          <input
            className={styles.link}
            readOnly
            value={created.token}
            data-testid="token-value"
            onFocus={(e) => e.target.select()}
          />
          <button
            type="button"
            onClick={() => {
              void navigator.clipboard.writeText(created.token).then(() => setCopied(true));
            }}
          >
            {copied ? "Copied" : "Copy"}
          </button>
          <span className={styles.muted}>Copy it now: it is not shown again.</span>
        </div>
      )}
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
      {tokens === null ? (
        <p className={styles.muted}>Loading…</p>
      ) : tokens.length === 0 ? (
        <p className={styles.muted}>No tokens yet.</p>
      ) : (
        <table className={own.table} data-testid="token-list">
          <thead>
            <tr>
              <th>Name</th>
              <th>Token</th>
              <th>Created</th>
              <th>Last used</th>
              <th />
            </tr>
          </thead>
          <tbody>
            {tokens.map((t) => (
              <tr key={t.id} data-testid="token-row">
                <td>{t.name}</td>
                <td>
                  <code>{t.prefix}…</code>
                </td>
                <td>{when(t.createdAt)}</td>
                <td>{when(t.lastUsedAt)}</td>
                <td>
                  {t.revokedAt ? (
                    <span className={styles.muted}>revoked {when(t.revokedAt)}</span>
                  ) : (
                    <button type="button" disabled={busy} onClick={() => void revoke(t)}>
                      Revoke
                    </button>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <div className={styles.row}>
        <button type="button" onClick={onClose}>
          Close
        </button>
      </div>
    </Modal>
  );
}
