/**
 * Leffa attention parity on Chromium's WebGPU (the software SwiftShader adapter here, a real GPU
 * where there is one): the tiny generative UNet (flow outputs of every layer) and VAE decoder,
 * fused and chunked, fp32 and fp16, run by onnxruntime-web's WebGPU EP in headless Chromium, and
 * compared with the float64 reference (max |graph − reference| / max |reference|; issue 15's
 * bounds: fp32 1e-4, fp16 1e-2). `npx tsx tests/bench/leffa-attention-webgpu.ts`; exits 1 when a
 * figure is over its bound. Serves onnxruntime-web's files from node_modules on 127.0.0.1.
 */
import { readFile } from "node:fs/promises";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import path from "node:path";
import { chromium, type Page } from "playwright-core";
import {
  ATTENTION_PROBE,
  ATTENTION_PROBE_TOLERANCE,
  attentionProbeError,
  attentionProbeFeeds,
  attentionProbeModel,
} from "../../models/leffa/attention-probe";
import type { AttentionMode } from "../../models/leffa/attention-chunks";
import { TINY_UNET, TINY_VAE } from "../../models/leffa/config";
import {
  randomUNetWeights,
  randomVaeWeights,
  seededNormal,
} from "../../models/leffa/reference/random-weights";
import type { F64Tensor } from "../../models/leffa/reference/tensor";
import {
  referenceGenUNetWithProjections,
  referenceRefUNet,
} from "../../models/leffa/reference/unet";
import { referenceVaeDecode } from "../../models/leffa/reference/vae";
import { buildGenUNet, flowKeyName, flowQueryName, refName } from "../../models/leffa/unet-graph";
import { buildVaeDecoder } from "../../models/leffa/vae-graph";
import { weightsFromMap } from "../../models/leffa/weights";
import type { GraphBuilder } from "../../models/onnx/builder";
import { fromFloat16Bits, toFloat16Bits } from "../../models/onnx/float16";

const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/lib/chromium/chromium";
const DIST = path.resolve("node_modules/onnxruntime-web/dist");
const TIMESTEPS = [981, 17];
const GEN = { ...TINY_UNET, in_channels: 12 };
const FLOW_LAYERS = [0, 1, 2, 3];

function randomTensor(shape: number[], seed: number, scale = 1): F64Tensor {
  const normal = seededNormal(seed);
  const count = shape.reduce((a, b) => a * b, 1);
  return { shape, data: Float64Array.from({ length: count }, () => Math.fround(scale * normal())) };
}

interface Feed {
  type: string;
  dims: number[];
  base64: string;
}

function feed(t: F64Tensor, fp16: boolean): Feed {
  const f32 = Float32Array.from(t.data);
  const bytes = fp16 ? new Uint8Array(toFloat16Bits(f32).buffer) : new Uint8Array(f32.buffer);
  return {
    type: fp16 ? "float16" : "float32",
    dims: t.shape,
    base64: Buffer.from(bytes).toString("base64"),
  };
}

async function modelBase64(g: GraphBuilder): Promise<string> {
  await g.materialize();
  return Buffer.from(g.toBytes()).toString("base64");
}

function relativeError(got: { type: string; base64: string }, expected: F64Tensor): number {
  const bytes = Buffer.from(got.base64, "base64");
  const buffer = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength);
  const values =
    got.type === "float16" ? fromFloat16Bits(new Uint16Array(buffer)) : new Float32Array(buffer);
  if (values.length !== expected.data.length) return Infinity;
  let diff = 0;
  let scale = 0;
  for (let i = 0; i < values.length; i++) {
    diff = Math.max(diff, Math.abs(values[i] - expected.data[i]));
    scale = Math.max(scale, Math.abs(expected.data[i]));
  }
  return Number.isFinite(diff) ? diff / scale : Infinity;
}

