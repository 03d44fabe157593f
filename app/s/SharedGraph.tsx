import type { GraphLayout } from "./graph-layout";

/** The workflow as a static SVG (no editor code): nodes, ports, wires. Text is React-escaped. */
export function SharedGraph({ layout }: { layout: GraphLayout }) {
  const { x, y, width, height } = layout.viewBox;
  return (
    <svg
      viewBox={`${x} ${y} ${width} ${height}`}
      role="img"
      aria-label="workflow graph"
      data-testid="shared-graph"
      fontFamily="system-ui, sans-serif"
    >
      {layout.edges.map((e) => (
        <path key={e.id} d={e.path} stroke={e.color} strokeWidth={2} fill="none" />
      ))}
      {layout.nodes.map((n) => (
        <g key={n.id} data-testid="shared-node" data-node-type={n.type}>
          <rect
            x={n.x}
            y={n.y}
            width={n.width}
            height={n.height}
            rx={6}
            fill="#1f2229"
            stroke={n.known ? "#363b47" : "#ffc061"}
            strokeDasharray={n.known ? undefined : "4 3"}
          />
          <rect x={n.x} y={n.y} width={n.width} height={24} rx={6} fill="#272b34" />
          <text x={n.x + 8} y={n.y + 16} fill="#e6e8ee" fontSize={12} fontWeight={600}>
            {n.title}
          </text>
          {n.inputs.map((p) => (
            <g key={`in-${p.name}`}>
              <circle cx={p.x} cy={p.y} r={4} fill={p.color} />
              <text x={p.x + 8} y={p.y + 4} fill="#9aa1b1" fontSize={10}>
                {p.name}
              </text>
            </g>
          ))}
          {n.outputs.map((p) => (
            <g key={`out-${p.name}`}>
              <circle cx={p.x} cy={p.y} r={4} fill={p.color} />
              <text x={p.x - 8} y={p.y + 4} fill="#9aa1b1" fontSize={10} textAnchor="end">
                {p.name}
              </text>
            </g>
          ))}
          {n.lines.map((line, i) => (
            <text
              key={i}
              x={n.x + 8}
              y={n.y + n.height - 10 - (n.lines.length - 1 - i) * 18}
              fill="#e6e8ee"
              fontSize={10}
            >
              {line}
            </text>
          ))}
        </g>
      ))}
    </svg>
  );
}
