import { InstallError, fetchFailure } from "./errors";

/**
 * Hugging Face conventions, as its own client (huggingface_hub) follows them:
 *
 * - `HF_ENDPOINT` replaces https://huggingface.co (mirrors are how many people reach the hub);
 * - `HF_TOKEN` goes out as `Authorization: Bearer …`, to the endpoint's origin only: the hub
 *   answers an LFS file with a redirect to its file host, and the token is not forwarded there
 *   (huggingface_hub drops it on a cross-origin redirect too);
 * - the resolve response of an LFS file declares the file's sha256 in `X-Linked-Etag` (and
 *   `ETag`); a file kept in git has its blob sha1 there instead, which is no sha256.
 */

export const HF_DEFAULT_ENDPOINT = "https://huggingface.co";

export interface HubSettings {
  endpoint: string;
  token: string | undefined;
}

export function hubSettings(
  env: Readonly<Record<string, string | undefined>> = process.env,
): HubSettings {
  const endpoint = (env.HF_ENDPOINT?.trim() || HF_DEFAULT_ENDPOINT).replace(/\/+$/, "");
  try {
    new URL(endpoint);
  } catch {
    throw new InstallError("http", `HF_ENDPOINT is not a URL: "${env.HF_ENDPOINT}"`);
  }
  const token = env.HF_TOKEN?.trim() || env.HUGGING_FACE_HUB_TOKEN?.trim() || undefined;
  return { endpoint, token };
}

/** A huggingface.co URL (as the manifest writes them), moved onto the configured endpoint. */
export function onEndpoint(url: string, settings: HubSettings): string {
  if (!isHubUrl(url)) return url;
  const u = new URL(url);
  return `${settings.endpoint}${u.pathname}${u.search}`;
}

export function isHubUrl(url: string): boolean {
  try {
    return new URL(url).origin === HF_DEFAULT_ENDPOINT;
  } catch {
    return false;
  }
}

/** `owner/name` of a resolve URL, for messages. */
export function hubRepoOf(url: string): string | undefined {
  const m = /^\/([^/]+\/[^/]+)\/resolve\//.exec(new URL(url).pathname);
  return m?.[1];
}

/** What the hub said about a file before the redirect. */
export interface HubFileInfo {
  /** The sha256 the hub declares for an LFS file, else null. */
  declaredSha256: string | null;
  /** `X-Linked-Size` or the final Content-Length, when given. */
  bytes: number | null;
}

