import { spawnSync } from "node:child_process";
import path from "node:path";
import { describe, expect, it } from "vitest";

/**
 * `npm run bench:gpu` at tiny size on the CPU (software adapters allowed), so the script that a
 * GPU machine will run keeps working: probe, the four try-on graphs' sessions and one image per
 * size with and without ref acceleration, and the external-data check in Chromium.
 */
describe("bench:gpu --tiny", () => {
  it("probes, runs the tiny try-on and the external-data check", () => {
    const tsx = path.resolve("node_modules/.bin/tsx");
    const run = spawnSync(
      tsx,
      ["tests/bench/gpu.bench.ts", "--tiny", "--allow-software", "--provider", "cpu"],
      { encoding: "utf8", timeout: 170_000 },
    );
    const out = `${run.stdout}${run.stderr}`;
    expect(run.status, out).toBe(0);
    expect(out).toMatch(/^nvidia-smi: /m);
    expect(out).toMatch(/^Chromium \(--enable-unsafe-webgpu.*\): \S/m);
    expect(out).toMatch(/path: onnxruntime-node CPU .*tiny try-on graphs, synthetic fp16 weights/);
    for (const size of ["64×64", "128×128"]) {
      expect(out).toMatch(new RegExp(`${size}: sessions created in [\\d.]+ s \\(vae-encoder`));
    }
    expect(out.match(/ref acceleration (on |off): [\d.]+ s per image/g)).toHaveLength(4);
    expect(out).toMatch(/one buffer: (loads and runs|FAILS)/);
    expect(out).toMatch(/4 files \(one per initializer\): loads and runs \(right values/);
  }, 180_000);
});
