/**
 * The first part of `npm run bench:gpu` (under a minute): what GPU this machine has and which
 * path reaches it — `nvidia-smi`, `vulkaninfo --summary`, the adapter headless Chromium reports
 * with the flags a real GPU needs (Vulkan), and what Node reaches: Dawn's Node binding (`webgpu`)
 * and onnxruntime-node's own WebGPU execution provider (bundled on Linux x64, no download).
 *
 * Node finds Vulkan through the loader `libvulkan.so.1` and the driver's ICD file. Where the
 * system has no loader, Chromium's bundled one (/usr/lib/chromium) is used; with
 * `allowSoftware`, Chromium's SwiftShader ICD is tried last, so CI exercises the same path on a
 * software adapter.
 */
import { spawn, spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { chromium } from "playwright-core";
import type { AdapterReport } from "./gpu-adapter";
import type { NodeAdapterResult } from "./gpu-node-adapter";

const HERE = path.dirname(fileURLToPath(import.meta.url));
const TSX = path.resolve(HERE, "../../node_modules/.bin/tsx");
export const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/lib/chromium/chromium";
const CHROMIUM_LIBS = path.dirname(CHROMIUM);
const SWIFTSHADER_ICD = path.join(CHROMIUM_LIBS, "vk_swiftshader_icd.json");

/** Chromium flags for WebGPU on a real GPU under Linux: Vulkan, no blocklist. */
export const CHROMIUM_GPU_FLAGS = [
  "--enable-unsafe-webgpu",
  "--enable-features=Vulkan,VulkanFromANGLE,DefaultANGLEVulkan",
  "--use-angle=vulkan",
  "--use-vulkan=native",
  "--ignore-gpu-blocklist",
  "--enable-gpu",
];

/** A Vulkan environment for Node children: extra env vars and what they mean. */
export interface VulkanEnv {
  readonly label: string;
  readonly env: Readonly<Record<string, string>>;
}

export interface NodePathReport extends NodeAdapterResult {
  readonly vulkan: VulkanEnv;
}

export interface ProbeReport {
  readonly nvidiaSmi: string[] | string;
  readonly vulkaninfo: string[] | string;
  readonly chromium: AdapterReport | string;
  readonly node: NodePathReport[];
  /** Every adapter named, for the software-only verdict. */
  readonly adapters: AdapterReport[];
  /** The Node environment whose onnxruntime-node WebGPU EP ran, hardware first. */
  readonly nodeWebgpu?: NodePathReport;
  readonly seconds: number;
}

function tool(command: string, args: string[]): { ok: boolean; out: string } {
  const r = spawnSync(command, args, { encoding: "utf8", timeout: 20_000 });
  if (r.error) return { ok: false, out: `${command}: ${(r.error as Error).message}` };
  return { ok: r.status === 0, out: `${r.stdout}${r.stderr}`.trim() };
}

export function nvidiaGpus(): string[] | string {
  const r = tool("nvidia-smi", [
    "--query-gpu=name,driver_version,memory.total",
    "--format=csv,noheader",
  ]);
  return r.ok ? r.out.split("\n").filter(Boolean) : r.out.split("\n")[0];
}

/** Used GPU memory in MiB per GPU (nvidia-smi), or undefined where it cannot be read. */
export function nvidiaMemoryUsedMiB(): number[] | undefined {
  const r = tool("nvidia-smi", ["--query-gpu=memory.used", "--format=csv,noheader,nounits"]);
  if (!r.ok) return undefined;
  const values = r.out.split("\n").map(Number);
  return values.every(Number.isFinite) ? values : undefined;
}

/** deviceName/deviceType pairs from `vulkaninfo --summary`. */
export function parseVulkanSummary(text: string): { name: string; type: string }[] {
  const names = [...text.matchAll(/deviceName\s*=\s*(.+)/g)].map((m) => m[1].trim());
  const types = [...text.matchAll(/deviceType\s*=\s*(.+)/g)].map((m) => m[1].trim());
  return names.map((name, i) => ({ name, type: types[i] ?? "unknown" }));
}

function vulkanDevices(): { name: string; type: string }[] | string {
  const r = tool("vulkaninfo", ["--summary"]);
  if (!r.ok) return r.out.split("\n")[0] || "vulkaninfo failed";
  return parseVulkanSummary(r.out);
}

async function chromiumAdapter(): Promise<AdapterReport | string> {
  if (!existsSync(CHROMIUM)) return `no Chromium at ${CHROMIUM} (CHROMIUM_PATH)`;
  // WebGPU needs a secure context: a page from 127.0.0.1.
  const server = createServer((_req, res) =>
    res.writeHead(200, { "content-type": "text/html" }).end("<!doctype html><title>gpu</title>"),
  );
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_GPU_FLAGS });
  try {
    const page = await browser.newPage();
    await page.goto(`http://127.0.0.1:${port}/`);
    return await page.evaluate(async () => {
      const adapter = await navigator.gpu?.requestAdapter({ powerPreference: "high-performance" });
      if (!adapter) return navigator.gpu ? "requestAdapter() returned null" : "no navigator.gpu";
      const info = adapter.info as GPUAdapterInfo & { isFallbackAdapter?: boolean };
      return {
        source: "chromium",
        name: [info.vendor, info.architecture, info.device, info.description]
          .filter(Boolean)
          .join(" "),
        fallback: info.isFallbackAdapter,
        shaderF16: adapter.features.has("shader-f16"),
      };
    });
  } finally {
    await browser.close();
    server.close();
  }
}

