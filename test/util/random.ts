/** Seeded pseudo-random numbers for tests: mulberry32 (uniform) and Box–Muller (normal). */

/** mulberry32: a 32-bit-state generator of uniform numbers in [0, 1) (the one the library seeds noise with). */
export { seededUniform as mulberry32 } from '../../src/methods/integration/baselines.js';
import { seededUniform as mulberry32 } from '../../src/methods/integration/baselines.js';

/** Standard normal samples by Box–Muller: z = sqrt(−2 ln u₁) · cos(2π u₂), u₁ ∈ (0, 1]. */
export function normal(uniform: () => number): () => number {
  let spare: number | undefined;
  return () => {
    if (spare !== undefined) {
      const z = spare;
      spare = undefined;
      return z;
    }
    const u1 = 1 - uniform();
    const u2 = uniform();
    const r = Math.sqrt(-2 * Math.log(u1));
    spare = r * Math.sin(2 * Math.PI * u2);
    return r * Math.cos(2 * Math.PI * u2);
  };
}

/** A seeded source of uniform, normal and integer samples. */
export class Random {
  readonly uniform: () => number;
  readonly normal: () => number;

  constructor(seed: number) {
    this.uniform = mulberry32(seed);
    this.normal = normal(this.uniform);
  }

  /** n standard normal samples (times `scale`). */
  normals(n: number, scale = 1): Float64Array {
    return Float64Array.from({ length: n }, () => scale * this.normal());
  }

  /** n uniform samples in [lo, hi). */
  uniforms(n: number, lo = 0, hi = 1): Float64Array {
    return Float64Array.from({ length: n }, () => lo + (hi - lo) * this.uniform());
  }

  /** An integer in [lo, hi). */
  int(lo: number, hi: number): number {
    return lo + Math.floor((hi - lo) * this.uniform());
  }
}
