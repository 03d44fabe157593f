import { getNodeDefinition } from "@/nodes";
import type { WorkflowDocument } from "@/nodes/core/document";
import { layoutGraph } from "@/app/s/graph-layout";

/** A small PNG (base64, no data-URL prefix) of an output image, stored with a saved workflow. */
export async function makeThumbnail(url: string, maxSide = 256): Promise<string> {
  const blob = await (await fetch(url)).blob();
  const source = await createImageBitmap(blob);
  const scale = Math.min(1, maxSide / Math.max(source.width, source.height));
  const width = Math.max(1, Math.round(source.width * scale));
  const height = Math.max(1, Math.round(source.height * scale));
  const canvas = new OffscreenCanvas(width, height);
  const g = canvas.getContext("2d")!;
  g.imageSmoothingQuality = "high";
  g.drawImage(source, 0, 0, width, height);
  source.close();
  return pngBase64(canvas);
}

async function pngBase64(canvas: OffscreenCanvas): Promise<string> {
  const png = new Uint8Array(
    await (await canvas.convertToBlob({ type: "image/png" })).arrayBuffer(),
  );
  let binary = "";
  for (let i = 0; i < png.length; i += 0x8000)
    binary += String.fromCharCode(...png.subarray(i, i + 0x8000));
  return btoa(binary);
}

/** Colours of the graph snapshot: the editor's dark canvas. */
const SNAPSHOT = { background: "#1c1f24", node: "#2c313a", border: "#4a5160", unknown: "#5a3a3a" };

/**
 * A thumbnail of the graph itself, for a workflow saved before it produced any image: the share
 * page's layout (boxes where the nodes are, wires in their port colours), drawn small.
 */
export async function graphThumbnail(doc: WorkflowDocument, maxSide = 256): Promise<string> {
  const layout = layoutGraph(doc, getNodeDefinition);
  const { viewBox } = layout;
  const scale = maxSide / Math.max(viewBox.width, viewBox.height);
  const width = Math.max(1, Math.round(viewBox.width * scale));
  const height = Math.max(1, Math.round(viewBox.height * scale));
  const canvas = new OffscreenCanvas(width, height);
  const g = canvas.getContext("2d")!;
  g.fillStyle = SNAPSHOT.background;
  g.fillRect(0, 0, width, height);
  g.setTransform(scale, 0, 0, scale, -viewBox.x * scale, -viewBox.y * scale);
  g.lineWidth = 3 / Math.max(scale, 0.01) / 4;
  for (const edge of layout.edges) {
    g.strokeStyle = edge.color;
    g.stroke(new Path2D(edge.path));
  }
  for (const node of layout.nodes) {
    g.fillStyle = node.known ? SNAPSHOT.node : SNAPSHOT.unknown;
    g.strokeStyle = SNAPSHOT.border;
    g.fillRect(node.x, node.y, node.width, node.height);
    g.strokeRect(node.x, node.y, node.width, node.height);
    for (const port of [...node.inputs, ...node.outputs]) {
      g.fillStyle = port.color;
      g.beginPath();
      g.arc(port.x, port.y, 5, 0, Math.PI * 2);
      g.fill();
    }
  }
  return pngBase64(canvas);
}
