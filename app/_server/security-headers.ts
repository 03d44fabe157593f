/**
 * The security headers every response carries, set by proxy.ts (which runs on every path, static
 * files included). Cross-origin isolation (COOP/COEP) stays in next.config.js: it is static and
 * must be there even if the proxy is bypassed.
 *
 * Pages get a Content-Security-Policy with a fresh nonce per request, as Next's CSP guide
 * recommends: the App Router streams its RSC payload in inline <script> tags, and Next puts the
 * nonce it finds in the request's CSP header on each of them (so every page renders dynamically;
 * the root layout asks for the request's headers to make sure). 'strict-dynamic' then lets those
 * scripts load the rest of the bundle, so no host list can be abused to load a script.
 */

export const CSP_REPORT_PATH = "/api/csp-report";

export interface CspOptions {
  /** A page's per-request nonce; static files (worker scripts among them) have none. */
  readonly nonce?: string;
  /** `next dev`: React rebuilds server error stacks with eval there, never in production. */
  readonly dev?: boolean;
}

/**
 * The policy for pages and the files they load. Each source says what needs it:
 * - script-src 'wasm-unsafe-eval': onnxruntime-web compiles its WebAssembly (in the worker, whose
 *   own policy is this one without a nonce, from the worker script's response).
 * - worker-src 'self' blob:: the runtime is a module worker from /_next/static; onnxruntime-web's
 *   threads are workers of their own, which Emscripten may start from a blob: URL. Given
 *   explicitly because under 'strict-dynamic' script-src's 'self' would not cover workers.
 * - img-src blob: data:: object URLs of run results and uploads, canvas snapshots as data: URLs.
 * - style-src 'unsafe-inline': React Flow positions every node with a style attribute, which
 *   server-rendered markup carries; a nonce cannot cover attributes (and would switch
 *   'unsafe-inline' off). Styles cannot run code, scripts stay nonce-only.
 * - connect-src 'self' blob:: the studio talks only to its own server (API, models, auth), and
 *   reads back its own object URLs (a run's image becomes the saved thumbnail). A page can only
 *   fetch blob: URLs its own origin made, so this opens no way out.
 * No upgrade-insecure-requests: a studio on a LAN address over plain http would break.
 */
export function contentSecurityPolicy({ nonce, dev = false }: CspOptions = {}): string {
  const script = ["'self'"];
  if (nonce) script.push(`'nonce-${nonce}'`, "'strict-dynamic'");
  script.push("'wasm-unsafe-eval'");
  if (dev) script.push("'unsafe-eval'");
  return serialize({
    "default-src": ["'self'"],
    "script-src": script,
    "style-src": ["'self'", "'unsafe-inline'"],
    "img-src": ["'self'", "blob:", "data:"],
    "font-src": ["'self'"],
    "connect-src": ["'self'", "blob:"],
    "worker-src": ["'self'", "blob:"],
    "object-src": ["'none'"],
    "base-uri": ["'self'"],
    "form-action": ["'self'"],
    "frame-ancestors": ["'none'"],
    // Violations, from the page and from its workers, go to the server log (api/csp-report).
    // Not report-to: where both are given, browsers use report-to alone, and it needs a
    // Reporting-Endpoints header and batches reports for up to a minute.
    "report-uri": [CSP_REPORT_PATH],
  });
}

/**
 * API responses are data (JSON, images, model files), never documents: should one be opened in a
 * tab, it may load nothing, run nothing (sandbox) and be framed by no one. Chromium still shows an
 * image opened this way, as GitHub's raw file host relies on.
 */
export const API_CONTENT_SECURITY_POLICY = serialize({
  "default-src": ["'none'"],
  "frame-ancestors": ["'none'"],
  "base-uri": ["'none'"],
  "form-action": ["'none'"],
  sandbox: [],
});

function serialize(directives: Record<string, readonly string[]>): string {
  return Object.entries(directives)
    .map(([name, sources]) => [name, ...sources].join(" "))
    .join("; ");
}

/** 128 random bits, base64: unguessable, and fresh for each page request. */
export function newNonce(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return btoa(String.fromCharCode(...bytes));
}

/** What the proxy does for one request: headers for the response, and for pages the request. */
export interface SecurityPlan {
  readonly responseHeaders: Readonly<Record<string, string>>;
  /**
   * The request's headers with the page's policy added, for NextResponse.next: Next reads the
   * nonce from the request's Content-Security-Policy and puts it on its scripts. Undefined for
   * anything but pages (nothing to forward).
   */
  readonly requestHeaders?: Headers;
}

/** Whether a path is served as data by an API route rather than as a page or a static file. */
function isApiPath(pathname: string): boolean {
  return pathname === "/api" || pathname.startsWith("/api/");
}

/** Static build output: fixed files, the same for every request, so no nonce to give. */
function isStaticPath(pathname: string): boolean {
  return pathname.startsWith("/_next/static/") || pathname.startsWith("/_next/image");
}

export function securityPlan(
  pathname: string,
  requestHeaders: Headers,
  options: { dev?: boolean; nonce?: () => string } = {},
): SecurityPlan {
  const common = {
    "X-Content-Type-Options": "nosniff",
    // Share pages carry their token in the path: never hand it to another site in a Referer.
    "Referrer-Policy": "same-origin",
    // frame-ancestors says the same to every current browser; this is for older ones.
    "X-Frame-Options": "DENY",
  };
  if (isApiPath(pathname)) {
    return {
      responseHeaders: { ...common, "Content-Security-Policy": API_CONTENT_SECURITY_POLICY },
    };
  }
  if (isStaticPath(pathname)) {
    const csp = contentSecurityPolicy({ dev: options.dev });
    return { responseHeaders: { ...common, "Content-Security-Policy": csp } };
  }
  const csp = contentSecurityPolicy({ nonce: (options.nonce ?? newNonce)(), dev: options.dev });
  const forwarded = new Headers(requestHeaders);
  forwarded.set("Content-Security-Policy", csp);
  return {
    responseHeaders: { ...common, "Content-Security-Policy": csp },
    requestHeaders: forwarded,
  };
}
