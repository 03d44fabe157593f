/**
 * Does onnxruntime-web on WebGPU (in Chromium) take a model's external data as one buffer when it
 * is larger than 4 GB (the SDXL pose-transfer generative UNet's fp16 weights are 4.0 GB), or must
 * the data be split into several files (the studio's loader accepts model.onnx_data*)?
 *
 * A model with `parts` float32 initializers (each under 1 GiB, below common maxBufferSize limits)
 * is loaded twice: all of its data in one external file (one buffer), then one file per
 * initializer. The data is made in the page (no transfer); each part's first and last values are
 * marked and read back through Gather, so a session that loads but misplaces data fails too.
 */
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import path from "node:path";
import { readFile } from "node:fs/promises";
import onnxProto from "onnx-proto";
import { chromium } from "playwright-core";
import { CHROMIUM, CHROMIUM_GPU_FLAGS } from "./gpu-probe";

const { onnx } = onnxProto;
const DIST = path.resolve("node_modules/onnxruntime-web/dist");

/** The model: y = concat_i(Gather(w_i, idx)); w_i float32 [n] in external data. */
export function externalDataModel(
  parts: number,
  elements: number,
  split: boolean,
): { model: Uint8Array; files: string[] } {
  const bytes = elements * 4;
  const files = split
    ? Array.from({ length: parts }, (_, i) => `model.onnx_data${i === 0 ? "" : `_${i}`}`)
    : ["model.onnx_data"];
  const initializer = Array.from({ length: parts }, (_, i) =>
    onnx.TensorProto.create({
      name: `w${i}`,
      dims: [elements],
      dataType: onnx.TensorProto.DataType.FLOAT,
      dataLocation: onnx.TensorProto.DataLocation.EXTERNAL,
      externalData: [
        { key: "location", value: files[split ? i : 0] },
        { key: "offset", value: String(split ? 0 : i * bytes) },
        { key: "length", value: String(bytes) },
      ],
    }),
  );
  const node = [
    ...initializer.map((t, i) =>
      onnx.NodeProto.create({ opType: "Gather", input: [t.name, "idx"], output: [`g${i}`] }),
    ),
    onnx.NodeProto.create({
      opType: "Concat",
      input: initializer.map((_, i) => `g${i}`),
      output: ["y"],
      attribute: [
        onnx.AttributeProto.create({
          name: "axis",
          i: 0,
          type: onnx.AttributeProto.AttributeType.INT,
        }),
      ],
    }),
  ];
  const valueInfo = (name: string, type: number, dim: number) =>
    onnx.ValueInfoProto.create({
      name,
      type: { tensorType: { elemType: type, shape: { dim: [{ dimValue: dim }] } } },
    });
  const model = onnx.ModelProto.create({
    irVersion: 8,
    opsetImport: [{ domain: "", version: 17 }],
    producerName: "leffa-studio external-data check",
    graph: {
      name: "external-data-check",
      node,
      initializer,
      input: [valueInfo("idx", onnx.TensorProto.DataType.INT64, 2)],
      output: [valueInfo("y", onnx.TensorProto.DataType.FLOAT, 2 * parts)],
    },
  });
  return { model: onnx.ModelProto.encode(model).finish(), files };
}

export interface ExternalDataCheck {
  readonly ok: boolean;
  readonly lines: string[];
}

interface PageJob {
  model: string;
  files: string[];
  parts: number;
  elements: number;
}

export async function checkExternalData(options: {
  totalBytes: number;
  allowSoftware: boolean;
}): Promise<ExternalDataCheck> {
  const partBytes = Math.min(900 * 2 ** 20, Math.ceil(options.totalBytes / 4));
  const parts = Math.ceil(options.totalBytes / partBytes);
  const elements = Math.floor(partBytes / 4);
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
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_GPU_FLAGS });
  const lines: string[] = [];
  let ok = true;
  try {
    const page = await browser.newPage();
    await page.addInitScript("globalThis.__name = (f) => f");
    await page.goto(`http://127.0.0.1:${port}/`);
    const gib = (b: number) =>
      b >= 2 ** 30 ? `${(b / 2 ** 30).toFixed(2)} GiB` : `${(b / 2 ** 20).toFixed(0)} MiB`;
    lines.push(
      `\nonnxruntime-web WebGPU in Chromium, external data ${gib(parts * elements * 4)} in ${parts} initializers of ${gib(elements * 4)}:`,
    );
    for (const split of [false, true]) {
      const { model, files } = externalDataModel(parts, elements, split);
      const job: PageJob = {
        model: Buffer.from(model).toString("base64"),
        files,
        parts,
        elements,
      };
      const started = Date.now();
      const result = await page.evaluate(async ({ model, files, parts, elements }: PageJob) => {
        try {
          // @ts-expect-error served by this script's server
          const ort = await import("/ort/ort.webgpu.min.mjs");
          ort.env.wasm.numThreads = 1;
          ort.env.wasm.wasmPaths = "/ort/";
          const adapter = await navigator.gpu?.requestAdapter();
          const name = adapter ? `${adapter.info.vendor} ${adapter.info.architecture}` : "none";
          const buffers: Uint8Array[] = files.map(
            () => new Uint8Array(elements * 4 * (files.length === 1 ? parts : 1)),
          );
          for (let i = 0; i < parts; i++) {
            const buffer = files.length === 1 ? buffers[0] : buffers[i];
            const base = files.length === 1 ? i * elements : 0;
            const view = new Float32Array(buffer.buffer, base * 4, elements);
            view[0] = i + 1;
            view[elements - 1] = -(i + 1);
          }
          const session = await ort.InferenceSession.create(
            Uint8Array.from(atob(model), (c) => c.charCodeAt(0)),
            {
              executionProviders: ["webgpu"],
              externalData: files.map((path, i) => ({ path, data: buffers[i] })),
            },
          );
          const out = await session.run({
            idx: new ort.Tensor("int64", BigInt64Array.of(0n, BigInt(elements - 1)), [2]),
          });
          const y = Array.from(out.y.data as Float32Array);
          await session.release();
          const expected = Array.from({ length: parts }, (_, i) => [i + 1, -(i + 1)]).flat();
          const right = y.length === expected.length && y.every((v, i) => v === expected[i]);
          return {
            ok: right,
            adapter: name,
            detail: right ? "right values" : `wrong values ${y.join(",")}`,
          };
        } catch (err) {
          return { ok: false, adapter: "?", detail: String(err).slice(0, 300) };
        }
      }, job);
      const what = split ? `${files.length} files (one per initializer)` : "one buffer";
      lines.push(
        `  ${what}: ${result.ok ? "loads and runs" : "FAILS"} (${result.detail}; adapter ${result.adapter}; ${((Date.now() - started) / 1000).toFixed(1)} s)`,
      );
      // A failure of the one-buffer load is the finding, not a failure of the check; the split
      // load must work, since that is what the studio would fall back to.
      if (split && !result.ok) ok = false;
    }
  } finally {
    await browser.close();
    server.close();
  }
  return { ok, lines };
}
