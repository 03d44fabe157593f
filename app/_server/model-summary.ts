import { findModel, UnknownModelError } from "@/models/manifest";
import type { ModelEntry, ModelSource, ModelTask } from "@/models/manifest/schema";
import type { InstalledRecord } from "@/models/store";
import { HttpError } from "./http";

/**
 * What `GET /api/models` says of one model: its manifest entry without the tensor contract (the
 * panel has no use for it) and the server's installed record. The browser's own cache is reported
 * by the worker, not here.
 */
export interface ModelSummary {
  readonly id: string;
  readonly title: string;
  readonly task: ModelTask;
  readonly description: string;
  readonly licence: {
    readonly spdx: string;
    readonly url: string;
    readonly commercial: "yes" | "no" | "unclear";
    readonly notice: string | null;
  };
  readonly optional: boolean;
  readonly files: readonly {
    readonly name: string;
    readonly bytes: number | null;
    readonly sha256: string | null;
    /** The model works without it (see modelFileSchema). */
    readonly optional?: boolean;
  }[];
  readonly source: { readonly kind: ModelSource["kind"]; readonly label: string };
  /** The file a session loads, if the model is an ONNX graph. */
  readonly onnx: string | null;
  readonly notes: string | null;
  readonly installed: InstalledRecord | null;
}

function sourceLabel(source: ModelSource): string {
  switch (source.kind) {
    case "url":
      return [...new Set(Object.values(source.urls).map((u) => new URL(u).host))].join(", ");
    case "npm":
      return `npm:${source.package}@${source.version}`;
    case "convert":
      return `converted from ${source.checkpoint}`;
  }
}

export function modelSummary(
  entry: ModelEntry,
  installed: InstalledRecord | undefined,
): ModelSummary {
  return {
    id: entry.id,
    title: entry.title,
    task: entry.task,
    description: entry.description,
    licence: {
      spdx: entry.licence.spdx,
      url: entry.licence.url,
      commercial: entry.licence.commercial,
      notice: entry.licence.notice ?? null,
    },
    optional: entry.optional,
    files: entry.files.map((f) => ({
      name: f.name,
      bytes: f.bytes,
      sha256: f.sha256,
      ...(f.optional ? { optional: true } : {}),
    })),
    source: { kind: entry.source.kind, label: sourceLabel(entry.source) },
    onnx: entry.onnx ?? null,
    notes: entry.notes ?? null,
    installed: installed ?? null,
  };
}

/** The manifest entry a route's `:id` names; an unknown id is a 404 that lists the known ones. */
export function knownModel(id: string): ModelEntry {
  const entry = findModel(id);
  if (!entry) throw new HttpError(404, new UnknownModelError(id).message);
  return entry;
}
