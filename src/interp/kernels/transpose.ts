/** Transpose: y[o_0, …, o_{r−1}] = x[i] with i_{perm[k]} = o_k; default perm reverses the axes. */
import { getInts } from '../../ir/graph.js';
import { numel, stridesOf } from '../../ir/tensor.js';
import { type Kernel, fail, need, output } from './kernel.js';

export const Transpose: Kernel = (node, inputs) => {
  const x = need(node, inputs, 0);
  const rank = x.dims.length;
  const perm = getInts(node, 'perm', [...Array(rank).keys()].reverse());
  if (perm.length !== rank || [...perm].sort((a, b) => a - b).some((p, i) => p !== i)) {
    fail(node, `perm [${perm}] is not a permutation of ${rank} axes`);
  }
  const dims = perm.map((p) => x.dims[p]);
  const y = output(x.dtype, dims);
  const total = numel(dims);
  if (total === 0) return [y];
  const inStrides = stridesOf(x.dims);
  const step = perm.map((p) => inStrides[p]);
  const idx = new Array<number>(rank).fill(0);
  const X = x.data;
  const Y = y.data;
  let i = 0;
  for (let o = 0; o < total; o++) {
    Y[o] = X[i];
    for (let k = rank - 1; k >= 0; k--) {
      i += step[k];
      if (++idx[k] < dims[k]) break;
      i -= step[k] * dims[k];
      idx[k] = 0;
    }
  }
  return [y];
};
