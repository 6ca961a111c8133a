/**
 * Points α_k ∈ [0, 1] and weights Δ_k for IG(x) ≈ (x − x') ⊙ Σ_k Δ_k ∂y_c/∂x(x' + α_k(x − x')).
 * `steps` = n gradient evaluations, placed and weighted exactly as Captum's
 * IntegratedGradients(n_steps=n, method=…) does (captum/attr/_utils/approximation_methods.py):
 *   riemann_left      α = linspace(0, 1 − 1/n, n),         Δ = 1/n
 *   riemann_right     α = linspace(1/n, 1, n),             Δ = 1/n
 *   riemann_middle    α = linspace(1/2n, 1 − 1/2n, n),     Δ = 1/n
 *   riemann_trapezoid α = linspace(0, 1, n),               Δ = 1/n, halved at both ends (n ≥ 2)
 *   gausslegendre     α = (1 + ξ_k)/2, Δ = w_k/2 for the n-point Gauss–Legendre rule (ξ_k, w_k) on [−1, 1]
 * (Captum's trapezoid weights sum to (n − 1)/n, not 1: kept for parity, as Captum users expect.)
 */
import { HeatlensError } from '../../errors.js';

export type UniformScheme = 'left' | 'right' | 'middle' | 'trapezoid' | 'gausslegendre';
export const UNIFORM_SCHEMES: readonly UniformScheme[] = ['left', 'right', 'middle', 'trapezoid', 'gausslegendre'];

export interface Quadrature {
  alphas: Float64Array;
  weights: Float64Array;
}

/** numpy.linspace(start, stop, n): start + i·(stop − start)/(n − 1), exactly `stop` at the end. */
function linspace(start: number, stop: number, n: number): Float64Array {
  const out = new Float64Array(n);
  if (n === 1) {
    out[0] = start;
    return out;
  }
  const step = (stop - start) / (n - 1);
  for (let i = 0; i < n; i++) out[i] = start + i * step;
  out[n - 1] = stop;
  return out;
}

/**
 * Gauss–Legendre nodes (ascending, as numpy.polynomial.legendre.leggauss) and weights: the roots of
 * P_n by Newton's method from x₀ = cos(π(i + 3/4)/(n + 1/2)), with P_n and P_n' from the three-term
 * recurrence (k+1)P_{k+1} = (2k+1)xP_k − kP_{k−1}, and w = 2/((1 − x²)P_n'(x)²).
 */
export function gaussLegendre(n: number): { nodes: Float64Array; weights: Float64Array } {
  const nodes = new Float64Array(n);
  const weights = new Float64Array(n);
  for (let i = 0; i < Math.ceil(n / 2); i++) {
    let x = Math.cos((Math.PI * (i + 0.75)) / (n + 0.5));
    let derivative = 0;
    for (let iter = 0; iter < 100; iter++) {
      let p0 = 1;
      let p1 = x;
      for (let k = 1; k < n; k++) [p0, p1] = [p1, ((2 * k + 1) * x * p1 - k * p0) / (k + 1)];
      const pn = n === 0 ? 1 : p1;
      derivative = (n * (x * pn - p0)) / (x * x - 1);
      const dx = pn / derivative;
      x -= dx;
      if (Math.abs(dx) < 1e-16) break;
    }
    const w = 2 / ((1 - x * x) * derivative * derivative);
    nodes[i] = -x;
    nodes[n - 1 - i] = x;
    weights[i] = w;
    weights[n - 1 - i] = w;
  }
  if (n % 2 === 1) nodes[(n - 1) / 2] = 0;
  return { nodes, weights };
}

export function uniformQuadrature(scheme: UniformScheme, n: number): Quadrature {
  if (!Number.isInteger(n) || n < 1) throw new HeatlensError(`the number of steps must be an integer ≥ 1, got ${n}`, 'E_USAGE');
  if (scheme === 'trapezoid' && n < 2) throw new HeatlensError('the trapezoid scheme needs at least 2 steps', 'E_USAGE');
  if (scheme === 'gausslegendre') {
    const { nodes, weights } = gaussLegendre(n);
    return { alphas: nodes.map((x) => 0.5 * (1 + x)), weights: weights.map((w) => 0.5 * w) };
  }
  const alphas = {
    left: () => linspace(0, 1 - 1 / n, n),
    right: () => linspace(1 / n, 1, n),
    middle: () => linspace(1 / (2 * n), 1 - 1 / (2 * n), n),
    trapezoid: () => linspace(0, 1, n),
  }[scheme]();
  const weights = new Float64Array(n).fill(1 / n);
  if (scheme === 'trapezoid') {
    weights[0] /= 2;
    weights[n - 1] /= 2;
  }
  return { alphas, weights };
}
