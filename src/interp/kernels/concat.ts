/**
 * Concat along `axis`: y[…, o, …] = x_t[…, o − Σ_{u<t} n_u, …] for the t whose range holds o.
 * Split: the inverse; sizes from input 1, the `split` attribute, or equal parts over the outputs.
 */
import { getInt, getInts } from '../../ir/graph.js';
import { numel } from '../../ir/tensor.js';
import { type Kernel, axisIn, fail, intValues, need, output } from './kernel.js';

export const Concat: Kernel = (node, inputs) => {
  const first = need(node, inputs, 0);
  const rank = first.dims.length;
  const axis = axisIn(node, getInt(node, 'axis', 0), rank);
  const parts = inputs.map((t, i) => {
    if (!t || t.dims.length !== rank || t.dims.some((d, k) => k !== axis && d !== first.dims[k])) {
      fail(node, `input ${i} [${t?.dims ?? 'omitted'}] does not concatenate with [${first.dims}] on axis ${axis}`);
    }
    return t;
  });
  const dims = [...first.dims];
  dims[axis] = parts.reduce((s, t) => s + t.dims[axis], 0);
  const y = output(first.dtype, dims);
  const outer = numel(dims.slice(0, axis));
  const rowOut = numel(dims.slice(axis));
  let offset = 0;
  for (const t of parts) {
    const row = numel(t.dims.slice(axis));
    for (let o = 0; o < outer; o++) y.data.set(t.data.subarray(o * row, (o + 1) * row), o * rowOut + offset);
    offset += row;
  }
  return [y];
};

export const Split: Kernel = (node, inputs, outputs) => {
  const x = need(node, inputs, 0);
  const axis = axisIn(node, getInt(node, 'axis', 0), x.dims.length);
  const count = outputs.length;
  let sizes = inputs[1] ? intValues(inputs[1]) : [...getInts(node, 'split', [])];
  if (sizes.length === 0) {
    if (x.dims[axis] % count !== 0) fail(node, `axis ${axis} of [${x.dims}] does not split into ${count} equal parts`);
    sizes = new Array(count).fill(x.dims[axis] / count);
  }
  if (sizes.length !== count || sizes.reduce((a, b) => a + b, 0) !== x.dims[axis]) {
    fail(node, `split sizes [${sizes}] do not cover axis ${axis} of [${x.dims}] in ${count} outputs`);
  }
  const outer = numel(x.dims.slice(0, axis));
  const inner = numel(x.dims.slice(axis + 1));
  const rowIn = x.dims[axis] * inner;
  let offset = 0;
  return sizes.map((size) => {
    const y = output(x.dtype, x.dims.map((d, k) => (k === axis ? size : d)));
    const row = size * inner;
    for (let o = 0; o < outer; o++) y.data.set(x.data.subarray(o * rowIn + offset, o * rowIn + offset + row), o * row);
    offset += row;
    return y;
  });
};
