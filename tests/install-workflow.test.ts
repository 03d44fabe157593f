import { execFile } from "node:child_process";
import { mkdtemp, readdir, readFile, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import sharp from "sharp";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { getNodeDefinition } from "../nodes";
import { parseWorkflow } from "../nodes/core/document";
import { workflowModels } from "../nodes/core/required-models";
import { checkpointPaths } from "../models/install/checkpoint";
import { InstallError } from "../models/install/errors";
import { hubSettings } from "../models/install/hf";
import { verifyModel } from "../models/install/installer";
import { planInstall, type PlanOptions } from "../models/install/plan";
import { installAnyModel, runPlan, type RunPlanOptions } from "../models/install/run-plan";
import { LOCK_FILE } from "../models/install/store-lock";
import { closedPort } from "../models/install/testing/fixture-server";
import { startFakeHub, type FakeHub } from "../models/install/testing/fake-hub";
import { readInstalled } from "../models/store";
import { installTinyModels } from "./helpers/model-store";
import { LEFFA_TINY_CONFIG, tinyHubContent, type TinyHubContent } from "./helpers/tiny-hub";

/**
 * From an empty store to a try-on: `install --workflow "Virtual try-on"` as the CLI does it (plan,
 * then run the plan) against a local fake Hugging Face hub serving tiny models and tiny
 * checkpoints of the real layouts, then the template run headless on what was installed. Then the
 * bad inputs, each with its message and nothing half-installed. Nothing here reaches the internet.
 */

const run = promisify(execFile);
const template = parseWorkflow(
  JSON.parse(await readFile("prisma/examples/virtual-try-on.json", "utf8")),
);
const TRY_ON = workflowModels(template, getNodeDefinition);
const LEFFA = TRY_ON.filter((id) => id.startsWith("leffa-vton-hd-"));

let dir: string;
let store: string;
let content: TinyHubContent;
let hub: FakeHub;
const saved = { MODELS_DIR: process.env.MODELS_DIR };

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), "install-workflow-"));
  content = await tinyHubContent(dir, { pinned: ["schp-atr"], inGit: ["segformer-b2-clothes"] });
  hub = await startFakeHub({ repos: content.repos });
});
afterAll(async () => {
  await hub?.close();
  if (saved.MODELS_DIR === undefined) delete process.env.MODELS_DIR;
  else process.env.MODELS_DIR = saved.MODELS_DIR;
  await rm(dir, { recursive: true, force: true });
});
beforeEach(async () => {
  store = await mkdtemp(path.join(dir, "store-"));
  process.env.MODELS_DIR = store;
  hub.requests.length = 0;
  for (const [repo, spec] of Object.entries(content.repos)) {
    for (const file of Object.keys(spec.files)) hub.setBehaviour(repo, file, { kind: "ok" });
  }
});

const hubOf = (h: FakeHub, token?: string) =>
  hubSettings({ HF_ENDPOINT: h.endpoint, HF_TOKEN: token });
const planOptions = (extra: PlanOptions = {}): PlanOptions => ({
  entries: content.entries,
  hub: hubOf(hub),
  ...extra,
});
const runOptions = (extra: RunPlanOptions = {}): RunPlanOptions => ({
  entries: content.entries,
  hub: hubOf(hub),
  converter: { leffaConfig: LEFFA_TINY_CONFIG },
  ...extra,
});

async function failure(promise: Promise<unknown>): Promise<InstallError> {
  const err = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(InstallError);
  return err as InstallError;
}

/** None of `ids` is installed, and no staging folder or lock is left behind. */
async function expectNothingInstalled(ids: readonly string[]) {
  for (const id of ids) expect(await readInstalled(id), id).toBeUndefined();
  const left = await readdir(store);
  expect(left).not.toContain(LOCK_FILE);
  for (const id of ids) expect(left).not.toContain(id);
}

const leffaCheckpoint = () => content.where("leffa-vton-hd-gen-unet");

