import { describe, expect, it } from "vitest";
import type { InstalledRecord } from "@/models/store";
import {
  installStream,
  isInstalling,
  progressThrottle,
  type InstallLine,
  type InstallProgress,
  type Installer,
} from "./install-stream";

const RECORD: InstalledRecord = {
  id: "m",
  installedAt: "2026-01-01T00:00:00.000Z",
  source: "test",
  files: [{ name: "model.onnx", bytes: 10, sha256: "0".repeat(64) }],
};

function progress(bytes: number, extra: Partial<InstallProgress> = {}): InstallProgress {
  return { modelId: "m", file: "model.onnx", phase: "download", bytes, total: 100, ...extra };
}

async function readLines(stream: ReadableStream<Uint8Array>): Promise<InstallLine[]> {
  const text = await new Response(stream).text();
  expect(text.endsWith("\n")).toBe(true);
  return text
    .trimEnd()
    .split("\n")
    .map((l) => JSON.parse(l) as InstallLine);
}

describe("progressThrottle", () => {
  it("passes the first report of each file and phase, the last, and one per interval", () => {
    let t = 0;
    const send = progressThrottle(100, () => t);
    expect(send(progress(1))).toBe(true);
    t = 50;
    expect(send(progress(2))).toBe(false);
    expect(send(progress(2, { phase: "verify" }))).toBe(true);
    t = 60;
    expect(send(progress(3, { phase: "verify" }))).toBe(false);
    expect(send(progress(100, { phase: "verify" }))).toBe(true);
    t = 170;
    expect(send(progress(4, { phase: "verify" }))).toBe(true);
  });
});

describe("installStream", () => {
  it("streams progress lines, then done with the installed record", async () => {
    const install: Installer = async (id, { onProgress }) => {
      expect(isInstalling(id)).toBe(true);
      onProgress(progress(0));
      onProgress(progress(1)); // dropped: same file and phase within the interval
      onProgress(progress(100));
      return RECORD;
    };
    const lines = await readLines(installStream("m", install));
    expect(lines).toEqual([
      { type: "progress", ...progress(0) },
      { type: "progress", ...progress(100) },
      { type: "done", installed: RECORD },
    ]);
    expect(isInstalling("m")).toBe(false);
  });

  it("ends with an error line carrying the installer's code", async () => {
    const install: Installer = async () => {
      throw Object.assign(new Error("checksum mismatch for model.onnx"), { code: "checksum" });
    };
    expect(await readLines(installStream("m", install))).toEqual([
      { type: "error", code: "checksum", message: "checksum mismatch for model.onnx" },
    ]);
  });

  it("reports an error without a code as internal", async () => {
    const install: Installer = async () => {
      throw new Error("boom");
    };
    expect(await readLines(installStream("m", install))).toEqual([
      { type: "error", code: "internal", message: "boom" },
    ]);
  });

  it("aborts the install when the client cancels the stream", async () => {
    let seen: AbortSignal | undefined;
    const install: Installer = (_id, { signal }) =>
      new Promise((_resolve, reject) => {
        seen = signal;
        signal.addEventListener("abort", () => reject(signal.reason));
      });
    const stream = installStream("m", install);
    const reader = stream.getReader();
    await new Promise((r) => setTimeout(r, 10));
    await reader.cancel();
    expect(seen?.aborted).toBe(true);
    await new Promise((r) => setTimeout(r, 10));
    expect(isInstalling("m")).toBe(false);
  });
});
