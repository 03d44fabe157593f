/** How the queues retry a run whose failure was the machinery's (InfrastructureError). */
export interface RetryPolicy {
  /** Tries in all, the first included. */
  readonly attempts: number;
  /** Wait before the second try; doubled before each further one. */
  readonly backoffMs: number;
}

export const DEFAULT_RETRY: RetryPolicy = { attempts: 3, backoffMs: 2_000 };

/** Wait before try number `attempt` (2 = the first retry): backoff, 2×backoff, 4×backoff, … */
export function backoffDelay(policy: RetryPolicy, attempt: number): number {
  return policy.backoffMs * 2 ** Math.max(0, attempt - 2);
}

/** The message a run ends with once its tries are spent. */
export function gaveUpMessage(policy: RetryPolicy, lastError: string): string {
  return `failed ${policy.attempts} times on the server's side (not the workflow's): ${lastError}`;
}
