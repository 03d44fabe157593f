import path from "node:path";
import { describe, expect, it } from "vitest";
import { NODE_DEFINITIONS } from "../../nodes";
import { MODEL_ENTRIES } from "./entries";
import { MODELS, UnknownModelError, getModel } from "./index";
import { modelEntrySchema } from "./schema";

describe("the model manifest", () => {
  it("parses every entry against the schema", () => {
    for (const entry of MODEL_ENTRIES) {
      const result = modelEntrySchema.safeParse(entry);
      expect(result.success, `${entry.id}: ${result.error?.message}`).toBe(true);
    }
    expect(MODELS).toHaveLength(MODEL_ENTRIES.length);
  });

  it("has unique ids, and unique file names within each entry", () => {
    const ids = MODELS.map((m) => m.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const m of MODELS) {
      const names = m.files.map((f) => f.name);
      expect(new Set(names).size, m.id).toBe(names.length);
    }
  });

  it("has an entry for every model a node declares", () => {
    const declared = NODE_DEFINITIONS.flatMap((d) => (d.models ?? []).map((id) => [d.type, id]));
    expect(declared.length).toBeGreaterThan(0);
    for (const [type, id] of declared) {
      expect(() => getModel(id), `node ${type} declares ${id}`).not.toThrow();
    }
    expect(() => getModel("no-such-model")).toThrow(UnknownModelError);
  });

  it("covers the models the issue asks for", () => {
    for (const id of [
      "realesrgan-x4fast",
      "realesrgan-x4plus",
      "isnet",
      "segformer-b2-clothes",
      "schp-atr",
      "schp-lip",
      "dwpose-yolox-l",
      "dwpose-dw-ll-ucoco-384",
      "densepose-r50-fpn",
      ...["hd", "dc"].flatMap((v) =>
        ["vae-encoder", "vae-decoder", "ref-unet", "gen-unet"].map((p) => `leffa-vton-${v}-${p}`),
      ),
    ]) {
      expect(() => getModel(id), id).not.toThrow();
    }
  });

  it("names one of its own files as the ONNX file", () => {
    for (const m of MODELS) {
      if (m.onnx)
        expect(
          m.files.map((f) => f.name),
          m.id,
        ).toContain(m.onnx);
    }
  });

  it("gives tensor names that are unique within inputs and within outputs", () => {
    for (const m of MODELS) {
      for (const list of [m.contract.inputs, m.contract.outputs]) {
        const names = list.map((t) => t.name);
        expect(new Set(names).size, m.id).toBe(names.length);
      }
    }
  });

  it("gives every URL-sourced file exactly one https URL", () => {
    for (const m of MODELS) {
      if (m.source.kind !== "url") continue;
      expect(Object.keys(m.source.urls).sort(), m.id).toEqual(m.files.map((f) => f.name).sort());
      for (const url of Object.values(m.source.urls)) expect(url, m.id).toMatch(/^https:\/\//);
    }
  });

  it("lists npm files a build can use", () => {
    for (const m of MODELS) {
      if (m.source.kind !== "npm") continue;
      const paths = m.source.extract.map((f) => f.path);
      expect(new Set(paths).size, m.id).toBe(paths.length);
      const names = paths.map((p) => path.posix.basename(p));
      expect(new Set(names).size, `${m.id}: base names collide`).toBe(names.length);
      if (m.source.build === "ncnn-to-onnx") {
        expect(
          names.filter((n) => n.endsWith(".param")),
          m.id,
        ).toHaveLength(1);
        expect(
          names.filter((n) => n.endsWith(".bin")),
          m.id,
        ).toHaveLength(1);
      }
      if (m.source.build === "imgly-chunks") {
        expect(m.source.resource, m.id).toMatch(/^\/models\//);
        expect(names, m.id).toContain("resources.json");
        // imgly names each chunk after its own sha256.
        for (const f of m.source.extract.filter((e) => !e.path.endsWith(".json"))) {
          expect(f.path, m.id).toBe(`dist/${f.sha256}`);
        }
        const chunkBytes = m.source.extract
          .filter((e) => !e.path.endsWith(".json"))
          .reduce((sum, e) => sum + e.bytes, 0);
        expect(chunkBytes, `${m.id}: chunks add up to the model`).toBe(m.files[0].bytes);
      }
    }
  });

  it("says how to convert a model the studio builds from a checkpoint", () => {
    for (const m of MODELS) {
      if (m.source.kind !== "convert") continue;
      expect(m.source.command, m.id).toMatch(/^npm run models -- convert /);
      expect(m.source.command, m.id).toContain("--from");
      expect(m.source.checkpointUrl, m.id).toContain(m.source.checkpoint);
    }
  });

  it("explains every licence that is not plainly commercial-friendly", () => {
    for (const m of MODELS) {
      if (m.licence.commercial !== "yes") expect(m.licence.notice, m.id).toBeTruthy();
    }
    for (const id of ["isnet", "isnet-fp16"]) {
      const m = getModel(id);
      expect(m.optional, id).toBe(true);
      expect(m.licence.spdx).toMatch(/^AGPL-3\.0/);
      expect(m.licence.notice).toMatch(/AGPL/);
    }
    expect(getModel("realesrgan-x4fast").licence.notice).toMatch(/AGPL/);
    expect(getModel("leffa-vton-hd-gen-unet").licence.notice).toMatch(/research/);
  });

  it("allows optional outputs, but not optional inputs or only optional outputs", () => {
    const gen = getModel("leffa-vton-hd-gen-unet");
    const optional = gen.contract.outputs.filter((t) => t.optional).map((t) => t.name);
    expect(optional).toEqual([
      "flow_q_13",
      "flow_k_13",
      "flow_q_14",
      "flow_k_14",
      "flow_q_15",
      "flow_k_15",
    ]);
    const flowK = gen.contract.outputs.find((t) => t.name === "flow_k_13");
    expect(flowK?.shape).toEqual([1, "2*h*w", 320]);
    const withOptional = (inputs: boolean, outputs: boolean) =>
      modelEntrySchema.safeParse({
        ...gen,
        contract: {
          ...gen.contract,
          inputs: gen.contract.inputs.map((t) => ({ ...t, optional: inputs })),
          outputs: gen.contract.outputs.map((t) => ({ ...t, optional: outputs || t.optional })),
        },
      });
    expect(withOptional(false, false).success).toBe(true);
    expect(withOptional(true, false).error?.message).toMatch(/inputs cannot be optional/);
    expect(withOptional(false, true).error?.message).toMatch(/at least one required output/);
  });

  it("reads SCHP's fused logits by position, as Leffa's output[1], and checks the positions", () => {
    for (const id of ["schp-atr", "schp-lip"]) {
      const { contract } = getModel(id);
      expect(contract.outputs[0]).toMatchObject({ name: "fusion", index: 1 });
      expect(contract.outputs.map((o) => o.index).sort()).toEqual([0, 1, 2]);
    }
    const schp = getModel("schp-atr");
    const withOutputs = (outputs: object[], inputs: object[] = schp.contract.inputs) =>
      modelEntrySchema.safeParse({ ...schp, contract: { ...schp.contract, inputs, outputs } });
    const [fusion, parsing] = schp.contract.outputs;
    expect(withOutputs([fusion, parsing]).success).toBe(true);
    // Index 1 alone leaves a gap; a repeated index, likewise; inputs never go by position.
    expect(withOutputs([fusion]).error?.message).toMatch(/without gaps or repeats/);
    expect(withOutputs([fusion, { ...parsing, index: 1 }]).error?.message).toMatch(/without gaps/);
    const positionedInput = [{ ...schp.contract.inputs[0], index: 0 }];
    expect(withOutputs([fusion, parsing], positionedInput).error?.message).toMatch(
      /inputs go by name/,
    );
  });

  it("chains the Leffa graphs: the generative UNet takes every reference feature as produced", () => {
    for (const variant of ["hd", "dc"]) {
      const ref = getModel(`leffa-vton-${variant}-ref-unet`);
      const gen = getModel(`leffa-vton-${variant}-gen-unet`);
      expect(ref.contract.outputs).toHaveLength(16);
      for (const feature of ref.contract.outputs) {
        const input = gen.contract.inputs.find((t) => t.name === feature.name);
        expect(input, feature.name).toBeDefined();
        expect({ ...input, description: undefined }).toEqual({
          ...feature,
          description: undefined,
        });
      }
      expect(ref.files.map((f) => f.name)).toEqual(["model.onnx", "model.onnx_data"]);
      // The generative UNet also keeps the base's scheduler config, which older installs lack.
      expect(gen.files.map((f) => [f.name, f.optional ?? false])).toEqual([
        ["model.onnx", false],
        ["model.onnx_data", false],
        ["scheduler_config.json", true],
      ]);
      const encoder = getModel(`leffa-vton-${variant}-vae-encoder`);
      const decoder = getModel(`leffa-vton-${variant}-vae-decoder`);
      expect(decoder.contract.inputs[0].shape).toEqual(encoder.contract.outputs[0].shape);
    }
  });
});
