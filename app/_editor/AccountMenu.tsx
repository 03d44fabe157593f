"use client";

import { useEffect, useState } from "react";

interface SessionUser {
  name: string;
  email: string;
}

/**
 * Who is signed in, and a way out, when the studio has accounts. Renders nothing in local mode
 * (the auth endpoints answer 404 there).
 */
export function AccountMenu() {
  const [user, setUser] = useState<SessionUser | null>(null);

  useEffect(() => {
    let cancelled = false;
    void fetch("/api/auth/get-session")
      .then(async (res) => (res.ok ? ((await res.json()) as { user?: SessionUser } | null) : null))
      .then((session) => {
        if (!cancelled) setUser(session?.user ?? null);
      })
      .catch(() => undefined);
    return () => {
      cancelled = true;
    };
  }, []);

  if (!user) return null;
  return (
    <span className="account" data-testid="account-menu" title={user.email}>
      {user.name}
      <button
        type="button"
        onClick={() => {
          // better-auth takes JSON bodies only (415 otherwise), even an empty one.
          void fetch("/api/auth/sign-out", {
            method: "POST",
            headers: { "Content-Type": "application/json" },
            body: "{}",
          }).finally(() => window.location.assign("/signin"));
        }}
      >
        Sign out
      </button>
    </span>
  );
}
