"use client";

import { useState, type FormEvent } from "react";
import styles from "./signin.module.css";

type Mode = "sign-in" | "sign-up";

/** Email and password, against better-auth's endpoints (app/api/auth/[...all]). */
export function SignInForm({ next }: { next: string }) {
  const [mode, setMode] = useState<Mode>("sign-in");
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const submit = async (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    const form = new FormData(e.currentTarget);
    const body =
      mode === "sign-up"
        ? { name: form.get("name"), email: form.get("email"), password: form.get("password") }
        : { email: form.get("email"), password: form.get("password") };
    setBusy(true);
    setError(null);
    try {
      const res = await fetch(`/api/auth/${mode}/email`, {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify(body),
      });
      if (res.ok) {
        window.location.assign(next);
        return;
      }
      setError(await describeFailure(res));
    } catch {
      setError("The studio did not answer; check the connection and try again.");
    } finally {
      setBusy(false);
    }
  };

  return (
    <form className={styles.form} onSubmit={(e) => void submit(e)} data-testid="signin-form">
      <div className={styles.tabs} role="tablist">
        {(["sign-in", "sign-up"] as const).map((m) => (
          <button
            key={m}
            type="button"
            role="tab"
            aria-selected={mode === m}
            className={mode === m ? styles.active : undefined}
            onClick={() => {
              setMode(m);
              setError(null);
            }}
          >
            {m === "sign-in" ? "Sign in" : "Create account"}
          </button>
        ))}
      </div>
      {mode === "sign-up" && (
        <label>
          Name
          <input name="name" required maxLength={100} autoComplete="name" />
        </label>
      )}
      <label>
        Email
        <input name="email" type="email" required autoComplete="email" />
      </label>
      <label>
        Password
        <input
          name="password"
          type="password"
          required
          minLength={8}
          autoComplete={mode === "sign-up" ? "new-password" : "current-password"}
        />
      </label>
      {error && (
        <p className={styles.error} role="alert">
          {error}
        </p>
      )}
      <button type="submit" className="primary" disabled={busy}>
        {busy ? "…" : mode === "sign-in" ? "Sign in" : "Create account"}
      </button>
    </form>
  );
}

async function describeFailure(res: Response): Promise<string> {
  if (res.status === 429) {
    const wait = res.headers.get("x-retry-after") ?? res.headers.get("retry-after");
    return `Too many attempts from this address; try again in ${wait ?? "a minute"}${wait ? " s" : ""}.`;
  }
  const body = (await res.json().catch(() => ({}))) as { message?: string; error?: string };
  return body.message ?? body.error ?? `Sign-in failed (HTTP ${res.status}).`;
}
