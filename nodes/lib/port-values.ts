import { isImage, isMask, type Mask, type RgbaImage } from "../core/image";
import { NodeError, type PortValue } from "../core/types";

/**
 * Typed access to a node's inputs. The runtime checks wiring by port type, but a node still
 * narrows the loose PortValue union, and these give the same readable error everywhere.
 */
type Inputs = Record<string, PortValue | undefined>;

export function requireImage(inputs: Inputs, key: string): RgbaImage {
  const value = inputs[key];
  if (value === undefined) throw new NodeError(`input "${key}" is not connected`);
  if (!isImage(value)) throw new NodeError(`input "${key}" expects an image`);
  return value;
}

export function requireMask(inputs: Inputs, key: string): Mask {
  const value = inputs[key];
  if (value === undefined) throw new NodeError(`input "${key}" is not connected`);
  if (!isMask(value)) throw new NodeError(`input "${key}" expects a mask`);
  return value;
}

export function optionalMask(inputs: Inputs, key: string): Mask | undefined {
  return inputs[key] === undefined ? undefined : requireMask(inputs, key);
}
