import { execFile } from "node:child_process";
import { mkdtemp, readdir, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { testDensePoseTensors } from "../models/convert/densepose/test-checkpoint";
import { testOpenPoseTensors } from "../models/convert/openpose/test-checkpoint";
import { writeDetectron2Pkl, writeTorchLegacy } from "../tests/helpers/checkpoint-writers";
import { humanBytes } from "../models/install/format";
import { closedPort } from "../models/install/testing/fixture-server";
import { startFakeHub } from "../models/install/testing/fake-hub";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const tsx = path.join(root, "node_modules", ".bin", "tsx");
const cli = path.join(root, "tools", "models-cli.ts");

let store: string;

/** Runs the CLI for real (tsx, own process) against an empty temporary store. */
function run(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return runWith({}, ...args);
}

/** `run` with extra environment variables (HF_ENDPOINT, …). */
function runWith(
  env: Record<string, string>,
  ...args: string[]
): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      tsx,
      [cli, ...args],
      { cwd: root, env: { ...process.env, MODELS_DIR: store, ...env } },
      (err, stdout, stderr) => {
        const code = err ? (typeof err.code === "number" ? err.code : -1) : 0;
        resolve({ code, stdout, stderr });
      },
    );
  });
}

beforeAll(async () => {
  store = await mkdtemp(path.join(tmpdir(), "models-cli-"));
});
afterAll(async () => {
  await rm(store, { recursive: true, force: true });
});

