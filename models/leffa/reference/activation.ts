// Activations in float64. JavaScript has no Math.erf, so the exact (erf) GELU that diffusers'
// GEGLU uses needs our own erf, accurate to ~1e-15 so that it is not the weak link.
import { type F64Tensor, map } from "./tensor";

export const silu = (x: F64Tensor): F64Tensor => map(x, (v) => v / (1 + Math.exp(-v)));

/** erf by its Maclaurin series near 0 and by the continued fraction of erfc further out. */
export function erf(x: number): number {
  if (Number.isNaN(x)) return NaN;
  const a = Math.abs(x);
  if (a >= 6) return Math.sign(x); // 1 − erf(6) ≈ 2e-17, below float64 resolution at 1
  if (a <= 2.5) {
    // erf(x) = 2/√π · Σ (−1)^n x^(2n+1) / (n! (2n+1)); terms shrink fast enough by n ≈ 60.
    let term = x;
    let sum = x;
    for (let n = 1; n < 100; n++) {
      term *= (-x * x) / n;
      const next = term / (2 * n + 1);
      sum += next;
      if (Math.abs(next) < 1e-17 * Math.abs(sum)) break;
    }
    return (2 / Math.sqrt(Math.PI)) * sum;
  }
  // erfc(a) = e^(−a²)/√π · 1/(a + (1/2)/(a + 1/(a + (3/2)/(a + 2/(a + …))))), evaluated bottom-up.
  let fraction = a;
  for (let k = 60; k >= 1; k--) fraction = a + k / 2 / fraction;
  const erfc = Math.exp(-a * a) / Math.sqrt(Math.PI) / fraction;
  return Math.sign(x) * (1 - erfc);
}

/** torch's default GELU: x · Φ(x) = x/2 · (1 + erf(x/√2)) (not the tanh approximation). */
export const gelu = (v: number): number => 0.5 * v * (1 + erf(v / Math.SQRT2));
