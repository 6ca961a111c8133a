/**
 * Nested refinement for the adaptive mode (--target-delta): the next, finer rule keeps every point of
 * the current one, with every current weight scaled by the same factor `keep`, so
 *   Σ_fine Δ'_k g_k = keep · Σ_current Δ_k g_k + Σ_added Δ'_k g_k
 * and a round evaluates only the points it adds. Each rule here is exact: the union equals the rule a
 * fresh run at the new step count uses.
 *   left, right   m → 2m      keep ½        added: the midpoints (k + ½)/m, weight 1/2m. Captum's left
 *                                           rule at 2m is {i/2m}: the old k/m plus these; right alike.
 *   trapezoid     m → 2m − 1  keep m/(2m−1) added: the midpoints (k + ½)/(m − 1), weight 1/(2m − 1).
 *                                           Captum's trapezoid weighs every point 1/n (halved at the
 *                                           ends), so the old weights scale by one factor.
 *   middle, and   m → 3m      keep ⅓        each point is the midpoint of its own interval of width
 *   nonuniform                              Δ_k; split into three, the middle third's midpoint is the
 *                                           old point and the outer two, α_k ± Δ_k/3, are added with
 *                                           weight Δ_k/3. For middle this is Captum's rule at 3m; for
 *                                           the non-uniform rule (midpoints weighted by their widths,
 *                                           nonUniform.ts) it triples every segment's steps, keeping the
 *                                           pilot's allocation.
 * Gauss–Legendre rules share no points between orders: a run at a new step count starts afresh.
 */
import type { Quadrature, UniformScheme } from './quadrature.js';

export interface Refinement {
  /** Step count of the finer rule (current + added). */
  steps: number;
  /** Factor on every current weight. */
  keep: number;
  /** The points the finer rule adds, with their weights in it. */
  added: Quadrature;
}

type Refiner = (current: Quadrature) => Refinement;

/** Riemann left/right at m → 2m: the midpoints of the m cells. */
const halveCells: Refiner = (current) => {
  const m = current.alphas.length;
  return {
    steps: 2 * m,
    keep: 1 / 2,
    added: {
      alphas: Float64Array.from({ length: m }, (_, k) => (k + 0.5) / m),
      weights: new Float64Array(m).fill(1 / (2 * m)),
    },
  };
};

/** Captum's trapezoid at m → 2m − 1: the midpoints between consecutive points of linspace(0, 1, m). */
const halveTrapezoidCells: Refiner = (current) => {
  const m = current.alphas.length;
  const fine = 2 * m - 1;
  return {
    steps: fine,
    keep: m / fine,
    added: {
      alphas: Float64Array.from({ length: m - 1 }, (_, k) => (k + 0.5) / (m - 1)),
      weights: new Float64Array(m - 1).fill(1 / fine),
    },
  };
};

/** Midpoint rules (point k the midpoint of an interval of width Δ_k) at m → 3m: α_k ± Δ_k/3. */
const splitIntervalsInThree: Refiner = (current) => {
  const m = current.alphas.length;
  const alphas = new Float64Array(2 * m);
  const weights = new Float64Array(2 * m);
  for (let k = 0; k < m; k++) {
    const third = current.weights[k] / 3;
    alphas[2 * k] = current.alphas[k] - third;
    alphas[2 * k + 1] = current.alphas[k] + third;
    weights[2 * k] = third;
    weights[2 * k + 1] = third;
  }
  return { steps: 3 * m, keep: 1 / 3, added: { alphas, weights } };
};

/** The nested refinement of each scheme that has one. */
export const REFINEMENTS: Readonly<Partial<Record<UniformScheme | 'nonuniform', Refiner>>> = {
  left: halveCells,
  right: halveCells,
  trapezoid: halveTrapezoidCells,
  middle: splitIntervalsInThree,
  nonuniform: splitIntervalsInThree,
};

/** The finer rule itself: the current points with their weights scaled by `keep`, then the added ones. */
export function refinedRule(current: Quadrature, refinement: Refinement): Quadrature {
  const { keep, added } = refinement;
  return {
    alphas: Float64Array.from([...current.alphas, ...added.alphas]),
    weights: Float64Array.from([...current.weights.map((w) => keep * w), ...added.weights]),
  };
}
