import Link from "next/link";
import { accountsEnabled } from "../_server/accounts-mode";
import { SignInForm } from "./SignInForm";
import styles from "./signin.module.css";

export const metadata = { title: "Sign in · Leffa Studio" };
export const dynamic = "force-dynamic";

/** Where the proxy sends people without a session when accounts are on. */
export default async function SignInPage({
  searchParams,
}: {
  searchParams: Promise<{ next?: string | string[] }>;
}) {
  const { next } = await searchParams;
  return (
    <main className={styles.page}>
      <h1>Leffa Studio</h1>
      {accountsEnabled() ? (
        <SignInForm next={safeNext(typeof next === "string" ? next : undefined)} />
      ) : (
        <p>
          This studio runs without accounts: nobody needs to sign in.{" "}
          <Link href="/library">Open the library</Link>.
        </p>
      )}
    </main>
  );
}

/** Only a path on this site: `next` comes from the URL, and must not redirect elsewhere. */
function safeNext(next: string | undefined): string {
  return next && next.startsWith("/") && !next.startsWith("//") ? next : "/library";
}