describe("install --workflow against a fake Hugging Face hub", { timeout: 240_000 }, () => {
  it("installs the Virtual try-on template's models from an empty store, then the template runs", async () => {
    const plan = await planInstall(TRY_ON, planOptions());
    // One step per download, one per checkpoint: the four Leffa graphs come from one conversion.
    const converted = TRY_ON.filter(
      (id) => content.entries.find((e) => e.id === id)?.source.kind === "convert",
    );
    expect(converted).toEqual(expect.arrayContaining([...LEFFA, "densepose-r50-fpn"]));
    expect(
      plan.items
        .filter((i) => i.kind === "download")
        .flatMap((i) => i.ids)
        .sort(),
    ).toEqual(TRY_ON.filter((id) => !converted.includes(id)).sort());
    expect(
      plan.items
        .filter((i) => i.kind === "convert")
        .flatMap((i) => i.ids)
        .sort(),
    ).toEqual([...converted].sort());
    const leffa = plan.items.find((i) => i.ids.includes("leffa-vton-hd-gen-unet"))!;
    expect(leffa.ids).toEqual(LEFFA);
    const ckpt = hub.fileInfo(leffaCheckpoint().repo, leffaCheckpoint().file);
    expect(leffa.checkpoint).toMatchObject({ name: "virtual_tryon.pth", bytes: ckpt.bytes });
    expect(leffa.peakBytes).toBe(2 * ckpt.bytes);
    expect(plan.incomplete).toBe(false);
    // Exactly the tiny downloads plus each checkpoint once.
    const expectedDownload =
      TRY_ON.filter((id) => !converted.includes(id))
        .flatMap((id) => content.entries.find((e) => e.id === id)!.files)
        .reduce((sum, f) => sum + f.bytes!, 0) +
      plan.items
        .filter((i) => i.kind === "convert")
        .reduce((sum, i) => {
          const where = content.where(i.ids[0]);
          return sum + hub.fileInfo(where.repo, where.file).bytes;
        }, 0);
    expect(plan.downloadBytes).toBe(expectedDownload);

    const result = await runPlan(plan, runOptions());
    expect(result.installed.sort()).toEqual([...TRY_ON].sort());
    const checked = async (id: string) => (await readInstalled(id))?.files[0].checkedAgainst;
    expect(await checked("schp-atr")).toBe("pinned");
    expect(await checked("dwpose-yolox-l")).toBe("hub");
    expect(await checked("segformer-b2-clothes")).toBe("first-use");
    for (const id of TRY_ON)
      expect((await verifyModel(id, { entries: content.entries })).ok).toBe(true);
    // Checkpoints deleted once converted; no staging, no lock.
    expect((await readdir(store)).sort()).toEqual([...TRY_ON].sort());
    // The token-less client never sent an Authorization header anywhere.
    expect(hub.requests.every((r) => r.authorization === undefined)).toBe(true);

    // A second install of the same plan has nothing to do.
    const again = await planInstall(TRY_ON, planOptions());
    expect(again.items.every((i) => i.installed)).toBe(true);
    expect(again.downloadBytes).toBe(0);

    // Every graph came from the hub: the four Leffa graphs converted from its checkpoint.
    for (const id of LEFFA) {
      expect((await readInstalled(id))?.source).toBe("convert:virtual_tryon.pth");
    }
    expect((await readInstalled("densepose-r50-fpn"))?.source).toBe(
      "convert:model_final_162be9.pkl",
    );
    // The template, headless on onnxruntime-node (small, 2 steps), on what was installed: pose
    // and mask models downloaded, DensePose converted from the hub's checkpoint. The sampler's
    // contract fixes SD1.5's widths (320/640/1280 channels, 16 reference features), which a tiny
    // checkpoint cannot have, so the Leffa graphs converted from the tiny checkpoint are replaced
    // by tiny contract models of the same ids for the run.
    installTinyModels(store, LEFFA);
    for (const node of template.nodes) {
      if (node.type === "leffa-sampler") {
        node.params = { ...node.params, resolution: "512x384", steps: 2 };
      }
    }
    const workflow = path.join(dir, "try-on.json");
    await writeFile(workflow, JSON.stringify(template));
    const images = await Promise.all(
      ["person", "garment"].map(async (name, i) => {
        const file = path.join(dir, `${name}.png`);
        await sharp({
          create: { width: 90, height: 120, channels: 3, background: i ? "#3060c0" : "#c06030" },
        })
          .png()
          .toFile(file);
        return file;
      }),
    );
    const out = path.join(dir, "out");
    const { stdout } = await run(
      "node_modules/.bin/tsx",
      [
        "tools/studio-cli.ts",
        "run",
        workflow,
        "--input",
        `person=${images[0]}`,
        "--input",
        `garment=${images[1]}`,
        "--out",
        out,
      ],
      { timeout: 180_000, env: { ...process.env, MODELS_DIR: store } },
    ).catch((e: { stdout: string; stderr: string }) => {
      throw new Error(`the try-on run failed:\n${e.stdout}\n${e.stderr}`);
    });
    expect(stdout).toMatch(/done: \d+ ran, 0 cached, 0 failed/);
    const png = await sharp(path.join(out, "save-try-on.png")).metadata();
    expect([png.width, png.height]).toEqual([768, 1024]);
  });

  it("resumes an interrupted conversion from the downloaded checkpoint, not from zero", async () => {
    const plan = await planInstall(LEFFA, planOptions());
    const controller = new AbortController();
    const err = await failure(
      runPlan(
        plan,
        runOptions({
          signal: controller.signal,
          onProgress: (p) => p.phase === "convert" && p.bytes >= 3 && controller.abort(),
        }),
      ),
    );
    expect(err.code).toBe("cancelled");
    expect(err.message).toContain("the downloaded checkpoint is kept");
    await expectNothingInstalled(LEFFA);
    const paths = checkpointPaths("virtual_tryon.pth");
    expect((await stat(paths.file)).size).toBe(plan.items[0].checkpoint!.bytes);

    const resumed = await planInstall(LEFFA, planOptions());
    expect(resumed.items[0].downloadBytes).toBe(0);
    hub.requests.length = 0;
    await runPlan(resumed, runOptions());
    expect(hub.requests).toEqual([]);
    for (const id of LEFFA) expect(await readInstalled(id)).toBeDefined();
    await expect(stat(paths.file)).rejects.toThrow();
  });

  it("refuses a checkpoint whose bytes differ from the hub's sha256, keeping nothing", async () => {
    const { repo, file } = leffaCheckpoint();
    hub.setBehaviour(repo, file, { kind: "corrupt" });
    const plan = await planInstall(LEFFA, planOptions());
    const err = await failure(runPlan(plan, runOptions()));
    expect(err.code).toBe("checksum");
    expect(err.message).toContain(
      `virtual_tryon.pth: expected sha256 ${hub.fileInfo(repo, file).sha256} (as the hub declares it)`,
    );
    await expectNothingInstalled(LEFFA);
    expect(await readdir(path.join(store, ".downloads"))).toEqual([]);
  });

  it("resumes a truncated checkpoint download with a Range request", async () => {
    const { repo, file } = leffaCheckpoint();
    const half = Math.floor(hub.fileInfo(repo, file).bytes / 2);
    hub.setBehaviour(repo, file, { kind: "drop", afterBytes: half, times: 1 });
    const plan = await planInstall(LEFFA, planOptions());
    const err = await failure(runPlan(plan, runOptions()));
    expect(err.code).toBe("truncated");
    expect(err.message).toContain("run the install again to resume");
    await expectNothingInstalled(LEFFA);
    const kept = (await stat(checkpointPaths("virtual_tryon.pth").part)).size;
    expect(kept).toBeGreaterThan(0);
    expect(kept).toBeLessThanOrEqual(half);
    hub.requests.length = 0;
    await runPlan(await planInstall(LEFFA, planOptions()), runOptions());
    const get = hub.requests.find((r) => r.host === "files" && r.method === "GET");
    expect(get?.range).toBe(`bytes=${kept}-`);
    for (const id of LEFFA) expect(await readInstalled(id)).toBeDefined();
  });

  it("checks the whole plan's space before the first byte", async () => {
    const plan = await planInstall(TRY_ON, planOptions());
    hub.requests.length = 0;
    const err = await failure(
      runPlan(plan, runOptions({ freeBytes: async () => plan.peakBytes - 1 })),
    );
    expect(err.code).toBe("no-space");
    expect(err.message).toContain(`(${plan.peakBytes} bytes) needed`);
    expect(hub.requests).toEqual([]);
    await expectNothingInstalled(TRY_ON);
  });

  it("stops cleanly when the disk fills up during the checkpoint download", async () => {
    const { open } = await import("node:fs/promises");
    const openPart = async (file: string, flags: "w" | "a") => {
      const handle = await open(file, flags);
      return {
        close: () => handle.close(),
        write: (async () => {
          throw Object.assign(new Error("ENOSPC: no space left on device, write"), {
            code: "ENOSPC",
          });
        }) as unknown as typeof handle.write,
      };
    };
    const err = await failure(
      runPlan(await planInstall(LEFFA, planOptions()), runOptions({ openPart })),
    );
    expect(err.code).toBe("no-space");
    expect(err.message).toMatch(/no space left in .*\.downloads: \d+ bytes still needed/);
    await expectNothingInstalled(LEFFA);
  });

  it("says to set HF_TOKEN when the repository is gated, in the plan and at install", async () => {
    const gated = await startFakeHub({
      repos: {
        ...content.repos,
        "franciszzj/Leffa": { ...content.repos["franciszzj/Leffa"], gated: true },
      },
    });
    try {
      const plan = await planInstall(["schp-atr"], planOptions({ hub: hubOf(gated) }));
      expect(plan.items[0].problem).toBeUndefined(); // a pinned size needs no request
      const leffa = await planInstall(LEFFA, planOptions({ hub: hubOf(gated) }));
      expect(leffa.items[0].problem).toMatch(/franciszzj\/Leffa is gated .*set HF_TOKEN=<token>/);
      const err = await failure(runPlan(plan, runOptions({ hub: hubOf(gated) })));
      expect(err.code).toBe("unauthorized");
      expect(err.message).toContain("set HF_TOKEN=<token>");
      await expectNothingInstalled(["schp-atr"]);
      await runPlan(plan, runOptions({ hub: hubOf(gated, gated.token) }));
      expect(await readInstalled("schp-atr")).toBeDefined();
    } finally {
      await gated.close();
    }
  });

  it("says the mirror is down, installing nothing", async () => {
    const down = hubSettings({ HF_ENDPOINT: `http://127.0.0.1:${await closedPort()}` });
    // The tiny entries pin sizes, so planning asks the hub nothing; the install must.
    const plan = await planInstall(["dwpose-yolox-l"], planOptions({ hub: down }));
    const err = await failure(runPlan(plan, runOptions({ hub: down })));
    expect(err.code).toBe("offline");
    expect(err.message).toMatch(/HF_ENDPOINT=http:\/\/127\.0\.0\.1:\d+: the mirror may be down/);
    // Planning a conversion does ask the hub (the checkpoint's size), and says the same.
    const leffa = await planInstall(LEFFA, planOptions({ hub: down }));
    expect(leffa.items[0].problem).toContain("the mirror may be down");
    await expectNothingInstalled(["dwpose-yolox-l"]);
  });

  it("lets one of two simultaneous installs of the same plan run and refuses the other", async () => {
    const ids = ["schp-atr", "schp-lip", "dwpose-yolox-l"];
    const plan = await planInstall(ids, planOptions());
    const [a, b] = await Promise.allSettled([
      runPlan(plan, runOptions()),
      runPlan(plan, runOptions()),
    ]);
    const refused = [a, b].filter((r) => r.status === "rejected");
    expect(refused).toHaveLength(1);
    const reason = (refused[0] as PromiseRejectedResult).reason as InstallError;
    expect(reason.code).toBe("busy");
    expect(reason.message).toMatch(/another install is running on this model store \(pid \d+/);
    for (const id of ids)
      expect((await verifyModel(id, { entries: content.entries })).ok).toBe(true);
    expect(await readdir(store)).not.toContain(LOCK_FILE);
    // A lock left by a process that died is taken over.
    await writeFile(
      path.join(store, LOCK_FILE),
      JSON.stringify({ pid: 2 ** 22 + 12345, token: "x", since: "then", what: "crashed" }),
    );
    await runPlan(await planInstall(["schp-atr"], planOptions()), runOptions());
  });

  it("installs one model whatever its source, as the server's install route does", async () => {
    const phases = new Set<string>();
    const record = await installAnyModel(
      "densepose-r50-fpn",
      runOptions({ onProgress: (p) => phases.add(p.phase) }),
    );
    expect(record.source).toBe("convert:model_final_162be9.pkl");
    expect([...phases].sort()).toEqual(["convert", "download", "verify"]);
    expect((await installAnyModel("schp-atr", runOptions())).files[0].checkedAgainst).toBe(
      "pinned",
    );
    expect((await readdir(store)).sort()).toEqual(["densepose-r50-fpn", "schp-atr"]);
  });
});
