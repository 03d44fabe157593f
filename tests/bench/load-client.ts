/**
 * One simulated user's HTTP connection to the studio: its own loopback source address (so the
 * studio sees fifty clients, not one, exactly as it would see fifty people: its sign-in rate limit
 * counts per client address), kept-alive sockets like a browser's, a cookie jar for the session,
 * and the Origin header a browser sends. Every request is timed and recorded as a Sample.
 */
import http from "node:http";
import { cookieHeader, storeCookies, type CookieJar } from "./load-cookies";
import type { Sample } from "./load-stats";

/** A request that has not been answered in this long counts as an error and is abandoned. */
const REQUEST_TIMEOUT_MS = 10_000;
/** What an error sample keeps of the answer, to say what went wrong. */
const ERROR_BODY_CHARS = 300;

export interface Answer {
  readonly status: number;
  readonly body: string;
  readonly ms: number;
}

export interface RequestSpec {
  readonly method: "GET" | "POST" | "PUT";
  readonly path: string;
  /** The route the sample is filed under, e.g. "/api/workflows/:id". */
  readonly route: string;
  readonly json?: unknown;
  /** Statuses the user expects; anything else is an error. */
  readonly expect: readonly number[];
}

export interface ErrorRecord {
  readonly route: string;
  readonly status: number;
  readonly detail: string;
}

/** Where every client files its samples; shared by all users of a run. */
export class Recorder {
  readonly samples: Sample[] = [];
  readonly errors: ErrorRecord[] = [];
  /** GETs sent again after a reset on a reused keep-alive connection, as browsers do. */
  retries = 0;
  private sent = 0;

  constructor(private readonly maxRequests: number) {}

  /** Claims one request of the run's budget; false once it is spent. */
  claim(): boolean {
    if (this.sent >= this.maxRequests) return false;
    this.sent++;
    return true;
  }

  get budgetSpent(): boolean {
    return this.sent >= this.maxRequests;
  }
}

export class RequestBudgetSpent extends Error {
  constructor() {
    super("the run's request budget (LOAD_MAX_REQUESTS) is spent");
  }
}

/**
 * The loopback address of user `index`: 127.0.0.2, 127.0.0.3, … (127.0.0.1 stays the studio's
 * own, for setup and checks). The whole of 127.0.0.0/8 is the loopback interface on Linux.
 */
export function loopbackAddress(index: number): string {
  const n = index + 1;
  return `127.0.${Math.floor(n / 254)}.${(n % 254) + 1}`;
}

function isReusedConnectionReset(err: unknown): boolean {
  const e = err as { code?: string; reusedSocket?: boolean };
  return e.reusedSocket === true && e.code === "ECONNRESET";
}

export class LoadClient {
  readonly jar: CookieJar = new Map();
  private readonly agent: http.Agent;
  private readonly origin: string;

  constructor(
    readonly base: URL,
    readonly localAddress: string,
    /** Where samples go: the setup's recorder first, then the measured run's. */
    public recorder: Recorder,
  ) {
    if (base.hostname !== "127.0.0.1") throw new Error("load traffic goes to 127.0.0.1 only");
    // Two sockets, for the two tabs of one person that may save at the same moment.
    this.agent = new http.Agent({ keepAlive: true, maxSockets: 2, localAddress });
    this.origin = base.origin;
  }

  async request(spec: RequestSpec): Promise<Answer> {
    if (!this.recorder.claim()) throw new RequestBudgetSpent();
    const body = spec.json === undefined ? undefined : JSON.stringify(spec.json);
    const headers: Record<string, string> = { accept: "application/json, text/html" };
    const cookie = cookieHeader(this.jar);
    if (cookie) headers.cookie = cookie;
    if (spec.method !== "GET") headers.origin = this.origin;
    if (body !== undefined) {
      headers["content-type"] = "application/json";
      headers["content-length"] = String(Buffer.byteLength(body));
    }
    const route = `${spec.method} ${spec.route}`;
    const start = performance.now();
    let answer: Answer;
    try {
      answer = await this.send(spec, headers, body, start).catch((err: unknown) => {
        // The server may close an idle kept-alive connection just as the client reuses it; a
        // browser then sends an idempotent request again on a new one (so do Node's docs).
        if (spec.method !== "GET" || !isReusedConnectionReset(err)) throw err;
        this.recorder.retries++;
        return this.send(spec, headers, body, start);
      });
    } catch (err) {
      const ms = performance.now() - start;
      const reused = isReusedConnectionReset(err) ? " (on a reused keep-alive connection)" : "";
      this.recorder.samples.push({ route, ms, status: 0, expected: false });
      this.recorder.errors.push({ route, status: 0, detail: (err as Error).message + reused });
      return { status: 0, body: "", ms };
    }
    const expected = spec.expect.includes(answer.status);
    this.recorder.samples.push({ route, ms: answer.ms, status: answer.status, expected });
    if (!expected) {
      this.recorder.errors.push({
        route,
        status: answer.status,
        detail: answer.body.slice(0, ERROR_BODY_CHARS),
      });
    }
    return answer;
  }

  private send(
    spec: RequestSpec,
    headers: Record<string, string>,
    body: string | undefined,
    start: number,
  ): Promise<Answer> {
    return new Promise<Answer>((resolve, reject) => {
      const req = http.request(
        new URL(spec.path, this.base),
        { method: spec.method, headers, agent: this.agent, timeout: REQUEST_TIMEOUT_MS },
        (res) => {
          const chunks: Buffer[] = [];
          res.on("data", (c: Buffer) => chunks.push(c));
          res.on("error", reject);
          res.on("end", () => {
            storeCookies(this.jar, res.headers["set-cookie"]);
            resolve({
              status: res.statusCode ?? 0,
              body: Buffer.concat(chunks).toString("utf8"),
              ms: performance.now() - start,
            });
          });
        },
      );
      req.on("timeout", () => req.destroy(new Error(`no answer in ${REQUEST_TIMEOUT_MS} ms`)));
      req.on("error", (err) => reject(Object.assign(err, { reusedSocket: req.reusedSocket })));
      req.end(body);
    });
  }

  close(): void {
    this.agent.destroy();
  }
}
