/**
 * Non-uniform interpolation for Integrated Gradients (after Bhat & Raychowdhury 2023; the exact
 * published allocation rule is not known, this is the baseline design of DESIGN.md):
 *  1. a forward-only pilot evaluates the target score y at N+1 uniform points α_j = j/N;
 *  2. segment j gets a share of the m gradient steps proportional to w_j = |y(α_{j+1}) − y(α_j)| + φ,
 *     with a floor φ = floor·mean_j|Δy_j| (so a flat segment still gets steps when m allows), rounded by
 *     largest remainder so Σ m_j = m; when m ≥ N every segment gets at least one step;
 *  3. the m_j points of segment j sit at the midpoints of m_j equal sub-intervals, each weighted by its
 *     own width (1/N)/m_j.
 * With fewer steps than segments (m < N), consecutive segments are merged into m groups holding about
 * equal shares of the weight (boundaries where the cumulative weight crosses k/m), one step at each
 * group's midpoint weighted by the group's width. Either way the weights sum to 1: the whole path is
 * integrated.
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
  const weights = segmentWeights(pilotScores, floor);
  const total = weights.reduce((a, c) => a + c, 0);
  const least = m >= segments ? 1 : 0;
  return { perSegment: largestRemainder(weights.map((w) => w / total), m, least) };
}

function segmentWeights(pilotScores: ArrayLike<number>, floor: number): number[] {
  const segments = pilotScores.length - 1;
  const changes = Array.from({ length: segments }, (_, j) => Math.abs(pilotScores[j + 1] - pilotScores[j]));
  const mean = changes.reduce((a, c) => a + c, 0) / segments;
  return changes.map((c) => c + floor * mean + Number.MIN_VALUE);
}

/** m < N: groups of whole segments with about equal weight, one midpoint step each. */
function groupedQuadrature(pilotScores: ArrayLike<number>, m: number, floor: number): Quadrature {
  const weights = segmentWeights(pilotScores, floor);
  const segments = weights.length;
  const total = weights.reduce((a, c) => a + c, 0);
  const bounds = [0];
  let cumulative = 0;
  for (let j = 0; j < segments; j++) {
    cumulative += weights[j];
    const groupsLeft = m - (bounds.length - 1);
    const segmentsLeft = segments - (j + 1);
    // Close a group where the cumulative weight crosses the next k/m, keeping enough segments for the
    // groups still to come (and closing early when only that many remain).
    if (groupsLeft > 1 && (cumulative >= (total * bounds.length) / m || segmentsLeft < groupsLeft)) bounds.push(j + 1);
  }
  bounds.push(segments);
  const alphas: number[] = [];
  const widths: number[] = [];
  for (let g = 0; g + 1 < bounds.length; g++) {
    const [a, b] = [bounds[g] / segments, bounds[g + 1] / segments];
    alphas.push((a + b) / 2);
    widths.push(b - a);
  }
  return { alphas: Float64Array.from(alphas), weights: Float64Array.from(widths) };
}

export function nonUniformQuadrature(pilotScores: ArrayLike<number>, m: number, floor = 0.1): Quadrature {
  const segments = pilotScores.length - 1;
  if (m < segments) return groupedQuadrature(pilotScores, m, floor);
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
