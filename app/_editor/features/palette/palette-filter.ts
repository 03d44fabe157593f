import { isPortCompatible, type PortType } from "@/nodes/core/ports";
import type { NodeCategory, NodeDefinition } from "@/nodes/core/types";

/** A wire dragged into empty space: the palette offers only nodes that can take its other end. */
export interface DanglingWire {
  readonly nodeId: string;
  readonly handleId: string;
  /** "source" when the wire was pulled out of an output, "target" when out of an input. */
  readonly from: "source" | "target";
  readonly portType: PortType;
}

/** The first port of `def` that can connect to the dangling wire, or undefined. */
export function compatiblePort(def: NodeDefinition, wire: DanglingWire): string | undefined {
  const ports = wire.from === "source" ? def.inputs : def.outputs;
  return Object.entries(ports).find(([, spec]) =>
    wire.from === "source"
      ? isPortCompatible(wire.portType, spec.type)
      : isPortCompatible(spec.type, wire.portType),
  )?.[0];
}

/** Definitions matching the query (title, type, category, description), grouped by category. */
export function paletteGroups(
  defs: readonly NodeDefinition[],
  query: string,
  wire?: DanglingWire,
): { category: NodeCategory; defs: NodeDefinition[] }[] {
  const q = query.trim().toLowerCase();
  const groups = new Map<NodeCategory, NodeDefinition[]>();
  for (const def of defs) {
    if (wire && !compatiblePort(def, wire)) continue;
    const haystack = `${def.title} ${def.type} ${def.category} ${def.description}`.toLowerCase();
    if (q && !q.split(/\s+/).every((word) => haystack.includes(word))) continue;
    const list = groups.get(def.category) ?? [];
    list.push(def);
    groups.set(def.category, list);
  }
  return [...groups].map(([category, list]) => ({ category, defs: list }));
}
