/**
 * Gather(data, indices) along `axis`: y[a…, j…, b…] = data[a…, idx(j…), b…], idx = indices[j…] + n when
 * negative; y.shape = data.shape[:axis] + indices.shape + data.shape[axis+1:].
 */
import { getInt } from '../../ir/graph.js';
import { numel } from '../../ir/tensor.js';
import { type Kernel, axisIn, fail, need, output } from './kernel.js';

export const Gather: Kernel = (node, inputs) => {
  const data = need(node, inputs, 0);
  const indices = need(node, inputs, 1);
  const axis = axisIn(node, getInt(node, 'axis', 0), data.dims.length);
  const n = data.dims[axis];
  const idx = Array.from(indices.data, (v, j) => {
    const i = v < 0 ? v + n : v;
    if (!(i >= 0 && i < n)) fail(node, `index ${v} (at ${j}) is out of range for axis ${axis} of size ${n}`);
    return i;
  });
  const y = output(data.dtype, [...data.dims.slice(0, axis), ...indices.dims, ...data.dims.slice(axis + 1)]);
  const outer = numel(data.dims.slice(0, axis));
  const inner = numel(data.dims.slice(axis + 1));
  let o = 0;
  for (let a = 0; a < outer; a++) {
    for (const i of idx) {
      const from = (a * n + i) * inner;
      y.data.set(data.data.subarray(from, from + inner), o);
      o += inner;
    }
  }
  return [y];
};