async function runOnPage(page: Page, job: { model: string; feeds: Record<string, Feed> }) {
  return page.evaluate(async ({ model, feeds }) => {
    const decode = (b64: string) => Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
    const encode = (bytes: Uint8Array) => {
      let s = "";
      for (let i = 0; i < bytes.length; i += 0x8000)
        s += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
      return btoa(s);
    };
    // @ts-expect-error served by this script's server
    const ort = await import("/ort/ort.webgpu.min.mjs");
    ort.env.wasm.numThreads = 1;
    ort.env.wasm.wasmPaths = "/ort/";
    try {
      const session = await ort.InferenceSession.create(decode(model), {
        executionProviders: ["webgpu"],
      });
      const tensors: Record<string, unknown> = {};
      for (const [name, f] of Object.entries(feeds)) {
        const bytes = decode(f.base64);
        const data =
          f.type === "float16" ? new Uint16Array(bytes.buffer) : new Float32Array(bytes.buffer);
        tensors[name] = new ort.Tensor(f.type, data, f.dims);
      }
      const out = await session.run(tensors);
      const back: Record<string, { type: string; base64: string }> = {};
      for (const [name, t] of Object.entries(out) as [
        string,
        { type: string; data: ArrayBufferView },
      ][]) {
        back[name] = {
          type: t.type,
          base64: encode(new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength)),
        };
      }
      await session.release();
      return { ok: true as const, out: back };
    } catch (err) {
      return { ok: false as const, error: String(err) };
    }
  }, job);
}

