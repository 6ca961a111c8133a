/**
 * Slice(data, starts, ends, axes?, steps?): along each listed axis y[…, o, …] = x[…, start + o·step, …]
 * for o < length, with start, step and length resolved by resolveSlice (clamping as ONNX specifies,
 * negative steps walking backwards); other axes are copied whole.
 */
import { resolveSlice } from '../../ir/ops/slice.js';
import { type Kernel, gatherByAxes, identityMap, intValues, need, shaped } from './kernel.js';

export const Slice: Kernel = (node, inputs) => {
  const x = need(node, inputs, 0);
  const starts = intValues(need(node, inputs, 1));
  const ends = intValues(need(node, inputs, 2));
  const axes = inputs[3] ? intValues(inputs[3]) : undefined;
  const steps = inputs[4] ? intValues(inputs[4]) : undefined;
  const parts = shaped(node, () => resolveSlice(x.dims, starts, ends, axes, steps));
  const dims = [...x.dims];
  const maps = x.dims.map(identityMap);
  for (const p of parts) {
    dims[p.axis] = p.length;
    maps[p.axis] = Int32Array.from({ length: p.length }, (_, o) => p.start + o * p.step);
  }
  return [gatherByAxes(x, dims, maps)];
};
