/**
 * ScatterElements(data, indices, updates) along `axis`: y = data, then for every position p of indices
 * in row-major order, with q = p except q_axis = indices[p] (+ n when negative):
 *   none: y[q] = updates[p] (a later duplicate wins);  add: y[q] += updates[p];  mul: y[q] ·= updates[p];
 *   max / min: y[q] = max / min(y[q], updates[p]).
 */
import { getInt, getString } from '../../ir/graph.js';
import { numel, stridesOf } from '../../ir/tensor.js';
import { type Kernel, axisIn, fail, need, output, sameDims } from './kernel.js';

const reductions: Record<string, (old: number, u: number) => number> = {
  none: (_, u) => u,
  add: (old, u) => old + u,
  mul: (old, u) => old * u,
  max: (old, u) => Math.max(old, u),
  min: (old, u) => Math.min(old, u),
};

export const ScatterElements: Kernel = (node, inputs) => {
  const data = need(node, inputs, 0);
  const indices = need(node, inputs, 1);
  const updates = need(node, inputs, 2);
  const rank = data.dims.length;
  const axis = axisIn(node, getInt(node, 'axis', 0), rank);
  const reduction = getString(node, 'reduction', 'none');
  const combine = reductions[reduction];
  if (!combine) fail(node, `unknown reduction '${reduction}'`);
  if (!sameDims(indices.dims, updates.dims) || indices.dims.length !== rank) {
    fail(node, `indices [${indices.dims}] and updates [${updates.dims}] must have the same shape, of rank ${rank}`);
  }
  if (indices.dims.some((d, k) => k !== axis && d > data.dims[k])) fail(node, `indices [${indices.dims}] exceed data [${data.dims}]`);
  const y = output(data.dtype, data.dims);
  y.data.set(data.data);
  const strides = stridesOf(data.dims);
  const n = data.dims[axis];
  const total = numel(indices.dims);
  const idx = new Array<number>(rank).fill(0);
  for (let p = 0; p < total; p++) {
    const raw = indices.data[p];
    const i = raw < 0 ? raw + n : raw;
    if (!(i >= 0 && i < n)) fail(node, `index ${raw} is out of range for axis ${axis} of size ${n}`);
    let q = 0;
    for (let k = 0; k < rank; k++) q += (k === axis ? i : idx[k]) * strides[k];
    y.data[q] = combine(y.data[q], updates.data[p]);
    for (let k = rank - 1; k >= 0; k--) {
      if (++idx[k] < indices.dims[k]) break;
      idx[k] = 0;
    }
  }
  return [y];
};
