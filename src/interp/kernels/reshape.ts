/** Ops that only change dims, copying data in row-major order: Reshape, Flatten, Squeeze, Unsqueeze. */
import { getInt } from '../../ir/graph.js';
import { resolveReshape } from '../../ir/ops/reshape.js';
import { numel } from '../../ir/tensor.js';
import { type Kernel, axisIn, fail, intValues, need, shaped, withDims } from './kernel.js';

export const Reshape: Kernel = (node, inputs) => {
  const x = need(node, inputs, 0);
  const target = intValues(need(node, inputs, 1));
  return [withDims(x, shaped(node, () => resolveReshape(x.dims, target, getInt(node, 'allowzero', 0) === 1)))];
};

/** Flatten at `axis`: [d_0 ⋯ d_{axis−1}, d_axis ⋯ d_{r−1}]. */
export const Flatten: Kernel = (node, inputs) => {
  const x = need(node, inputs, 0);
  const rank = x.dims.length;
  const raw = getInt(node, 'axis', 1);
  const axis = raw === rank ? rank : axisIn(node, raw, rank);
  return [withDims(x, [numel(x.dims.slice(0, axis)), numel(x.dims.slice(axis))])];
};

export const Squeeze: Kernel = (node, inputs) => {
  const x = need(node, inputs, 0);
  const axes = inputs[1]
    ? intValues(inputs[1]).map((a) => axisIn(node, a, x.dims.length))
    : x.dims.flatMap((d, i) => (d === 1 ? [i] : []));
  for (const a of axes) if (x.dims[a] !== 1) fail(node, `cannot squeeze axis ${a} of [${x.dims}]`);
  return [withDims(x, x.dims.filter((_, i) => !axes.includes(i)))];
};

export const Unsqueeze: Kernel = (node, inputs) => {
  const x = need(node, inputs, 0);
  const raw = intValues(need(node, inputs, 1));
  const rank = x.dims.length + raw.length;
  const axes = raw.map((a) => axisIn(node, a, rank));
  if (new Set(axes).size !== axes.length) fail(node, `axes [${raw}] repeat an axis`);
  const dims: number[] = [];
  let src = 0;
  for (let i = 0; i < rank; i++) dims.push(axes.includes(i) ? 1 : x.dims[src++]);
  return [withDims(x, dims)];
};