/** The sha256 in an `X-Linked-Etag` / `ETag` value (`"abc…"`, `W/"abc…"`), or null. */
export function sha256FromEtag(value: string | null): string | null {
  if (!value) return null;
  const bare = value
    .trim()
    .replace(/^W\//, "")
    .replace(/^"(.*)"$/, "$1")
    .toLowerCase();
  return /^[0-9a-f]{64}$/.test(bare) ? bare : null;
}

const MAX_REDIRECTS = 10;

/**
 * A `fetch` for hub URLs: the token on the endpoint's origin only, redirects followed by hand,
 * and the hub's declarations passed to `onInfo` (once per request, from the first response).
 * A 401/403 from the hub becomes an "unauthorized" InstallError saying to set HF_TOKEN, a 404 a
 * message naming the repository.
 */
export function hubFetch(
  settings: HubSettings,
  onInfo: (info: HubFileInfo) => void = () => undefined,
  base: typeof fetch = fetch,
): typeof fetch {
  const origin = new URL(settings.endpoint).origin;
  return async (input, init = {}) => {
    let url = typeof input === "string" ? input : input instanceof URL ? input.href : input.url;
    let declared: string | null = null;
    let linkedSize: number | null = null;
    for (let hop = 0; hop <= MAX_REDIRECTS; hop++) {
      const headers = new Headers(init.headers);
      const onHub = new URL(url).origin === origin;
      if (onHub && settings.token) headers.set("Authorization", `Bearer ${settings.token}`);
      else headers.delete("Authorization");
      let res: Response;
      try {
        res = await base(url, { ...init, headers, redirect: "manual" });
      } catch (err) {
        throw hubFailure(err, url, settings);
      }
      if (onHub) {
        declared ??=
          sha256FromEtag(res.headers.get("x-linked-etag")) ??
          sha256FromEtag(res.headers.get("etag"));
        linkedSize ??= numberHeader(res.headers.get("x-linked-size"));
      }
      const location = res.headers.get("location");
      if (res.status >= 300 && res.status < 400 && location) {
        await res.body?.cancel();
        url = new URL(location, url).href;
        continue;
      }
      if (onHub && (res.status === 401 || res.status === 403)) {
        await res.body?.cancel();
        throw unauthorized(url, res.status, settings);
      }
      if (onHub && res.status === 404) {
        const code = res.headers.get("x-error-code");
        await res.body?.cancel();
        throw new InstallError(
          "http",
          `HTTP 404 for ${url}: ${code === "EntryNotFound" ? "the repository has no such file" : "no such repository"} on ${settings.endpoint}` +
            (settings.endpoint !== HF_DEFAULT_ENDPOINT
              ? " (HF_ENDPOINT points at a mirror: check that it mirrors this repository)"
              : ""),
        );
      }
      onInfo({
        declaredSha256: declared,
        bytes: linkedSize ?? totalOf(res),
      });
      return res;
    }
    throw new InstallError("http", `more than ${MAX_REDIRECTS} redirects for ${url}`);
  };
}

/**
 * What the hub says about a file without downloading it (huggingface_hub's
 * get_hf_file_metadata): a HEAD request, redirects followed, size and declared sha256.
 */
export async function hubFileInfo(
  url: string,
  settings: HubSettings,
  base: typeof fetch = fetch,
  signal?: AbortSignal,
): Promise<HubFileInfo> {
  let info: HubFileInfo = { declaredSha256: null, bytes: null };
  const res = await hubFetch(
    settings,
    (i) => (info = i),
    base,
  )(onEndpoint(url, settings), {
    method: "HEAD",
    signal,
  });
  await res.body?.cancel();
  if (!res.ok) {
    throw new InstallError("http", `HTTP ${res.status} for ${onEndpoint(url, settings)}`);
  }
  return info;
}

function unauthorized(url: string, status: number, settings: HubSettings): InstallError {
  const repo = hubRepoOf(url) ?? url;
  const advice = settings.token
    ? `the token in HF_TOKEN was refused (HTTP ${status}): check that it is valid and that your ` +
      `account has accepted ${repo}'s terms on its Hugging Face page`
    : `${repo} is gated (HTTP ${status}): accept its terms on its Hugging Face page, create an ` +
      `access token (https://huggingface.co/settings/tokens) and set HF_TOKEN=<token>, then run ` +
      `the install again`;
  return new InstallError("unauthorized", `cannot download ${url}: ${advice}`);
}

function hubFailure(err: unknown, url: string, settings: HubSettings): InstallError {
  const failure = fetchFailure(err, url);
  if (failure.code === "offline" && settings.endpoint !== HF_DEFAULT_ENDPOINT) {
    return new InstallError(
      "offline",
      `${failure.message} (HF_ENDPOINT=${settings.endpoint}: the mirror may be down; unset ` +
        `HF_ENDPOINT to use huggingface.co)`,
      { cause: err },
    );
  }
  return failure;
}

function totalOf(res: Response): number | null {
  const range = /\/(\d+)$/.exec(res.headers.get("content-range") ?? "");
  if (range) return Number(range[1]);
  return res.status === 200 ? numberHeader(res.headers.get("content-length")) : null;
}

function numberHeader(value: string | null): number | null {
  return value !== null && /^\d+$/.test(value) ? Number(value) : null;
}
