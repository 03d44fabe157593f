import { createHash } from "node:crypto";
import { createReadStream } from "node:fs";
import { stat } from "node:fs/promises";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo, Socket } from "node:net";
import { sha256File } from "../checksum";

/**
 * A local stand-in for the Hugging Face hub, for installer tests and benchmarks (nothing here
 * reaches the internet). It behaves as huggingface.co does for the requests the installer makes:
 *
 * - `GET|HEAD /<owner>/<repo>/resolve/<revision>/<path>` on the hub host;
 * - an LFS file answers 302 to a second host (the file host, another origin, as cdn-lfs is),
 *   with `X-Linked-Etag` / `ETag` = the file's sha256 and `X-Linked-Size`;
 * - a small, non-LFS file is served by the hub itself with the git blob sha1 as its ETag (which
 *   is no sha256: the client must not take it for one);
 * - Range requests answer 206 with Content-Range, on both hosts;
 * - a gated repository answers 401 without `Authorization: Bearer <token>`;
 * - an unknown repository or file answers 404 with `X-Error-Code`.
 *
 * Failures on purpose, per file: a status (500) from the hub, a connection dropped mid-file by
 * the file host (the first N times), wrong bytes under a right hash, and a throttled mirror
 * (`bytesPerSecond`) for `HF_ENDPOINT` tests. Every request is logged with its host, Range and
 * whether it carried a token.
 */

export type HubBehaviour =
  | { kind: "ok" }
  /** The file host sends `afterBytes` of the body, then drops the connection (`times` times). */
  | { kind: "drop"; afterBytes: number; times: number }
  /** The hub answers this status for the file. */
  | { kind: "status"; status: number }
  /** The hub declares the real sha256, the file host sends other bytes (a corrupted copy). */
  | { kind: "corrupt" };

export interface HubFileSpec {
  /** The bytes, or a file on disk (streamed, for multi-GB checkpoints). */
  data?: Uint8Array;
  path?: string;
  /** Stored in LFS (redirects to the file host, declares its sha256). Default true. */
  lfs?: boolean;
  /** An LFS file whose redirect carries no sha256 (some mirrors strip it). Default true. */
  declareSha256?: boolean;
  behaviour?: HubBehaviour;
}

export interface HubRepoSpec {
  /** Needs `Authorization: Bearer <token>` (the hub's token). */
  gated?: boolean;
  files: Record<string, HubFileSpec>;
}

export interface HubRequest {
  host: "hub" | "files";
  method: string;
  path: string;
  range: string | undefined;
  authorized: boolean;
  /** Any Authorization header at all (the file host must never see one from another origin). */
  authorization: string | undefined;
}

export interface FakeHub {
  /** The hub's origin, for `HF_ENDPOINT`. */
  endpoint: string;
  /** The file host's origin (where LFS files are redirected). */
  fileHost: string;
  token: string;
  requests: HubRequest[];
  /** The served file's sha256 and size. */
  fileInfo(repo: string, file: string): { sha256: string; bytes: number };
  setBehaviour(repo: string, file: string, behaviour: HubBehaviour): void;
  close(): Promise<void>;
}

interface ServedFile {
  spec: HubFileSpec;
  sha256: string;
  gitSha1: string;
  bytes: number;
  behaviour: HubBehaviour;
  drops: number;
}

export interface FakeHubOptions {
  repos: Record<string, HubRepoSpec>;
  token?: string;
  /** Throttle every body (a slow mirror). */
  bytesPerSecond?: number;
}

