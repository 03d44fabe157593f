import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

/**
 * A local HTTP file server for installer tests: serves byte arrays with Range support and can
 * misbehave on purpose (drop the connection mid-file, announce more bytes than it sends, fail
 * with a status, stall). Every request is logged with its Range header.
 */
export type Behaviour =
  | { kind: "ok" }
  | { kind: "drop-first"; afterBytes: number }
  | { kind: "short-body"; announcedExtra: number }
  | { kind: "status"; status: number }
  | { kind: "stall-after"; afterBytes: number }
  | { kind: "ignore-range" };

export interface FixtureServer {
  url(pathname: string): string;
  serve(pathname: string, data: Uint8Array, behaviour?: Behaviour): void;
  requests: Array<{ path: string; range: string | undefined }>;
  close(): Promise<void>;
}

export async function startFixtureServer(): Promise<FixtureServer> {
  const routes = new Map<string, { data: Uint8Array; behaviour: Behaviour; hits: number }>();
  const requests: FixtureServer["requests"] = [];
  const stalled: ServerResponse[] = [];

  const server: Server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const pathname = new URL(req.url ?? "/", "http://x").pathname;
    requests.push({ path: pathname, range: req.headers.range });
    const route = routes.get(pathname);
    if (!route) {
      res.writeHead(404).end("not found");
      return;
    }
    route.hits++;
    const { data, behaviour } = route;
    if (behaviour.kind === "status") {
      res.writeHead(behaviour.status).end("failure on purpose");
      return;
    }

    let start = 0;
    const range = /^bytes=(\d+)-$/.exec(req.headers.range ?? "");
    if (range && behaviour.kind !== "ignore-range") {
      start = Number(range[1]);
      if (start >= data.length) {
        res.writeHead(416, { "Content-Range": `bytes */${data.length}` }).end();
        return;
      }
      res.writeHead(206, {
        "Content-Length": data.length - start,
        "Content-Range": `bytes ${start}-${data.length - 1}/${data.length}`,
      });
    } else if (behaviour.kind === "short-body") {
      res.writeHead(200, { "Content-Length": data.length + behaviour.announcedExtra });
    } else {
      res.writeHead(200, { "Content-Length": data.length });
    }
    const body = Buffer.from(data.subarray(start));

    if (behaviour.kind === "drop-first" && route.hits === 1) {
      res.write(body.subarray(0, behaviour.afterBytes), () => res.socket?.destroy());
      return;
    }
    if (behaviour.kind === "short-body") {
      res.write(body, () => res.socket?.destroy());
      return;
    }
    if (behaviour.kind === "stall-after" && route.hits === 1) {
      res.write(body.subarray(0, behaviour.afterBytes));
      stalled.push(res);
      return;
    }
    res.end(body);
  });

  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: (pathname) => `http://127.0.0.1:${port}${pathname}`,
    serve: (pathname, data, behaviour = { kind: "ok" }) =>
      routes.set(pathname, { data, behaviour, hits: 0 }),
    requests,
    close: async () => {
      for (const res of stalled) res.socket?.destroy();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** A port on 127.0.0.1 that nothing listens on (for "offline" tests). */
export async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}
