import { GraphBuilder } from "./builder";

/**
 * The smallest model that proves an execution provider works end to end: y = x · 2 + 1 over a
 * few floats. The runtime runs it once on the backend it picked before trusting that backend.
 */
export function selfTestModel(): Uint8Array {
  const g = new GraphBuilder("backend-self-test");
  const x = g.input("x", "float32", ["n"]);
  const two = g.initializer("two", new Float32Array([2]), [1]);
  const one = g.initializer("one", new Float32Array([1]), [1]);
  const [doubled] = g.node("Mul", [x, two]);
  g.node("Add", [doubled, one], {}, ["y"]);
  g.output("y", "float32", ["n"]);
  return g.toBytes();
}

export const SELF_TEST_INPUT = new Float32Array([-1.5, 0, 1, 2.25]);
export const SELF_TEST_EXPECTED = [-2, 1, 3, 5.5];
