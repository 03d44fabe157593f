"use client";

import { createContext, useContext, useEffect, useState, type ReactNode } from "react";
import { TokensPanel } from "./TokensPanel";

interface SessionUser {
  name: string;
  email: string;
}

const AccountsMode = createContext(false);

/**
 * Tells the client whether the studio has accounts; the root layout reads the server's setting.
 * Without it, every page of a local studio would ask for a session and get a 404.
 */
export function AccountsModeProvider({
  enabled,
  children,
}: {
  enabled: boolean;
  children: ReactNode;
}) {
  return <AccountsMode value={enabled}>{children}</AccountsMode>;
}

/**
 * Who is signed in, their API tokens, and a way out, when the studio has accounts. Renders nothing, and asks
 * nothing, in local mode.
 */
export function AccountMenu() {
  const accounts = useContext(AccountsMode);
  const [user, setUser] = useState<SessionUser | null>(null);
  const [tokensOpen, setTokensOpen] = useState(false);

  useEffect(() => {
    if (!accounts) return;
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
  }, [accounts]);

  if (!user) return null;
  return (
    <>
      <span className="account" data-testid="account-menu" title={user.email}>
        {user.name}
        <button type="button" data-testid="account-tokens" onClick={() => setTokensOpen(true)}>
          API tokens
        </button>
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
      {/* Outside the menu's span, whose one-line layout the dialog must not inherit. */}
      {tokensOpen && <TokensPanel onClose={() => setTokensOpen(false)} />}
    </>
  );
}