async function main(): Promise<number> {
  const server = createServer(async (req, res) => {
    const url = new URL(req.url ?? "/", "http://localhost");
    if (url.pathname.startsWith("/ort/")) {
      try {
        const file = await readFile(path.join(DIST, path.basename(url.pathname)));
        const type = url.pathname.endsWith(".wasm") ? "application/wasm" : "text/javascript";
        res.writeHead(200, { "content-type": type }).end(file);
      } catch {
        res.writeHead(404).end();
      }
      return;
    }
    res.writeHead(200, { "content-type": "text/html" }).end("<!doctype html><title>ort</title>");
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ["--enable-unsafe-webgpu"],
  });
  let failures = 0;
  try {
    const page = await browser.newPage();
    // tsx compiles with esbuild's keepNames, which wraps functions in __name(); the page lacks it.
    await page.addInitScript("globalThis.__name = (f) => f");
    await page.goto(`http://127.0.0.1:${port}/`);
    const adapter = await page.evaluate(async () => {
      const a = await navigator.gpu?.requestAdapter();
      if (!a) return "no adapter";
      const i = a.info;
      return `${i.vendor} ${i.architecture} ${i.description}${a.features.has("shader-f16") ? ", shader-f16" : ""}`;
    });
    console.log(`adapter: ${adapter}`);

    // The runtime's load-time check (attention-probe.ts) on this device.
    const { q, k, v } = attentionProbeFeeds();
    const b64 = (a: Float32Array) => Buffer.from(a.buffer).toString("base64");
    const probeDims = (t: number) => [1, t, ATTENTION_PROBE.heads * ATTENTION_PROBE.headDim];
    const probe = await runOnPage(page, {
      model: Buffer.from(attentionProbeModel()).toString("base64"),
      feeds: {
        q: { type: "float32", dims: probeDims(ATTENTION_PROBE.queries), base64: b64(q) },
        k: { type: "float32", dims: probeDims(ATTENTION_PROBE.keys), base64: b64(k) },
        v: { type: "float32", dims: probeDims(ATTENTION_PROBE.keys), base64: b64(v) },
      },
    });
    if (probe.ok) {
      const bytes = Buffer.from(probe.out.out.base64, "base64");
      const got = new Float32Array(bytes.buffer, bytes.byteOffset, bytes.byteLength / 4);
      const error = attentionProbeError(got);
      const verdict = error <= ATTENTION_PROBE_TOLERANCE ? "passes: fused" : "fails: chunked";
      console.log(`MultiHeadAttention probe: max error ${error.toExponential(2)} (${verdict})`);
    } else console.log(`MultiHeadAttention probe failed to run: ${probe.error.slice(0, 200)}`);

    const genWeights = randomUNetWeights(GEN, "gen", 12);
    const refs = referenceRefUNet(
      TINY_UNET,
      randomUNetWeights(TINY_UNET, "ref", 11),
      randomTensor([2, 4, 8, 8], 21),
      TIMESTEPS,
    );
    const mask = randomTensor([2, 1, 8, 8], 23);
    const inputs = {
      noisy: randomTensor([2, 4, 8, 8], 22),
      mask: { shape: mask.shape, data: mask.data.map((v) => +(v > 0)) },
      masked: randomTensor([2, 4, 8, 8], 24),
      densepose: randomTensor([2, 3, 8, 8], 25),
    };
    const expectedGen = referenceGenUNetWithProjections(
      GEN,
      genWeights,
      inputs,
      TIMESTEPS,
      refs,
      FLOW_LAYERS,
      1,
    );
    const vaeWeights = randomVaeWeights(TINY_VAE, 13);
    const latent = randomTensor([2, 4, 8, 8], 27, 0.8);
    const expectedImage = referenceVaeDecode(TINY_VAE, vaeWeights, latent);

    for (const attention of ["fused", "chunked"] as AttentionMode[]) {
      // fp16 graphs need the adapter's shader-f16 (SwiftShader has none): skipped without it.
      for (const fp16 of adapter.includes("shader-f16") ? [false, true] : [false]) {
        const dtype = fp16 ? "fp16" : "fp32";
        const bound = fp16 ? 1e-2 : 1e-4;
        const timestep = {
          type: "float32",
          dims: [2],
          base64: Buffer.from(Float32Array.from(TIMESTEPS).buffer).toString("base64"),
        };
        const genFeeds: Record<string, Feed | typeof timestep> = {
          noisy_latent: feed(inputs.noisy, fp16),
          mask_latent: feed(inputs.mask, fp16),
          masked_latent: feed(inputs.masked, fp16),
          densepose_latent: feed(inputs.densepose, fp16),
          timestep,
        };
        refs.forEach((r, k) => (genFeeds[refName(k)] = feed(r, fp16)));
        const jobs = [
          {
            name: "gen-unet",
            model: await modelBase64(
              buildGenUNet(GEN, weightsFromMap(genWeights), {
                dtype,
                attention,
                flowLayers: FLOW_LAYERS,
              }),
            ),
            feeds: genFeeds,
          },
          {
            name: "vae-decoder",
            model: await modelBase64(
              buildVaeDecoder(TINY_VAE, weightsFromMap(vaeWeights), { dtype, attention }),
            ),
            feeds: { latent: feed(latent, fp16) },
          },
        ];
        for (const job of jobs) {
          const started = Date.now();
          const result = await runOnPage(page, job);
          const ms = Date.now() - started;
          if (!result.ok) {
            console.log(`${attention} ${dtype} ${job.name}: FAILED ${result.error.slice(0, 300)}`);
            failures++;
            continue;
          }
          const errors: Record<string, number> = {};
          if (job.name === "gen-unet") {
            errors.noise_pred = relativeError(result.out.noise_pred, expectedGen.noisePred);
            for (const k of FLOW_LAYERS) {
              const p = expectedGen.projections.get(k);
              if (!p) throw new Error(`no reference projections for layer ${k}`);
              errors[flowQueryName(k)] = relativeError(result.out[flowQueryName(k)], p.q);
              errors[flowKeyName(k)] = relativeError(result.out[flowKeyName(k)], p.k);
            }
          } else {
            errors.image = relativeError(result.out.image, expectedImage);
          }
          const worst = Math.max(...Object.values(errors));
          if (!(worst <= bound)) failures++;
          console.log(
            `${attention.padEnd(7)} ${dtype} ${job.name.padEnd(11)} worst ${worst.toExponential(2)} (bound ${bound}) ` +
              `${Object.entries(errors)
                .map(([n, e]) => `${n} ${e.toExponential(2)}`)
                .join(", ")} · ${ms} ms`,
          );
        }
      }
    }
  } finally {
    await browser.close();
    server.close();
  }
  return failures ? 1 : 0;
}

main().then(
  (code) => process.exit(code),
  (err) => {
    console.error(err);
    process.exit(1);
  },
);
