/** Element-wise unary ops y = f(x); the result keeps the input's dtype (floats computed in float64). */
import { getFloat } from '../../ir/graph.js';
import type { Node } from '../../ir/graph.js';
import { type Kernel, need, output } from './kernel.js';

type Formula = (node: Node) => (x: number) => number;

const unary = (formula: Formula): Kernel => (node, inputs) => {
  const x = need(node, inputs, 0);
  const f = formula(node);
  const y = output(x.dtype, x.dims);
  const X = x.data;
  const Y = y.data;
  for (let i = 0; i < X.length; i++) Y[i] = f(X[i]);
  return [y];
};

export const unaryFormulas = {
  /** max(0, x) */
  Relu: () => (x) => (x < 0 ? 0 : x),
  /** x ≥ 0 ? x : alpha·x, alpha = 0.01 */
  LeakyRelu: (node) => {
    const alpha = getFloat(node, 'alpha', 0.01);
    return (x) => (x >= 0 ? x : alpha * x);
  },
  /** 1 / (1 + e^−x) */
  Sigmoid: () => (x) => (x >= 0 ? 1 / (1 + Math.exp(-x)) : Math.exp(x) / (1 + Math.exp(x))),
  Tanh: () => Math.tanh,
  /** max(0, min(1, alpha·x + beta)), alpha = 0.2, beta = 0.5 */
  HardSigmoid: (node) => {
    const alpha = getFloat(node, 'alpha', 0.2);
    const beta = getFloat(node, 'beta', 0.5);
    return (x) => Math.max(0, Math.min(1, alpha * x + beta));
  },
  /** x · max(0, min(1, x/6 + 1/2)) */
  HardSwish: () => (x) => x * Math.max(0, Math.min(1, x / 6 + 0.5)),
  Abs: () => Math.abs,
  Neg: () => (x) => -x,
  Sqrt: () => Math.sqrt,
  Exp: () => Math.exp,
  Log: () => Math.log,
  Reciprocal: () => (x) => 1 / x,
  /** −1, 0 or 1 (0 for ±0, NaN for NaN) */
  Sign: () => (x) => (x > 0 ? 1 : x < 0 ? -1 : x === 0 ? 0 : NaN),
  Not: () => (x) => (x ? 0 : 1),
  Identity: () => (x) => x,
} satisfies Record<string, Formula>;

export const unaryKernels = Object.fromEntries(
  Object.entries(unaryFormulas).map(([op, f]) => [op, unary(f)]),
) as { [K in keyof typeof unaryFormulas]: Kernel };