// Each case starts its own tsx process: allow for a slow, busy machine.
describe("npm run models", { timeout: 90_000 }, () => {
  it("lists every model with task, size, licence and status", async () => {
    const { code, stdout } = await run("list");
    expect(code).toBe(0);
    expect(stdout).toMatch(/^ID\s+TASK\s+SIZE\s+LICENCE\s+STATUS/);
    expect(stdout).toMatch(/realesrgan-x4fast\s+upscale\s+[\d.]+ [KMG]?B\s+BSD-3-Clause\s+missing/);
    expect(stdout).toMatch(/isnet\s+foreground\s+88\.2 MB\s+AGPL-3\.0-only.*missing \(optional\)/);
    expect(stdout).toContain(store);
  });

  it("answers a bad command or missing argument with the usage and exit code 2", async () => {
    const cases = [["frobnicate"], ["install"], ["make-tiny"], ["list", "extra"], []];
    const results = await Promise.all(cases.map((args) => run(...args)));
    results.forEach(({ code, stdout, stderr }, i) => {
      expect(code, cases[i].join(" ")).toBe(2);
      expect(stdout + stderr, cases[i].join(" ")).toContain("usage: npm run models");
    });
  });

  it("fails with exit code 1 and a clear message for an unknown id or an unreachable hub", async () => {
    const down = { HF_ENDPOINT: `http://127.0.0.1:${await closedPort()}` };
    const [unknown, convert, remove] = await Promise.all([
      run("install", "no-such-model"),
      // A model made by conversion downloads its checkpoint: here from a mirror that is down.
      runWith(down, "install", "leffa-vton-hd-ref-unet"),
      run("remove", "realesrgan-x4fast"),
    ]);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain('unknown model "no-such-model"');

    expect(convert.code).toBe(1);
    expect(convert.stderr).toContain("virtual_tryon.pth");
    expect(convert.stderr).toContain("the mirror may be down");

    expect(remove.code).toBe(1);
    expect(remove.stderr).toContain("not installed");
  });

  it("verifies nothing in an empty store", async () => {
    const { code, stdout } = await run("verify");
    expect(code).toBe(0);
    expect(stdout).toContain("no model is installed");
  });

  it("writes a tiny model where --out says", async () => {
    const out = path.join(store, "elsewhere", "tiny.onnx");
    const { code, stdout } = await run(
      "make-tiny",
      "realesrgan-x4fast",
      "--out",
      out,
      "--seed",
      "7",
    );
    expect(code).toBe(0);
    expect(stdout).toContain(out);
    expect((await stat(out)).size).toBeGreaterThan(0);
    expect((await run("make-tiny", "realesrgan-x4fast", "--seed", "x")).code).toBe(2);
  });

  it("converts a DensePose checkpoint into the store, and refuses the wrong checkpoint", async () => {
    const pkl = path.join(store, "tiny-densepose.pkl");
    const arrays = [...testDensePoseTensors(3)].map(([name, t]) => [
      name,
      { dtype: "float32" as const, shape: t.shape, data: t.data },
    ]);
    await writeDetectron2Pkl(pkl, Object.fromEntries(arrays));
    const converted = await run("convert", "densepose", "--from", pkl);
    expect(converted.code, converted.stderr).toBe(0);
    expect(converted.stdout).toMatch(/converted densepose-r50-fpn \([\d.]+ [kMG]?B, \d+ tensors/);
    expect(
      (await stat(path.join(store, "densepose-r50-fpn", "installed.json"))).size,
    ).toBeGreaterThan(0);

    const wrong = await run("convert", "leffa-vton", "--from", pkl);
    expect(wrong.code).toBe(1);
    expect(wrong.stderr).toContain("does not look like a Leffa checkpoint");
    expect(wrong.stderr).not.toMatch(/\n\s+at /);

    const usage = await Promise.all([
      run("convert", "nothing"),
      run("convert", "nothing", "--from", pkl),
      run("convert", "leffa-vton", "--from", pkl, "--dtype", "int8"),
      run("convert", "leffa-pose", "--from", pkl, "--variant", "dc"),
    ]);
    for (const { code, stderr } of usage) {
      expect(code).toBe(2);
      expect(stderr).toContain("usage: npm run models");
    }
  });

  it("plans a workflow's models and converts a checkpoint it downloads itself from the hub", async () => {
    const pkl = path.join(store, "hub-densepose.pkl");
    const arrays = [...testDensePoseTensors(4)].map(([name, t]) => [
      name,
      { dtype: "float32" as const, shape: t.shape, data: t.data },
    ]);
    await writeDetectron2Pkl(pkl, Object.fromEntries(arrays));
    const hub = await startFakeHub({
      repos: {
        "franciszzj/Leffa": { files: { "densepose/model_final_162be9.pkl": { path: pkl } } },
      },
    });
    try {
      const env = { HF_ENDPOINT: hub.endpoint };
      // An earlier case converted DensePose from a file: start from a store without it.
      await rm(path.join(store, "densepose-r50-fpn"), { recursive: true, force: true });
      const plan = await runWith(env, "plan", "--workflow", "Virtual try-on");
      expect(plan.code, plan.stderr).toBe(0);
      expect(plan.stdout).toContain('template "Virtual try-on": 10 models');
      expect(plan.stdout).toMatch(
        /^MODEL\s+KIND\s+LICENCE\s+DOWNLOAD\s+PEAK DISK\s+ON DISK\s+STATUS/m,
      );
      const human = humanBytes((await stat(pkl)).size);
      expect(plan.stdout).toMatch(
        new RegExp(
          `densepose-r50-fpn\\s+convert model_final_162be9\\.pkl\\s+CC-BY-SA-3\\.0 \\*\\s+${human}`,
        ),
      );
      expect(plan.stdout).toMatch(/schp-atr\s+download\s+MIT \(commercial: unclear\) \*\s+267 MB/);
      const bad = await runWith(env, "plan", "--workflow", "No such template");
      expect(bad.code).toBe(1);
      expect(bad.stderr).toContain('no workflow "No such template": give a template name');

      const converted = await runWith(env, "convert", "densepose");
      expect(converted.code, converted.stderr).toBe(0);
      expect(converted.stderr).toContain("(as the hub declares it)");
      expect(converted.stdout).toMatch(/converted densepose-r50-fpn/);
      expect(hub.requests.filter((r) => r.host === "files" && r.method === "GET")).toHaveLength(1);
      // The checkpoint was deleted once converted.
      expect(await readdir(store)).not.toContain(".downloads");
    } finally {
      await hub.close();
    }
  });

  it("converts the OpenPose body model into the store, and refuses another checkpoint", async () => {
    const pth = path.join(store, "body_pose_model.pth");
    const tensors = [...testOpenPoseTensors(5)].map(([name, t]) => [
      name,
      { dtype: "float32" as const, shape: t.shape, data: t.data },
    ]);
    await writeTorchLegacy(pth, Object.fromEntries(tensors));
    const converted = await run("convert", "openpose-body", "--from", pth);
    expect(converted.code, converted.stderr).toBe(0);
    expect(converted.stdout).toMatch(/converted openpose-body \([\d.]+ [kMG]?B, 184 tensors\)/);
    expect((await stat(path.join(store, "openpose-body", "installed.json"))).size).toBeGreaterThan(
      0,
    );

    const other = path.join(store, "other.pth");
    await writeTorchLegacy(other, {
      "fc.weight": { dtype: "float32", shape: [1], data: new Float32Array(1) },
    });
    const wrong = await run("convert", "openpose-body", "--from", other);
    expect(wrong.code).toBe(1);
    expect(wrong.stderr).toContain("does not match the OpenPose body model");
    expect(wrong.stderr).not.toMatch(/\n\s+at /);
    expect((await run("convert", "openpose-body", "--from", pth, "--dtype", "fp32")).code).toBe(2);
  });
});
