import { createHash } from "node:crypto";
import { existsSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as list from "@/app/api/models/route";
import * as model from "@/app/api/models/[id]/route";
import * as install from "@/app/api/models/[id]/install/route";
import * as files from "@/app/api/models/[id]/files/[name]/route";
import * as planRoute from "@/app/api/models/plan/route";
import { getModel, MODELS } from "@/models/manifest";
import { routeContext } from "./test-db";
import { closedPort } from "@/models/install/testing/fixture-server";

/**
 * The models API against a store made by hand in a temporary MODELS_DIR: a model "installed"
 * with a few bytes and its installed.json, the way the installer leaves it. Nothing touches the
 * network: the only install that runs is one that needs no download.
 */

const ID = "realesrgan-x4fast";
/**
 * A model whose manifest pins no hash, so a hand-made install of it counts as complete and
 * "installing" it again needs no download.
 */
const OTHER = MODELS.find(
  (m) =>
    m.id !== ID && m.source.kind === "url" && m.files.every((f) => f.sha256 === null && !f.bytes),
)!.id;
const WEIGHTS = Uint8Array.from({ length: 4096 }, (_, i) => (i * 31 + 7) % 256);
const SHA = createHash("sha256").update(WEIGHTS).digest("hex");
const SECRET = "not a model file";

let root: string;
let store: string;
let previous: string | undefined;

/** Writes the model's files (all with WEIGHTS) and its installed.json, as the installer would. */
function installByHand(id: string, extra: { name: string; bytes: number; sha256: string }[] = []) {
  const dir = path.join(store, id);
  mkdirSync(dir, { recursive: true });
  const names = getModel(id).files.map((f) => f.name);
  for (const name of names) writeFileSync(path.join(dir, name), WEIGHTS);
  const record = {
    id,
    installedAt: "2026-07-01T12:00:00.000Z",
    source: "test: written by hand",
    files: [...names.map((name) => ({ name, bytes: WEIGHTS.byteLength, sha256: SHA })), ...extra],
  };
  writeFileSync(path.join(dir, "installed.json"), JSON.stringify(record));
  return record;
}

beforeAll(() => {
  root = mkdtempSync(path.join(tmpdir(), "leffa-models-api-"));
  store = path.join(root, "store");
  writeFileSync(path.join(root, "secret.onnx"), SECRET);
  previous = process.env.MODELS_DIR;
  process.env.MODELS_DIR = store;
  installByHand(ID, [
    // Listed in the record, but a symlink that leaves the store.
    { name: "escape.onnx", bytes: SECRET.length, sha256: "0".repeat(64) },
    // Listed, but gone from the disk.
    { name: "gone.onnx", bytes: 1, sha256: "1".repeat(64) },
    // Listed with a size the file no longer has.
    { name: "changed.onnx", bytes: 99, sha256: "2".repeat(64) },
  ]);
  symlinkSync(path.join(root, "secret.onnx"), path.join(store, ID, "escape.onnx"));
  writeFileSync(path.join(store, ID, "changed.onnx"), "abc");
  writeFileSync(path.join(store, ID, "stray.onnx"), "not in the record");
});

afterAll(() => {
  if (previous === undefined) delete process.env.MODELS_DIR;
  else process.env.MODELS_DIR = previous;
  rmSync(root, { recursive: true, force: true });
});

const BASE = "http://localhost/api/models";

function fileContext(id: string, name: string) {
  return { params: Promise.resolve({ id, name }) };
}

function getFile(name: string, headers: Record<string, string> = {}, id = ID, method = "GET") {
  const request = new Request(`${BASE}/${id}/files/${name}`, { method, headers });
  return method === "HEAD"
    ? files.HEAD(request, fileContext(id, name))
    : files.GET(request, fileContext(id, name));
}

async function bytes(res: Response): Promise<Uint8Array> {
  return new Uint8Array(await res.arrayBuffer());
}

describe("GET /api/models", () => {
  it("lists every manifest model with its licence, files and installed record", async () => {
    const res = await list.GET();
    expect(res.status).toBe(200);
    const body = (await res.json()) as { models: Record<string, unknown>[] };
    expect(body.models.map((m) => m.id)).toEqual(MODELS.map((m) => m.id));

    const fast = body.models.find((m) => m.id === ID)!;
    expect(fast).toMatchObject({
      title: expect.any(String),
      task: "upscale",
      optional: false,
      licence: { spdx: expect.any(String), url: expect.stringMatching(/^https:/) },
      files: getModel(ID).files,
      source: { kind: "npm", label: expect.stringMatching(/^npm:/) },
      onnx: "model.onnx",
      installed: {
        id: ID,
        files: expect.arrayContaining([{ name: "model.onnx", bytes: 4096, sha256: SHA }]),
      },
    });
    expect(fast).not.toHaveProperty("contract");
    expect(body.models.find((m) => m.id === OTHER)!.installed).toBeNull();
    const agpl = body.models.find((m) => (m.licence as { spdx: string }).spdx.startsWith("AGPL"));
    expect(agpl).toMatchObject({ optional: true });
  });
});

describe("GET /api/models/:id/files/:name", () => {
  it("streams the whole file with its length, strong ETag, ranges and caching headers", async () => {
    const res = await getFile("model.onnx");
    expect(res.status).toBe(200);
    expect(res.headers.get("content-length")).toBe("4096");
    expect(res.headers.get("etag")).toBe(`"${SHA}"`);
    expect(res.headers.get("accept-ranges")).toBe("bytes");
    expect(res.headers.get("cache-control")).toBe("no-cache");
    expect(res.headers.get("content-type")).toBe("application/octet-stream");
    // Whatever the bytes, opened in a tab a model file is a download, never a page.
    expect(res.headers.get("content-disposition")).toBe(`attachment; filename="model.onnx"`);
    expect(res.headers.get("x-content-type-options")).toBe("nosniff");
    expect(await bytes(res)).toEqual(WEIGHTS);
  });

  it("answers HEAD with the same headers and no body", async () => {
    const res = await getFile("model.onnx", {}, ID, "HEAD");
    expect(res.status).toBe(200);
    expect(res.headers.get("content-length")).toBe("4096");
    expect(res.headers.get("etag")).toBe(`"${SHA}"`);
    expect(res.body).toBeNull();
  });

  it("serves single ranges with 206 and Content-Range", async () => {
    const mid = await getFile("model.onnx", { Range: "bytes=10-19" });
    expect(mid.status).toBe(206);
    expect(mid.headers.get("content-range")).toBe("bytes 10-19/4096");
    expect(mid.headers.get("content-length")).toBe("10");
    expect(await bytes(mid)).toEqual(WEIGHTS.slice(10, 20));

    const open = await getFile("model.onnx", { Range: "bytes=4000-" });
    expect(open.headers.get("content-range")).toBe("bytes 4000-4095/4096");
    expect(await bytes(open)).toEqual(WEIGHTS.slice(4000));

    const suffix = await getFile("model.onnx", { Range: "bytes=-5" });
    expect(suffix.headers.get("content-range")).toBe("bytes 4091-4095/4096");
    expect(await bytes(suffix)).toEqual(WEIGHTS.slice(4091));
  });

  it("answers 416 for a range past the end, and ignores ranges it does not serve", async () => {
    const past = await getFile("model.onnx", { Range: "bytes=4096-" });
    expect(past.status).toBe(416);
    expect(past.headers.get("content-range")).toBe("bytes */4096");
    const multi = await getFile("model.onnx", { Range: "bytes=0-1,5-6" });
    expect(multi.status).toBe(200);
    expect((await bytes(multi)).byteLength).toBe(4096);
  });

  it("answers 304 to If-None-Match, and the whole file when If-Range names another version", async () => {
    const same = await getFile("model.onnx", { "If-None-Match": `"${SHA}"` });
    expect(same.status).toBe(304);
    expect(same.headers.get("etag")).toBe(`"${SHA}"`);
    expect(same.body).toBeNull();
    const changed = await getFile("model.onnx", { "If-None-Match": `"${"f".repeat(64)}"` });
    expect(changed.status).toBe(200);
    await changed.body?.cancel();

    const stale = await getFile("model.onnx", { Range: "bytes=0-9", "If-Range": '"old"' });
    expect(stale.status).toBe(200);
    expect((await bytes(stale)).byteLength).toBe(4096);
    const fresh = await getFile("model.onnx", { Range: "bytes=0-9", "If-Range": `"${SHA}"` });
    expect(fresh.status).toBe(206);
    await fresh.body?.cancel();
  });

  it("refuses every path that could leave the store", async () => {
    const names = [
      "..",
      "../installed.json",
      "%2e%2e",
      "%2e%2e%2finstalled.json",
      "..%2f..%2fsecret.onnx",
      "a%2fb",
      "a/b",
      "..\\secret.onnx",
      "/etc/passwd",
      "model.onnx\u0000.txt",
      ".model.onnx",
    ];
    for (const name of names) {
      const res = await getFile(name);
      expect(res.status, JSON.stringify(name)).toBe(400);
      expect(((await res.json()) as { error: string }).error).toMatch(/invalid file name/);
    }
    for (const id of ["..", "%2e%2e", "../store", "a\\b"]) {
      expect((await getFile("model.onnx", {}, id)).status, id).toBe(400);
    }
  });

  it("refuses a recorded file that is a symlink out of the store", async () => {
    const res = await getFile("escape.onnx");
    expect(res.status).toBe(403);
    const text = await res.text();
    expect(text).toMatch(/outside the model store/);
    expect(text).not.toContain(SECRET);
  });

  it("serves only files the installed record lists", async () => {
    for (const name of ["installed.json", "stray.onnx"]) {
      const res = await getFile(name);
      expect(res.status, name).toBe(404);
      expect(((await res.json()) as { error: string }).error).toMatch(/has no installed file/);
    }
    expect((await getFile("gone.onnx")).status).toBe(404);
  });

  it("refuses to serve a file whose size no longer matches its record", async () => {
    const res = await getFile("changed.onnx");
    expect(res.status).toBe(500);
    expect(((await res.json()) as { error: string }).error).toMatch(
      /has changed since it was installed/,
    );
  });

  it("answers 404 for unknown and uninstalled models, naming the known ones", async () => {
    const unknown = await getFile("model.onnx", {}, "no-such-model");
    expect(unknown.status).toBe(404);
    expect(((await unknown.json()) as { error: string }).error).toContain(
      `known models: ${MODELS[0].id}`,
    );
    const missing = await getFile("model.onnx", {}, OTHER);
    expect(missing.status).toBe(404);
    expect(((await missing.json()) as { error: string }).error).toMatch(/not installed/);
  });
});

async function ndjson(res: Response): Promise<Record<string, unknown>[]> {
  const text = await res.text();
  return text
    .trim()
    .split("\n")
    .map((l) => JSON.parse(l) as Record<string, unknown>);
}

describe("POST /api/models/:id/install", () => {
  it("answers 404 with the known ids for an unknown model", async () => {
    const res = await install.POST(
      new Request(`${BASE}/nope/install`, { method: "POST" }),
      routeContext("nope"),
    );
    expect(res.status).toBe(404);
    expect(((await res.json()) as { error: string }).error).toMatch(
      /unknown model "nope"; known models: /,
    );
  });

  it("streams NDJSON ending in done for a model that is already complete", async () => {
    installByHand(OTHER);
    const res = await install.POST(
      new Request(`${BASE}/${OTHER}/install`, { method: "POST" }),
      routeContext(OTHER),
    );
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toMatch(/^application\/x-ndjson/);
    // One line and no progress: the installer found the model complete and downloaded nothing.
    expect(await ndjson(res)).toEqual([
      {
        type: "done",
        installed: expect.objectContaining({ id: OTHER, source: "test: written by hand" }),
      },
    ]);
  });

  it("ends the stream with the installer's error code and message", async () => {
    // A converted model downloads its checkpoint on the server: here from a mirror that is down
    // (no test reaches the internet).
    const convert = MODELS.find((m) => m.source.kind === "convert")!;
    const saved = process.env.HF_ENDPOINT;
    process.env.HF_ENDPOINT = `http://127.0.0.1:${await closedPort()}`;
    try {
      const res = await install.POST(
        new Request(`${BASE}/${convert.id}/install`, { method: "POST" }),
        routeContext(convert.id),
      );
      expect(res.status).toBe(200);
      expect(await ndjson(res)).toEqual([
        {
          type: "error",
          code: "offline",
          message: expect.stringContaining("the mirror may be down"),
        },
      ]);
    } finally {
      if (saved === undefined) delete process.env.HF_ENDPOINT;
      else process.env.HF_ENDPOINT = saved;
    }
  });
});

describe("GET /api/models/plan", () => {
  it("plans installing models, says who may install, and names a bad id", async () => {
    const saved = process.env.HF_ENDPOINT;
    process.env.HF_ENDPOINT = `http://127.0.0.1:${await closedPort()}`;
    try {
      const res = await planRoute.GET(
        new Request(`${BASE}/plan?ids=${ID},leffa-vton-hd-gen-unet,leffa-vton-hd-ref-unet`),
      );
      expect(res.status).toBe(200);
      const body = (await res.json()) as {
        canInstall: boolean;
        plan: { items: { kind: string; ids: string[]; installed: boolean; problem?: string }[] };
      };
      // Local mode: anyone installs.
      expect(body.canInstall).toBe(true);
      expect(body.plan.items.map((i) => [i.kind, i.ids])).toEqual([
        ["download", [ID]],
        ["convert", ["leffa-vton-hd-gen-unet", "leffa-vton-hd-ref-unet"]],
      ]);
      expect(body.plan.items[0].installed).toBe(true);
      expect(body.plan.items[1].problem).toContain("the mirror may be down");
    } finally {
      if (saved === undefined) delete process.env.HF_ENDPOINT;
      else process.env.HF_ENDPOINT = saved;
    }
    const bad = await planRoute.GET(new Request(`${BASE}/plan?ids=../etc`));
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: string }).error).toContain("a model id");
  });
});

describe("DELETE /api/models/:id", () => {
  it("removes an installed model, then answers 404 for it", async () => {
    installByHand(OTHER);
    const del = () =>
      model.DELETE(new Request(`${BASE}/${OTHER}`, { method: "DELETE" }), routeContext(OTHER));
    const res = await del();
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ removed: OTHER });
    expect(existsSync(path.join(store, OTHER))).toBe(false);
    const again = await del();
    expect(again.status).toBe(404);
    expect(((await again.json()) as { error: string }).error).toMatch(/not installed/);
  });

  it("answers 404 with the known ids for an unknown model", async () => {
    const res = await model.DELETE(
      new Request(`${BASE}/nope`, { method: "DELETE" }),
      routeContext("nope"),
    );
    expect(res.status).toBe(404);
    expect(((await res.json()) as { error: string }).error).toMatch(/known models: /);
  });
});
