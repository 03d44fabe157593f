/**
 * A failure of the machinery around a run (the database, the asset store, the worker going
 * away), not of the workflow: the queue retries the run with backoff. A node's own error is
 * final and is recorded on the run instead of being thrown.
 */
export class InfrastructureError extends Error {
  override readonly name = "InfrastructureError";
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

export function describeError(err: unknown): string {
  if (err instanceof Error) return err.message || err.name;
  return String(err);
}
