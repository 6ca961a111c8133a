/**
 * Broadcasting element-wise ops (numpy multidirectional broadcasting): arithmetic keeps input 0's dtype
 * (integer Div truncates toward zero, as C++ does); comparisons and And/Or give bool. Max, Min and Sum
 * are variadic (one or more inputs), folded left to right. NaN propagates through Max and Min.
 */
import type { DType } from '../../ir/tensor.js';
import { isFloatType, numel } from '../../ir/tensor.js';
import { broadcastShapes } from '../../ir/ops/schema.js';
import { type Kernel, broadcastMap, fail, output, shaped } from './kernel.js';

type Formula = (a: number, b: number) => number;

interface Options {
  /** Result dtype (bool for comparisons); input 0's by default. */
  dtype?: DType;
  /** Applied to each result when the inputs are integers. */
  intFix?: (v: number) => number;
  /** Accepts one or more inputs (Max, Min, Sum). */
  variadic?: boolean;
}

const broadcasting = (f: Formula, { dtype: resultDtype, intFix, variadic }: Options = {}): Kernel => (node, inputs) => {
  const present = inputs.filter((t) => t !== undefined);
  if (present.length !== inputs.length) fail(node, 'every input is required');
  if (present.length < (variadic ? 1 : 2) || (!variadic && present.length > 2)) fail(node, `takes ${variadic ? 'one or more' : 'two'} inputs, got ${present.length}`);
  const dims = shaped(node, () => broadcastShapes(present.map((t) => t.dims)));
  const first = present[0];
  const dtype = resultDtype ?? first.dtype;
  const y = output(dtype, dims);
  const Y = y.data;
  const total = numel(dims);
  const map0 = broadcastMap(first.dims, dims);
  const acc = new Float64Array(total);
  for (let o = 0; o < total; o++) acc[o] = first.data[map0 === null ? o : map0[o]];
  const fix = intFix && !isFloatType(first.dtype) ? intFix : undefined;
  for (const t of present.slice(1)) {
    const map = broadcastMap(t.dims, dims);
    const data = t.data;
    for (let o = 0; o < total; o++) {
      const v = f(acc[o], data[map === null ? o : map[o]]);
      acc[o] = fix ? fix(v) : v;
    }
  }
  Y.set(acc);
  return [y];
};

const max: Formula = (a, b) => (a !== a || b !== b ? NaN : a >= b ? a : b);
const min: Formula = (a, b) => (a !== a || b !== b ? NaN : a <= b ? a : b);

export const binaryKernels = {
  Add: broadcasting((a, b) => a + b),
  Sub: broadcasting((a, b) => a - b),
  Mul: broadcasting((a, b) => a * b),
  Div: broadcasting((a, b) => a / b, { intFix: Math.trunc }),
  Pow: broadcasting((a, b) => Math.pow(a, b), { intFix: Math.trunc }),
  Max: broadcasting(max, { variadic: true }),
  Min: broadcasting(min, { variadic: true }),
  Sum: broadcasting((a, b) => a + b, { variadic: true }),
  Equal: broadcasting((a, b) => (a === b ? 1 : 0), { dtype: 'bool' }),
  Greater: broadcasting((a, b) => (a > b ? 1 : 0), { dtype: 'bool' }),
  GreaterOrEqual: broadcasting((a, b) => (a >= b ? 1 : 0), { dtype: 'bool' }),
  Less: broadcasting((a, b) => (a < b ? 1 : 0), { dtype: 'bool' }),
  LessOrEqual: broadcasting((a, b) => (a <= b ? 1 : 0), { dtype: 'bool' }),
  And: broadcasting((a, b) => (a && b ? 1 : 0), { dtype: 'bool' }),
  Or: broadcasting((a, b) => (a || b ? 1 : 0), { dtype: 'bool' }),
} satisfies Record<string, Kernel>;

/** Where(cond, a, b): y = cond ? a : b, all three broadcast; dtype of a. */
export const Where: Kernel = (node, inputs) => {
  const [cond, a, b] = inputs;
  if (!cond || !a || !b) fail(node, 'cond, X and Y are required');
  const dims = shaped(node, () => broadcastShapes([cond.dims, a.dims, b.dims]));
  const y = output(a.dtype, dims);
  const [mc, ma, mb] = [cond, a, b].map((t) => broadcastMap(t.dims, dims));
  const total = numel(dims);
  for (let o = 0; o < total; o++) {
    y.data[o] = cond.data[mc === null ? o : mc[o]] ? a.data[ma === null ? o : ma[o]] : b.data[mb === null ? o : mb[o]];
  }
  return [y];
};
