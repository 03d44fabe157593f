import { createHash } from "node:crypto";
import { mkdtemp, readdir, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { ModelEntry } from "../manifest/schema";
import { readInstalled } from "../store";
import { InstallError } from "./errors";
import { hubSettings, onEndpoint, sha256FromEtag } from "./hf";
import { installModel } from "./installer";
import { closedPort } from "./testing/fixture-server";
import { startFakeHub, type FakeHub } from "./testing/fake-hub";

/**
 * The installer against a local stand-in for the Hugging Face hub: HF_ENDPOINT, HF_TOKEN (never
 * sent to the file host), the redirect, the declared sha256, Range resume, and the failures.
 */

const sha = (data: Uint8Array) => createHash("sha256").update(data).digest("hex");

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

const FILES = {
  open: bytesOf(400_000, 1),
  pinned: bytesOf(50_000, 2),
  git: bytesOf(2_000, 3),
  gated: bytesOf(30_000, 4),
  flaky: bytesOf(600_000, 5),
  bad: bytesOf(70_000, 6),
  broken: bytesOf(10_000, 7),
};
type Name = keyof typeof FILES;

function entry(name: Name, repo = "acme/models", opts: { pinned?: boolean } = {}): ModelEntry {
  const file = `${name}.onnx`;
  return {
    id: `test-${name}`,
    title: name,
    task: "upscale",
    description: "test model",
    licence: { spdx: "MIT", url: "https://example.com/licence", commercial: "yes" },
    optional: false,
    files: [{ name: file, bytes: null, sha256: opts.pinned ? sha(FILES[name]) : null }],
    source: {
      kind: "url",
      urls: { [file]: `https://huggingface.co/${repo}/resolve/main/${file}` },
    },
    onnx: file,
    contract: {
      inputs: [{ name: "input", dtype: "float32", shape: [1, 3, "h", "w"] }],
      outputs: [{ name: "output", dtype: "float32", shape: [1, 3, "h", "w"] }],
      preprocess: "test",
      postprocess: "test",
    },
  };
}

const ENTRIES = [
  entry("open"),
  entry("pinned", "acme/models", { pinned: true }),
  entry("git"),
  entry("gated", "acme/gated"),
  entry("flaky"),
  entry("bad"),
  entry("broken"),
  {
    ...entry("open"),
    id: "test-missing",
    files: [{ name: "nope.onnx", bytes: null, sha256: null }],
    source: {
      kind: "url" as const,
      urls: { "nope.onnx": "https://huggingface.co/acme/models/resolve/main/nope.onnx" },
    },
    onnx: "nope.onnx",
  },
];

let hub: FakeHub;
let store: string;
const savedModelsDir = process.env.MODELS_DIR;

function repos() {
  const files = (names: Name[]) =>
    Object.fromEntries(names.map((n) => [`${n}.onnx`, { data: FILES[n], lfs: n !== "git" }]));
  return {
    "acme/models": { files: files(["open", "pinned", "git", "flaky", "bad", "broken"]) },
    "acme/gated": { gated: true, files: files(["gated"]) },
  };
}

beforeAll(async () => {
  hub = await startFakeHub({ repos: repos() });
});
afterAll(async () => {
  await hub.close();
  if (savedModelsDir === undefined) delete process.env.MODELS_DIR;
  else process.env.MODELS_DIR = savedModelsDir;
});
beforeEach(async () => {
  store = await mkdtemp(path.join(tmpdir(), "hf-store-"));
  process.env.MODELS_DIR = store;
  hub.requests.length = 0;
});
afterEach(async () => {
  await rm(store, { recursive: true, force: true });
});

const settings = (token?: string) => hubSettings({ HF_ENDPOINT: hub.endpoint, HF_TOKEN: token });
const install = (name: string, opts: Parameters<typeof installModel>[1] = {}) =>
  installModel(`test-${name}`, { entries: ENTRIES, hub: settings(), ...opts });

async function failure(promise: Promise<unknown>): Promise<InstallError> {
  const err = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(InstallError);
  return err as InstallError;
}

/** Nothing of the model in the store: no folder, and no installed.json anywhere. */
async function expectNotInstalled(id: string) {
  expect(await readInstalled(id)).toBeUndefined();
  expect(await readdir(store)).not.toContain(id);
}

describe("Hugging Face conventions", () => {
  it("reads HF_ENDPOINT and HF_TOKEN and moves huggingface.co URLs onto the endpoint only", () => {
    const s = hubSettings({ HF_ENDPOINT: "https://hf-mirror.com/", HF_TOKEN: " hf_x " });
    expect(s).toEqual({ endpoint: "https://hf-mirror.com", token: "hf_x" });
    expect(onEndpoint("https://huggingface.co/a/b/resolve/main/c.onnx", s)).toBe(
      "https://hf-mirror.com/a/b/resolve/main/c.onnx",
    );
    expect(onEndpoint("https://example.com/a/b", s)).toBe("https://example.com/a/b");
    expect(hubSettings({}).endpoint).toBe("https://huggingface.co");
    expect(() => hubSettings({ HF_ENDPOINT: "not a url" })).toThrow(/HF_ENDPOINT is not a URL/);
  });

  it("takes a sha256 from an ETag, never a git blob sha1", () => {
    const hex = "ab".repeat(32);
    expect(sha256FromEtag(`"${hex}"`)).toBe(hex);
    expect(sha256FromEtag(`W/"${hex.toUpperCase()}"`)).toBe(hex);
    expect(sha256FromEtag(`"${"ab".repeat(20)}"`)).toBeNull();
    expect(sha256FromEtag(null)).toBeNull();
  });

  it("follows the redirect to the file host, checks the declared sha256 and records it", async () => {
    const record = await install("open", { hub: settings("hf_secret") });
    expect(record.files).toEqual([
      {
        name: "open.onnx",
        bytes: FILES.open.length,
        sha256: sha(FILES.open),
        checkedAgainst: "hub",
      },
    ]);
    expect(await readInstalled("test-open")).toEqual(record);
    const hosts = hub.requests.map((r) => r.host);
    expect(hosts).toEqual(["hub", "files"]);
    // The token goes to the hub, and is not forwarded to the other origin.
    expect(hub.requests[0].authorization).toBe("Bearer hf_secret");
    expect(hub.requests[1].authorization).toBeUndefined();
  });

  it("says which check it was: pinned by the manifest, or trust on first use for a git file", async () => {
    expect((await install("pinned")).files[0].checkedAgainst).toBe("pinned");
    const git = await install("git");
    expect(git.files[0]).toMatchObject({ sha256: sha(FILES.git), checkedAgainst: "first-use" });
    expect(hub.requests.filter((r) => r.path.endsWith("git.onnx")).map((r) => r.host)).toEqual([
      "hub",
    ]);
  });

  it("refuses bytes that differ from the declared sha256, and keeps nothing", async () => {
    hub.setBehaviour("acme/models", "bad.onnx", { kind: "corrupt" });
    const err = await failure(install("bad"));
    expect(err.code).toBe("checksum");
    expect(err.message).toContain(`expected sha256 ${sha(FILES.bad)} (as the hub declares it)`);
    expect(err.message).toContain("the file was deleted");
    await expectNotInstalled("test-bad");
    expect(await readdir(path.join(store, ".partial", "test-bad"))).toEqual([]);
  });

  it("resumes a dropped download with a Range request instead of starting over", async () => {
    hub.setBehaviour("acme/models", "flaky.onnx", { kind: "drop", afterBytes: 250_000, times: 1 });
    const err = await failure(install("flaky"));
    expect(err.code).toBe("truncated");
    expect(err.message).toMatch(
      /stopped after \d+ of 600000 bytes.*run the install again to resume/,
    );
    await expectNotInstalled("test-flaky");
    const part = path.join(store, ".partial", "test-flaky", "flaky.onnx.part");
    const kept = (await stat(part)).size;
    expect(kept).toBeGreaterThan(0);
    hub.requests.length = 0;
    const record = await install("flaky");
    expect(record.files[0]).toMatchObject({ sha256: sha(FILES.flaky), checkedAgainst: "hub" });
    const fileRequest = hub.requests.find((r) => r.host === "files")!;
    expect(fileRequest.range).toBe(`bytes=${kept}-`);
  });

  it("says to set HF_TOKEN for a gated repository, and installs with it", async () => {
    const err = await failure(install("gated"));
    expect(err.code).toBe("unauthorized");
    expect(err.message).toMatch(/acme\/gated is gated \(HTTP 401\).*set HF_TOKEN=<token>/);
    await expectNotInstalled("test-gated");
    const refused = await failure(install("gated", { hub: settings("hf_wrong") }));
    expect(refused.message).toContain("the token in HF_TOKEN was refused");
    const record = await install("gated", { hub: settings(hub.token) });
    expect(record.files[0].sha256).toBe(sha(FILES.gated));
  });

  it("names a missing file and a failing hub", async () => {
    const missing = await failure(install("missing"));
    expect(missing.message).toMatch(/HTTP 404 .*nope\.onnx: the repository has no such file/);
    hub.setBehaviour("acme/models", "broken.onnx", { kind: "status", status: 500 });
    const broken = await failure(install("broken"));
    expect(broken.code).toBe("http");
    expect(broken.message).toMatch(/HTTP 500 .* for .*broken\.onnx/);
    await expectNotInstalled("test-broken");
  });

  it("says the mirror is down when HF_ENDPOINT cannot be reached", async () => {
    const down = hubSettings({ HF_ENDPOINT: `http://127.0.0.1:${await closedPort()}` });
    const err = await failure(install("open", { hub: down }));
    expect(err.code).toBe("offline");
    expect(err.message).toMatch(/HF_ENDPOINT=http:\/\/127\.0\.0\.1:\d+: the mirror may be down/);
    await expectNotInstalled("test-open");
  });

  it("downloads from the mirror HF_ENDPOINT names, however slow, and not from the hub", async () => {
    const mirror = await startFakeHub({ repos: repos(), bytesPerSecond: 1_000_000 });
    try {
      const started = Date.now();
      const saved = process.env.HF_ENDPOINT;
      process.env.HF_ENDPOINT = mirror.endpoint;
      let record;
      try {
        // No hub option: the installer reads the environment, as the CLI does.
        record = await installModel("test-open", { entries: ENTRIES });
      } finally {
        if (saved === undefined) delete process.env.HF_ENDPOINT;
        else process.env.HF_ENDPOINT = saved;
      }
      expect(record.files[0].sha256).toBe(sha(FILES.open));
      expect(Date.now() - started).toBeGreaterThanOrEqual(380);
      expect(mirror.requests.map((r) => r.host)).toEqual(["hub", "files"]);
      expect(hub.requests).toEqual([]);
    } finally {
      await mirror.close();
    }
  });

  it("stops with a clear message when the disk fills up during a download, and keeps nothing installed", async () => {
    const { open } = await import("node:fs/promises");
    // An injected disk that fills after 100 kB: the real write path meets a real ENOSPC error.
    const openPart = async (file: string, flags: "w" | "a") => {
      const handle = await open(file, flags);
      let written = 0;
      return {
        close: () => handle.close(),
        write: (async (chunk: Uint8Array) => {
          if (written + chunk.length > 100_000) {
            throw Object.assign(new Error("ENOSPC: no space left on device, write"), {
              code: "ENOSPC",
            });
          }
          written += chunk.length;
          return handle.write(chunk);
        }) as typeof handle.write,
      };
    };
    const err = await failure(install("open", { openPart }));
    expect(err.code).toBe("no-space");
    expect(err.message).toMatch(/no space left in .*test-open: \d+ bytes still needed/);
    await expectNotInstalled("test-open");
  });

  it("refuses before the first byte when the disk is too small for the announced size", async () => {
    const err = await failure(install("open", { freeBytes: async () => 1000 }));
    expect(err.code).toBe("no-space");
    expect(err.message).toContain("400 kB (400000 bytes) needed, 1.00 kB free");
    await expectNotInstalled("test-open");
    // Refused on the announced size, before the body: not a byte was written.
    const part = path.join(store, ".partial", "test-open", "open.onnx.part");
    expect(
      await stat(part).then(
        (s) => s.size,
        () => 0,
      ),
    ).toBe(0);
  });
});
