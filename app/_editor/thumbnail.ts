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
  const png = new Uint8Array(
    await (await canvas.convertToBlob({ type: "image/png" })).arrayBuffer(),
  );
  let binary = "";
  for (let i = 0; i < png.length; i += 0x8000)
    binary += String.fromCharCode(...png.subarray(i, i + 0x8000));
  return btoa(binary);
}