export async function startFakeHub(options: FakeHubOptions): Promise<FakeHub> {
  const token = options.token ?? "hf_test_token";
  const files = new Map<string, ServedFile>();
  const bySha = new Map<string, ServedFile>();
  for (const [repo, spec] of Object.entries(options.repos)) {
    for (const [name, file] of Object.entries(spec.files)) {
      const { sha256, bytes } = file.data
        ? { sha256: sha256Hex(file.data), bytes: file.data.length }
        : await sha256File(requirePath(file));
      // Git's blob id: what the hub sends as the ETag of a file kept outside LFS.
      const gitSha1 = file.data
        ? createHash("sha1").update(`blob ${bytes}\0`).update(file.data).digest("hex")
        : createHash("sha1").update(`blob ${bytes}\0${name}`).digest("hex");
      const served: ServedFile = {
        spec: file,
        sha256,
        gitSha1,
        bytes,
        behaviour: file.behaviour ?? { kind: "ok" },
        drops: 0,
      };
      files.set(`${repo}/${name}`, served);
      bySha.set(sha256, served);
    }
  }
  const requests: HubRequest[] = [];
  const sockets = new Set<Socket>();

  const log = (host: HubRequest["host"], req: IncomingMessage) =>
    requests.push({
      host,
      method: req.method ?? "GET",
      path: new URL(req.url ?? "/", "http://x").pathname,
      range: req.headers.range,
      authorized: req.headers.authorization === `Bearer ${token}`,
      authorization: req.headers.authorization,
    });

  const fileServer = createServer((req, res) => {
    log("files", req);
    const match = /^\/lfs\/([0-9a-f]{64})$/.exec(new URL(req.url ?? "/", "http://x").pathname);
    const served = match ? bySha.get(match[1]) : undefined;
    if (!served) return void res.writeHead(404).end("no such object");
    void sendBody(req, res, served, true);
  });
  const fileHost = await listen(fileServer, sockets);

  const hubServer = createServer((req, res) => {
    log("hub", req);
    const url = new URL(req.url ?? "/", "http://x");
    const m = /^\/([^/]+\/[^/]+)\/resolve\/([^/]+)\/(.+)$/.exec(url.pathname);
    if (!m) return void res.writeHead(404, { "X-Error-Code": "RepoNotFound" }).end();
    const [, repo, , file] = m;
    const repoSpec = options.repos[repo];
    if (!repoSpec) {
      return void res
        .writeHead(404, { "X-Error-Code": "RepoNotFound" })
        .end("Repository not found");
    }
    if (repoSpec.gated && req.headers.authorization !== `Bearer ${token}`) {
      return void res
        .writeHead(401, { "X-Error-Code": "GatedRepo" })
        .end(`Access to model ${repo} is restricted. You must be authenticated to access it.`);
    }
    const served = files.get(`${repo}/${decodeURIComponent(file)}`);
    if (!served) {
      return void res.writeHead(404, { "X-Error-Code": "EntryNotFound" }).end("Entry not found");
    }
    if (served.behaviour.kind === "status") {
      return void res.writeHead(served.behaviour.status).end("failure on purpose");
    }
    if (served.spec.lfs ?? true) {
      const headers: Record<string, string> = {
        Location: `${fileHost}/lfs/${served.sha256}?X-Amz-Signature=test`,
        "X-Linked-Size": String(served.bytes),
        "X-Repo-Commit": "0".repeat(40),
        "Content-Length": "0",
      };
      if (served.spec.declareSha256 ?? true) {
        headers["X-Linked-Etag"] = `"${served.sha256}"`;
        headers.ETag = `"${served.sha256}"`;
      }
      return void res.writeHead(302, headers).end();
    }
    void sendBody(req, res, served, false, { ETag: `"${served.gitSha1}"` });
  });
  const endpoint = await listen(hubServer, sockets);

  async function sendBody(
    req: IncomingMessage,
    res: ServerResponse,
    served: ServedFile,
    viaFileHost: boolean,
    extra: Record<string, string> = {},
  ): Promise<void> {
    let start = 0;
    const range = /^bytes=(\d+)-$/.exec(req.headers.range ?? "");
    if (range) {
      start = Number(range[1]);
      if (start >= served.bytes) {
        return void res.writeHead(416, { "Content-Range": `bytes */${served.bytes}` }).end();
      }
      res.writeHead(206, {
        ...extra,
        "Accept-Ranges": "bytes",
        "Content-Length": served.bytes - start,
        "Content-Range": `bytes ${start}-${served.bytes - 1}/${served.bytes}`,
      });
    } else {
      res.writeHead(200, { ...extra, "Accept-Ranges": "bytes", "Content-Length": served.bytes });
    }
    if (req.method === "HEAD") return void res.end();

    const behaviour = served.behaviour;
    let limit = served.bytes - start;
    let drop = false;
    if (viaFileHost && behaviour.kind === "drop" && served.drops < behaviour.times) {
      served.drops++;
      limit = Math.min(limit, behaviour.afterBytes);
      drop = true;
    }
    const corrupt = viaFileHost && behaviour.kind === "corrupt";
    let sent = 0;
    try {
      for await (const chunk of bodyChunks(served.spec, start)) {
        if (res.destroyed) return;
        let piece = chunk.subarray(0, Math.max(0, limit - sent));
        if (corrupt) piece = Buffer.from(piece.map((b) => b ^ 0xff));
        if (options.bytesPerSecond) {
          // Before the write: the last piece arrives late too.
          await new Promise((resolve) =>
            setTimeout(resolve, (piece.length / options.bytesPerSecond!) * 1000),
          );
        }
        if (piece.length > 0 && !res.write(piece)) {
          await new Promise<void>((resolve) => res.once("drain", resolve));
        }
        sent += piece.length;
        if (sent >= limit) break;
      }
    } catch {
      res.destroy();
      return;
    }
    if (drop) {
      // Let the bytes go out, then cut the connection without ending the response.
      res.once("finish", () => undefined);
      setTimeout(() => res.socket?.destroy(), 20);
      return;
    }
    res.end();
  }

  return {
    endpoint,
    fileHost,
    token,
    requests,
    fileInfo: (repo, file) => {
      const served = files.get(`${repo}/${file}`);
      if (!served) throw new Error(`the fake hub serves no ${repo}/${file}`);
      return { sha256: served.sha256, bytes: served.bytes };
    },
    setBehaviour: (repo, file, behaviour) => {
      const served = files.get(`${repo}/${file}`);
      if (!served) throw new Error(`the fake hub serves no ${repo}/${file}`);
      served.behaviour = behaviour;
      served.drops = 0;
    },
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await Promise.all(
        [hubServer, fileServer].map(
          (server) => new Promise<void>((resolve) => server.close(() => resolve())),
        ),
      );
    },
  };
}

/** The file's bytes from `start`, in chunks of at most 256 kB. */
async function* bodyChunks(spec: HubFileSpec, start: number): AsyncGenerator<Buffer> {
  if (spec.data) {
    const data = Buffer.from(spec.data.buffer, spec.data.byteOffset, spec.data.byteLength);
    for (let i = start; i < data.length; i += 1 << 18) yield data.subarray(i, i + (1 << 18));
    return;
  }
  const file = requirePath(spec);
  if ((await stat(file)).size <= start) return;
  for await (const chunk of createReadStream(file, { start, highWaterMark: 1 << 20 })) {
    yield chunk as Buffer;
  }
}

function requirePath(spec: HubFileSpec): string {
  if (!spec.path) throw new Error("a hub file needs data or a path");
  return spec.path;
}

function sha256Hex(data: Uint8Array): string {
  return createHash("sha256").update(data).digest("hex");
}

async function listen(server: Server, sockets: Set<Socket>): Promise<string> {
  server.on("connection", (socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}
