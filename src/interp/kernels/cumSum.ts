/**
 * CumSum(x, axis): y[…, i, …] = Σ_{j ≤ i} x[…, j, …] along `axis`; exclusive uses j < i, reverse sums
 * from the end (j ≥ i, or j > i when exclusive).
 */
import { getInt } from '../../ir/graph.js';
import { numel } from '../../ir/tensor.js';
import { type Kernel, axisIn, need, output } from './kernel.js';

export const CumSum: Kernel = (node, inputs) => {
  const x = need(node, inputs, 0);
  const axis = axisIn(node, need(node, inputs, 1).data[0], x.dims.length);
  const exclusive = getInt(node, 'exclusive', 0) === 1;
  const reverse = getInt(node, 'reverse', 0) === 1;
  const y = output(x.dtype, x.dims);
  const X = x.data;
  const Y = y.data;
  const outer = numel(x.dims.slice(0, axis));
  const n = x.dims[axis];
  const inner = numel(x.dims.slice(axis + 1));
  for (let o = 0; o < outer; o++) {
    for (let r = 0; r < inner; r++) {
      let sum = 0;
      for (let t = 0; t < n; t++) {
        const i = reverse ? n - 1 - t : t;
        const at = (o * n + i) * inner + r;
        if (exclusive) {
          Y[at] = sum;
          sum += X[at];
        } else {
          sum += X[at];
          Y[at] = sum;
        }
      }
    }
  }
  return [y];
};
