import { execFile } from "node:child_process";
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import sharp from "sharp";
import { describe, expect, it } from "vitest";
import type { WorkflowDocument } from "../nodes/core/document";

const run = promisify(execFile);
const at = { x: 0, y: 0 };

/** Person (base) and garment (overlay) composited and saved: two Load Image nodes to cross. */
const doc: WorkflowDocument = {
  version: 2,
  name: "cli batch test",
  meta: {},
  nodes: [
    { id: "person", type: "load-image", position: at, params: {} },
    { id: "garment", type: "load-image", position: at, params: {} },
    { id: "mix", type: "composite", position: at, params: { x: 4, y: 4 } },
    { id: "save", type: "save-image", position: at, params: { filename: "tryon" } },
  ],
  edges: [
    { id: "e1", source: "person", sourceHandle: "image", target: "mix", targetHandle: "base" },
    { id: "e2", source: "garment", sourceHandle: "image", target: "mix", targetHandle: "overlay" },
    { id: "e3", source: "mix", sourceHandle: "image", target: "save", targetHandle: "image" },
  ],
};

async function png(path: string, width: number, height: number, background: string) {
  await sharp({ create: { width, height, channels: 3, background } })
    .png()
    .toFile(path);
}

async function setup() {
  const dir = mkdtempSync(join(tmpdir(), "leffa-batch-"));
  mkdirSync(join(dir, "persons"));
  mkdirSync(join(dir, "garments"));
  await png(join(dir, "persons", "alice.png"), 40, 50, "#ff0000");
  await png(join(dir, "persons", "bob.png"), 40, 50, "#00ff00");
  for (const [i, c] of ["#0000ff", "#ffff00", "#ffffff"].entries()) {
    await png(join(dir, "garments", `g${i + 1}.png`), 10, 10, c);
  }
  writeFileSync(join(dir, "notes.txt"), "not an image");
  writeFileSync(join(dir, "wf.json"), JSON.stringify(doc));
  return dir;
}

function cli(...args: string[]) {
  return run("node_modules/.bin/tsx", ["tools/studio-cli.ts", ...args]);
}

describe("npm run studio -- batch", () => {
  it("crosses two folders into one run each, with outputs and a CSV row per run", async () => {
    const dir = await setup();
    const out = join(dir, "out");
    const { stdout } = await cli(
      "batch",
      join(dir, "wf.json"),
      "--input",
      `person=${join(dir, "persons")}`,
      "--input",
      `garment=${join(dir, "garments")}`,
      "--out",
      out,
    );
    expect(stdout).toContain("6 of 6 runs done");
    const folders = readdirSync(out)
      .filter((n) => n !== "batch.csv")
      .sort();
    expect(folders).toEqual([
      "1-alice__g1",
      "2-alice__g2",
      "3-alice__g3",
      "4-bob__g1",
      "5-bob__g2",
      "6-bob__g3",
    ]);
    const csv = readFileSync(join(out, "batch.csv"), "utf8").trim().split("\r\n");
    expect(csv).toHaveLength(7);
    expect(csv[0]).toBe(
      "run,status,input:person,input:garment,outputs,leffa_loss,error,worker,seconds",
    );
    const row = csv[5].split(",");
    expect(row.slice(0, 2)).toEqual(["5-bob__g2", "done"]);
    expect(row[2]).toBe(join(dir, "persons", "bob.png"));
    expect(row[3]).toBe(join(dir, "garments", "g2.png"));
    // The saved output is bob's green with g2's yellow square over it at (4, 4).
    const saved = join(out, row[4]);
    const { data, info } = await sharp(saved).raw().toBuffer({ resolveWithObject: true });
    expect([info.width, info.height]).toEqual([40, 50]);
    const pixel = (x: number, y: number) =>
      [...data.subarray((y * 40 + x) * info.channels)].slice(0, 3);
    expect(pixel(0, 0)).toEqual([0, 255, 0]);
    expect(pixel(5, 5)).toEqual([255, 255, 0]);
  }, 60_000);

  it("refuses a node that is not a Load Image and a folder with no images", async () => {
    const dir = await setup();
    const out = join(dir, "out");
    await expect(
      cli("batch", join(dir, "wf.json"), "--input", `mix=${join(dir, "persons")}`, "--out", out),
    ).rejects.toThrow(/node "mix" is a composite, not a load-image/);
    mkdirSync(join(dir, "empty"));
    await expect(
      cli("batch", join(dir, "wf.json"), "--input", `person=${join(dir, "empty")}`, "--out", out),
    ).rejects.toThrow(/holds no PNG, JPEG or WebP image/);
  }, 60_000);
});
