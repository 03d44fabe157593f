/**
 * The one error the installer throws. `code` lets callers (CLI, server route, Models panel) react
 * without parsing messages; the message itself always says what to do next.
 */
export type InstallErrorCode =
  | "unknown-model"
  | "no-space"
  | "checksum"
  | "http"
  | "offline"
  | "unauthorized"
  | "busy"
  | "truncated"
  | "needs-conversion"
  | "cancelled"
  | "not-installed";

export class InstallError extends Error {
  override readonly name = "InstallError";
  constructor(
    readonly code: InstallErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** Error codes of a socket that never reached the server: the machine is offline or the host is wrong. */
const OFFLINE_CODES = new Set([
  "ENOTFOUND",
  "EAI_AGAIN",
  "ECONNREFUSED",
  "ENETUNREACH",
  "EHOSTUNREACH",
  "ETIMEDOUT",
  "UND_ERR_CONNECT_TIMEOUT",
]);

/** The errno-style code of an error or of any error in its `cause` chain. */
export function errorCode(err: unknown): string | undefined {
  for (let e = err, depth = 0; e && depth < 5; depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === "string") return code;
    e = (e as { cause?: unknown }).cause;
  }
  return undefined;
}

export function isAbortError(err: unknown): boolean {
  return (err as { name?: string })?.name === "AbortError" || errorCode(err) === "ABORT_ERR";
}

export function isNoSpaceError(err: unknown): boolean {
  const code = errorCode(err);
  return code === "ENOSPC" || code === "EDQUOT";
}

/**
 * Turns a failed `fetch` (before any response) into an InstallError: offline when the connection
 * could not be made, cancelled when aborted, else an HTTP-level failure naming the URL.
 */
export function fetchFailure(err: unknown, url: string): InstallError {
  if (err instanceof InstallError) return err;
  if (isAbortError(err)) return new InstallError("cancelled", `cancelled while fetching ${url}`);
  const code = errorCode(err);
  const host = safeHost(url);
  if ((code && OFFLINE_CODES.has(code)) || (err as Error)?.message === "fetch failed") {
    return new InstallError(
      "offline",
      `cannot reach ${host}${code ? ` (${code})` : ""}: check the network connection and try again`,
      { cause: err },
    );
  }
  return new InstallError("http", `request to ${url} failed: ${(err as Error)?.message ?? err}`, {
    cause: err,
  });
}

function safeHost(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return url;
  }
}
