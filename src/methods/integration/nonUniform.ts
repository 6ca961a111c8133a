/**
 * Non-uniform interpolation for Integrated Gradients (after Bhat & Raychowdhury 2023; the exact
 * published allocation rule is not known, this is the baseline design of DESIGN.md):
 *  1. a forward-only pilot evaluates the target score y at N+1 uniform points α_j = j/N;
 *  2. segment j gets a share of the m gradient steps proportional to w_j = |y(α_{j+1}) − y(α_j)| + φ,
 *     with a floor φ = floor·mean_j|Δy_j| (so a flat segment still gets steps when m allows), rounded by
 *     largest remainder so Σ m_j = m; when m ≥ N every segment gets at least one step;
 *  3. the m_j points of segment j sit at the midpoints of m_j equal sub-intervals, each weighted by its
 *     own width (1/N)/m_j.
 * The weights sum to 1 over the segments that received steps.
 */
import type { Quadrature } from './quadrature.js';

export interface Allocation {
  /** Steps per segment, Σ = m. */
  perSegment: number[];
}

/** Largest-remainder rounding of m·shares (shares sum to 1) with a minimum of `least` per entry. */
export function largestRemainder(shares: readonly number[], m: number, least: number): number[] {
  const base = shares.map(() => least);
  const left = m - least * shares.length;
  if (left <= 0) return base;
  const exact = shares.map((s) => s * left);
  const counts = exact.map((e, j) => base[j] + Math.floor(e));
  let remaining = m - counts.reduce((a, c) => a + c, 0);
  const order = exact.map((e, j) => [e - Math.floor(e), j] as const).sort((a, b) => b[0] - a[0] || a[1] - b[1]);
  for (const [, j] of order) {
    if (remaining <= 0) break;
    counts[j]++;
    remaining--;
  }
  return counts;
}

export function allocateSteps(pilotScores: ArrayLike<number>, m: number, floor = 0.1): Allocation {
  const segments = pilotScores.length - 1;
  const changes = Array.from({ length: segments }, (_, j) => Math.abs(pilotScores[j + 1] - pilotScores[j]));
  const mean = changes.reduce((a, c) => a + c, 0) / segments;
  const weights = changes.map((c) => c + floor * mean + Number.MIN_VALUE);
  const total = weights.reduce((a, c) => a + c, 0);
  const least = m >= segments ? 1 : 0;
  return { perSegment: largestRemainder(weights.map((w) => w / total), m, least) };
}

export function nonUniformQuadrature(pilotScores: ArrayLike<number>, m: number, floor = 0.1): Quadrature {
  const segments = pilotScores.length - 1;
  const { perSegment } = allocateSteps(pilotScores, m, floor);
  const alphas: number[] = [];
  const weights: number[] = [];
  perSegment.forEach((count, j) => {
    const width = 1 / segments / count;
    for (let i = 0; i < count; i++) {
      alphas.push(j / segments + (i + 0.5) * width);
      weights.push(width);
    }
  });
  return { alphas: Float64Array.from(alphas), weights: Float64Array.from(weights) };
}
