/**
 * Whether this studio has accounts (LEFFA_ACCOUNTS=on). Its own module, free of the auth
 * library, so the proxy and pages can ask without loading it.
 */
export function accountsEnabled(): boolean {
  return /^(on|1|true)$/i.test(process.env.LEFFA_ACCOUNTS ?? "");
}
