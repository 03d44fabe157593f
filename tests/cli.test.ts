import { execFile } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import sharp from "sharp";
import { describe, expect, it } from "vitest";
import type { WorkflowDocument } from "../nodes/core/document";
import { extractWorkflowFromPng } from "../nodes/lib/png-workflow";
import { parseWorkflow } from "../nodes/core/document";
import { DOCUMENT_LIMITS } from "../nodes/core/limits";
import { poseExtractorNode } from "../nodes/pose-extractor";
import { installTinyModels, LEFFA_POSE_IDS } from "./helpers/model-store";

const run = promisify(execFile);

function doc(withModelNode: boolean): WorkflowDocument {
  return {
    version: 2,
    name: "cli test",
    meta: {},
    nodes: [
      { id: "photo", type: "load-image", position: { x: 0, y: 0 }, params: {} },
      {
        id: "fit",
        type: "resize",
        position: { x: 0, y: 0 },
        params: { mode: "pad", width: 96, height: 128 },
      },
      { id: "save", type: "save-image", position: { x: 0, y: 0 }, params: { filename: "fitted" } },
      ...(withModelNode
        ? [{ id: "parse", type: "mask-generator", position: { x: 0, y: 0 }, params: {} }]
        : []),
    ],
    edges: [
      { id: "e1", source: "photo", sourceHandle: "image", target: "fit", targetHandle: "image" },
      { id: "e2", source: "fit", sourceHandle: "image", target: "save", targetHandle: "image" },
      ...(withModelNode
        ? [
            {
              id: "e3",
              source: "fit",
              sourceHandle: "image",
              target: "parse",
              targetHandle: "image",
            },
          ]
        : []),
    ],
  };
}

async function setup(withModelNode: boolean) {
  const dir = mkdtempSync(join(tmpdir(), "leffa-cli-"));
  const image = join(dir, "in.png");
  await sharp({ create: { width: 60, height: 40, channels: 3, background: "#ff0000" } })
    .png()
    .toFile(image);
  const workflow = join(dir, "wf.json");
  writeFileSync(workflow, JSON.stringify(doc(withModelNode)));
  return { dir, image, workflow, out: join(dir, "out") };
}

const cli = (args: string[], env: NodeJS.ProcessEnv = process.env) =>
  run("node_modules/.bin/tsx", ["tools/studio-cli.ts", ...args], { timeout: 120_000, env });

describe("studio CLI", () => {
  it("runs a workflow headless and writes its outputs, with the workflow embedded", async () => {
    const { image, workflow, out } = await setup(false);
    const { stdout } = await cli(["run", workflow, "--input", `photo=${image}`, "--out", out]);
    expect(stdout).toMatch(/done: 3 ran, 0 cached, 0 failed/);
    expect(readdirSync(out)).toEqual(["save-fitted.png"]);
    const png = readFileSync(join(out, "save-fitted.png"));
    const meta = await sharp(png).metadata();
    expect([meta.width, meta.height]).toEqual([96, 128]);
    expect((extractWorkflowFromPng(new Uint8Array(png)) as WorkflowDocument).name).toBe("cli test");
  });

  it("exits 1 and names the node and model when a model node cannot run", async () => {
    const { image, workflow, out } = await setup(true);
    const err = await cli(["run", workflow, "--input", `photo=${image}`, "--out", out]).catch(
      (e) => e,
    );
    expect(err.code).toBe(1);
    expect(err.stdout).toMatch(
      /error {5}parse: needs model schp-atr: it is not installed; run `npm run models -- install schp-atr`/,
    );
    expect(readdirSync(out)).toEqual(["save-fitted.png"]);
  });

  it("refuses an --input that names no load-image node", async () => {
    const { image, workflow, out } = await setup(false);
    const err = await cli(["run", workflow, "--input", `fit=${image}`, "--out", out]).catch(
      (e) => e,
    );
    expect(err.code).toBe(2);
    expect(err.stderr).toMatch(/node "fit" is a resize, not a load-image/);
  });

  it("refuses a workflow past the document limits, naming the limit and the field", async () => {
    const { dir, out } = await setup(false);
    const deep = join(dir, "deep.json");
    const nested = `${"[".repeat(100_000)}${"]".repeat(100_000)}`;
    writeFileSync(
      deep,
      JSON.stringify(doc(false)).replace('"params":{}', `"params":{"x":${nested}}`),
    );
    const err = await cli(["run", deep, "--out", out]).catch((e) => e);
    expect(err.code).toBe(2);
    expect(err.stderr).toContain(
      `error: nodes[0].params.x: nested deeper than the ${DOCUMENT_LIMITS.depth}-level limit`,
    );
    const big = join(dir, "big.json");
    writeFileSync(big, " ".repeat(DOCUMENT_LIMITS.bytes + 1));
    const tooBig = await cli(["run", big, "--out", out]).catch((e) => e);
    expect(tooBig.code).toBe(2);
    expect(tooBig.stderr).toContain("is larger than the 5 MB limit of a workflow document");
  });

  it("runs the seeded Pose transfer example headless on onnxruntime-node (tiny models)", async () => {
    // The headless path for what a browser tab cannot hold: every model of the example (pose
    // extractor and the SDXL pose-transfer graphs) as tiny contract models, at 512×384, 2 steps.
    const dir = mkdtempSync(join(tmpdir(), "leffa-cli-pose-"));
    const store = join(dir, "store");
    installTinyModels(store, [...(poseExtractorNode.models ?? []), ...LEFFA_POSE_IDS]);
    const example = parseWorkflow(
      JSON.parse(readFileSync("prisma/examples/pose-transfer.json", "utf8")),
    );
    for (const node of example.nodes) {
      if (node.type === "leffa-sampler") {
        node.params = { ...node.params, resolution: "512x384", steps: 2 };
      }
    }
    const workflow = join(dir, "pose-transfer.json");
    writeFileSync(workflow, JSON.stringify(example));
    const images = ["source", "target"].map((name) => join(dir, `${name}.png`));
    for (const [i, file] of images.entries()) {
      await sharp({
        create: { width: 90, height: 120, channels: 3, background: i ? "#3060c0" : "#c06030" },
      })
        .png()
        .toFile(file);
    }
    const out = join(dir, "out");
    const { stdout } = await cli(
      [
        "run",
        workflow,
        "--input",
        `source=${images[0]}`,
        "--input",
        `target=${images[1]}`,
        "--out",
        out,
      ],
      { ...process.env, MODELS_DIR: store },
    ).catch((e: { stdout: string; stderr: string }) => {
      throw new Error(`the CLI failed:\n${e.stdout}\n${e.stderr}`);
    });
    expect(stdout).toMatch(/done\s+leffa \(\d+ ms\)/);
    expect(stdout).toMatch(/done: \d+ ran, 0 cached, 0 failed/);
    const png = readFileSync(join(out, "save-pose-transfer.png"));
    const meta = await sharp(png).metadata();
    expect([meta.width, meta.height]).toEqual([768, 1024]);
  }, 180_000);
});
