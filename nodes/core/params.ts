import { z } from "zod";

/**
 * Parameter specs: one declaration per parameter gives both the zod schema (validation, defaults)
 * and the widget the editor draws. Nodes declare params with these builders, never raw zod, so
 * every parameter is guaranteed to have a widget.
 */
interface Base<T> {
  readonly label?: string;
  readonly description?: string;
  readonly default: T;
}

export interface NumberParam extends Base<number> {
  readonly widget: "number";
  readonly min: number;
  readonly max: number;
  readonly step?: number;
  readonly integer?: boolean;
  /** Draw a slider next to the number box (for bounded, continuous values). */
  readonly slider?: boolean;
}
export interface SelectParam extends Base<string> {
  readonly widget: "select";
  readonly options: readonly { readonly value: string; readonly label: string }[];
}
export interface BooleanParam extends Base<boolean> {
  readonly widget: "checkbox";
}
export interface TextParam extends Base<string> {
  readonly widget: "text";
  readonly multiline?: boolean;
  readonly maxLength?: number;
  /** Optional pattern the value must match, with the message shown when it does not. */
  readonly pattern?: { readonly regex: RegExp; readonly message: string };
}
export interface ColorParam extends Base<string> {
  readonly widget: "color";
}
export interface SeedParam extends Base<number> {
  readonly widget: "seed";
}
/** A reference to an uploaded image: the sha256 of its bytes (content-addressed), or "" when empty. */
export interface ImageAssetParam extends Base<string> {
  readonly widget: "image";
}

export type ParamSpec =
  NumberParam | SelectParam | BooleanParam | TextParam | ColorParam | SeedParam | ImageAssetParam;

export type ParamSpecs = Record<string, ParamSpec>;

type ValueOf<S extends ParamSpec> = S["default"];
export type ParamValues<S extends ParamSpecs> = { [K in keyof S]: ValueOf<S[K]> };

export const MAX_SEED = 2 ** 32 - 1;
const HEX_COLOR = /^#[0-9a-f]{6}$/i;
const ASSET_ID = /^([0-9a-f]{64})?$/;

export const param = {
  number(o: Omit<NumberParam, "widget">): NumberParam {
    return { widget: "number", ...o };
  },
  int(o: Omit<NumberParam, "widget" | "integer">): NumberParam {
    return { widget: "number", integer: true, step: 1, ...o };
  },
  select<const V extends string>(
    o: Omit<SelectParam, "widget" | "options" | "default"> & {
      options: readonly (V | { value: V; label: string })[];
      default: NoInfer<V>;
    },
  ): SelectParam {
    const options = o.options.map((opt) =>
      typeof opt === "string" ? { value: opt, label: opt } : opt,
    );
    return { ...o, widget: "select", options };
  },
  boolean(o: Omit<BooleanParam, "widget">): BooleanParam {
    return { widget: "checkbox", ...o };
  },
  text(o: Omit<TextParam, "widget">): TextParam {
    return { widget: "text", ...o };
  },
  color(o: Omit<ColorParam, "widget">): ColorParam {
    return { widget: "color", ...o };
  },
  seed(o: Omit<SeedParam, "widget">): SeedParam {
    return { widget: "seed", ...o };
  },
  image(o: Omit<ImageAssetParam, "widget" | "default"> = {}): ImageAssetParam {
    return { widget: "image", default: "", ...o };
  },
};

const schemas = new WeakMap<ParamSpec, z.ZodType>();

/** The zod schema of one param; built once per spec (building zod schemas is not cheap). */
export function paramToZod(spec: ParamSpec): z.ZodType {
  let schema = schemas.get(spec);
  if (!schema) {
    schema = buildSchema(spec);
    schemas.set(spec, schema);
  }
  return schema;
}

function buildSchema(spec: ParamSpec): z.ZodType {
  switch (spec.widget) {
    case "number": {
      let schema = z.number().min(spec.min).max(spec.max);
      if (spec.integer) schema = schema.int();
      return schema;
    }
    case "seed":
      return z.number().int().min(0).max(MAX_SEED);
    case "select": {
      const values = spec.options.map((o) => o.value);
      return z.string().refine((v) => values.includes(v), {
        message: `must be one of ${values.join(", ")}`,
      });
    }
    case "checkbox":
      return z.boolean();
    case "text": {
      let schema = z.string().max(spec.maxLength ?? 10_000);
      if (spec.pattern) schema = schema.regex(spec.pattern.regex, spec.pattern.message);
      return schema;
    }
    case "color":
      return z.string().regex(HEX_COLOR, "must be a colour like #ffffff");
    case "image":
      return z.string().regex(ASSET_ID, "must be an uploaded image id (sha256) or empty");
  }
}

export function defaultParams(specs: ParamSpecs): Record<string, unknown> {
  return Object.fromEntries(Object.entries(specs).map(([k, s]) => [k, s.default]));
}

export interface ParamIssue {
  readonly param: string;
  readonly message: string;
}

/**
 * Validates stored params against the specs and fills defaults. Returns issues naming the param,
 * never throws, so the caller can attribute the error to its node.
 */
export function resolveParams(
  specs: ParamSpecs,
  raw: Record<string, unknown>,
): { ok: true; values: Record<string, unknown> } | { ok: false; issues: ParamIssue[] } {
  const issues: ParamIssue[] = [];
  const values: Record<string, unknown> = {};
  for (const key of Object.keys(raw)) {
    if (!(key in specs)) issues.push({ param: key, message: "unknown parameter" });
  }
  for (const [key, spec] of Object.entries(specs)) {
    const value = raw[key];
    if (value === undefined) {
      values[key] = spec.default;
      continue;
    }
    const parsed = paramToZod(spec).safeParse(value);
    if (parsed.success) values[key] = parsed.data;
    else issues.push({ param: key, message: parsed.error.issues[0]?.message ?? "invalid value" });
  }
  return issues.length ? { ok: false, issues } : { ok: true, values };
}
