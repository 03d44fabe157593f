import type { Metadata } from "next";
import { headers } from "next/headers";
import type { ReactNode } from "react";
import { AccountsModeProvider } from "./_editor/features/account/AccountMenu";
import { accountsEnabled } from "./_server/accounts-mode";
import "./globals.css";

export const metadata: Metadata = {
  title: "Leffa Studio",
  description:
    "A node-graph studio for controllable person image generation, running in your browser.",
};

export default async function RootLayout({ children }: { children: ReactNode }) {
  // Every page renders per request: Next puts the Content-Security-Policy nonce that proxy.ts
  // gives each request on its inline scripts, and a page prerendered at build time would carry
  // none and be refused by the browser (app/_server/security-headers.ts).
  await headers();
  return (
    <html lang="en">
      <body>
        {/* The client asks for a session only when the studio has accounts (AccountMenu). */}
        <AccountsModeProvider enabled={accountsEnabled()}>{children}</AccountsModeProvider>
      </body>
    </html>
  );
}
