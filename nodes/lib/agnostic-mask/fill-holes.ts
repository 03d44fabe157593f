/**
 * Leffa's `hole_fill`: clear the 1-pixel image frame, flood the background from the top-left
 * corner (`cv2.floodFill`, 4-connectivity, exact value match), and set every background pixel the
 * flood did not reach. The frame clearing is Leffa's (it guarantees the corner seed is background
 * and that a mask touching the edge does not seal off holes), so the result never touches the frame.
 * Input: nonzero = set. Output: 0/255.
 */
export function leffaHoleFill(mask: Uint8Array, width: number, height: number): Uint8Array {
  if (mask.length !== width * height) {
    throw new Error(`fill-holes: expected ${width * height} pixels, got ${mask.length}`);
  }
  const out = new Uint8Array(mask.length);
  if (width < 3 || height < 3) return out; // all frame
  for (let y = 1; y < height - 1; y++) {
    for (let x = 1; x < width - 1; x++) {
      if (mask[y * width + x] !== 0) out[y * width + x] = 255;
    }
  }
  // 1 = reached background, 2 = set. The frame is background, so the flood starts from all of
  // it at once: it is marked reached, and the background pixels of the ring just inside it are
  // the seeds. Marking on push keeps the stack within one entry per pixel, and no popped pixel is
  // on the frame, so its four neighbours are always inside the image.
  const state = new Uint8Array(mask.length);
  for (let i = 0; i < out.length; i++) if (out[i] !== 0) state[i] = 2;
  for (let x = 0; x < width; x++) {
    state[x] = 1;
    state[(height - 1) * width + x] = 1;
  }
  for (let y = 1; y < height - 1; y++) {
    state[y * width] = 1;
    state[y * width + width - 1] = 1;
  }
  const stack = new Int32Array(mask.length);
  let top = 0;
  const seed = (i: number): void => {
    if (state[i] === 0) {
      state[i] = 1;
      stack[top++] = i;
    }
  };
  for (let x = 1; x < width - 1; x++) {
    seed(width + x);
    seed((height - 2) * width + x);
  }
  for (let y = 2; y < height - 2; y++) {
    seed(y * width + 1);
    seed(y * width + width - 2);
  }
  while (top > 0) {
    const i = stack[--top];
    if (state[i - 1] === 0) {
      state[i - 1] = 1;
      stack[top++] = i - 1;
    }
    if (state[i + 1] === 0) {
      state[i + 1] = 1;
      stack[top++] = i + 1;
    }
    if (state[i - width] === 0) {
      state[i - width] = 1;
      stack[top++] = i - width;
    }
    if (state[i + width] === 0) {
      state[i + width] = 1;
      stack[top++] = i + width;
    }
  }
  for (let i = 0; i < out.length; i++) if (state[i] === 0) out[i] = 255;
  return out;
}