/** Whether the system's dynamic linker finds a Vulkan loader. */
function systemVulkanLoader(): boolean {
  const r = tool("ldconfig", ["-p"]);
  return r.ok && /libvulkan\.so\.1\b/.test(r.out);
}

/** The Vulkan environments to try from Node, hardware first. */
export function vulkanEnvs(allowSoftware: boolean): VulkanEnv[] {
  const envs: VulkanEnv[] = [];
  const bundledLoader = existsSync(path.join(CHROMIUM_LIBS, "libvulkan.so.1"));
  if (systemVulkanLoader()) envs.push({ label: "system Vulkan loader and ICDs", env: {} });
  else if (bundledLoader)
    envs.push({
      label: "Chromium's Vulkan loader, system ICDs",
      env: { LD_LIBRARY_PATH: CHROMIUM_LIBS },
    });
  if (allowSoftware && bundledLoader && existsSync(SWIFTSHADER_ICD))
    envs.push({
      label: "Chromium's Vulkan loader with its SwiftShader ICD (software)",
      env: { LD_LIBRARY_PATH: CHROMIUM_LIBS, VK_ICD_FILENAMES: SWIFTSHADER_ICD },
    });
  return envs;
}

function nodeAdapter(vulkan: VulkanEnv): Promise<NodePathReport> {
  return new Promise((resolve, reject) => {
    const child = spawn(TSX, [path.join(HERE, "gpu-node-adapter.ts")], {
      env: { ...process.env, ...vulkan.env },
      stdio: ["ignore", "pipe", "ignore"],
      timeout: 60_000,
    });
    let out = "";
    child.stdout.on("data", (d: Buffer) => (out += d.toString()));
    child.on("error", reject);
    child.on("close", (code) => {
      const line = out.trim().split("\n").at(-1) ?? "";
      if (line.startsWith("{")) resolve({ ...(JSON.parse(line) as NodeAdapterResult), vulkan });
      else reject(new Error(`gpu-node-adapter exited ${code}: ${out.slice(-300)}`));
    });
  });
}

export async function probeGpu(allowSoftware: boolean): Promise<ProbeReport> {
  const started = performance.now();
  const nvidiaSmi = nvidiaGpus();
  const vulkan = vulkanDevices();
  const chromiumReport = await chromiumAdapter().catch((e: unknown) =>
    e instanceof Error ? e.message.split("\n")[0] : String(e),
  );
  const node: NodePathReport[] = [];
  for (const env of vulkanEnvs(allowSoftware)) node.push(await nodeAdapter(env));

  const adapters: AdapterReport[] = [];
  if (Array.isArray(nvidiaSmi))
    adapters.push(...nvidiaSmi.map((name) => ({ source: "nvidia-smi", name })));
  if (Array.isArray(vulkan))
    adapters.push(
      ...vulkan.map((d) => ({
        source: "vulkaninfo",
        name: d.name,
        fallback: /CPU/.test(d.type),
      })),
    );
  if (typeof chromiumReport !== "string") adapters.push(chromiumReport);
  for (const n of node) if ("name" in n.dawn) adapters.push({ source: "dawn-node", ...n.dawn });

  const hardwareFirst = [...node].sort(
    (a, b) => Number(isSoftwareNode(a)) - Number(isSoftwareNode(b)),
  );
  return {
    nvidiaSmi,
    vulkaninfo: Array.isArray(vulkan) ? vulkan.map((d) => `${d.name} (${d.type})`) : vulkan,
    chromium: chromiumReport,
    node,
    adapters,
    nodeWebgpu: hardwareFirst.find((n) => n.ortWebgpu.ok),
    seconds: (performance.now() - started) / 1000,
  };
}

/** A Node path counts as software when its Dawn adapter is, or when it forced SwiftShader. */
export function isSoftwareNode(n: NodePathReport): boolean {
  if (n.vulkan.env.VK_ICD_FILENAMES?.includes("swiftshader")) return true;
  return "name" in n.dawn
    ? n.dawn.fallback === true || /swiftshader|llvmpipe|lavapipe/i.test(n.dawn.name)
    : false;
}

export function describeProbe(p: ProbeReport): string[] {
  const list = (v: string[] | string) => (typeof v === "string" ? `— (${v})` : v.join("; "));
  const lines = [
    `nvidia-smi: ${list(p.nvidiaSmi)}`,
    `vulkaninfo --summary: ${list(p.vulkaninfo)}`,
    `Chromium (${CHROMIUM_GPU_FLAGS.join(" ")}): ${
      typeof p.chromium === "string"
        ? p.chromium
        : `${p.chromium.name}${p.chromium.fallback ? " (fallback adapter)" : ""}${p.chromium.shaderF16 ? ", shader-f16" : ""}`
    }`,
  ];
  if (p.node.length === 0) lines.push("Node: no Vulkan loader to try (libvulkan.so.1)");
  for (const n of p.node) {
    const dawn =
      "name" in n.dawn
        ? `${n.dawn.name}${n.dawn.fallback ? " (fallback adapter)" : ""}${n.dawn.shaderF16 ? ", shader-f16" : ""}`
        : n.dawn.error;
    const ort = n.ortWebgpu.ok
      ? `runs (self-test ${n.ortWebgpu.ms.toFixed(0)} ms)`
      : `fails: ${n.ortWebgpu.error}`;
    lines.push(`Node, ${n.vulkan.label}: webgpu (Dawn) ${dawn}; onnxruntime-node WebGPU EP ${ort}`);
  }
  lines.push(`probe took ${p.seconds.toFixed(1)} s`);
  return lines;
}
