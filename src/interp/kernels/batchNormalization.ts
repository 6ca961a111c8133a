/**
 * BatchNormalization (inference): y[n, c, …] = scale[c] · (x[n, c, …] − mean[c]) / sqrt(var[c] + ε) + B[c],
 * ε = epsilon (default 1e−5). training_mode 1 is refused.
 */
import { getFloat, getInt } from '../../ir/graph.js';
import { numel } from '../../ir/tensor.js';
import { type Kernel, f64, fail, need, output } from './kernel.js';

export const BatchNormalization: Kernel = (node, inputs, outputs) => {
  if (getInt(node, 'training_mode', 0) === 1 || outputs.length > 1) fail(node, 'training mode is not supported');
  const x = need(node, inputs, 0);
  const [scale, bias, mean, variance] = [1, 2, 3, 4].map((i) => f64(node, need(node, inputs, i), `input ${i}`));
  const eps = getFloat(node, 'epsilon', 1e-5);
  if (x.dims.length < 2) fail(node, `X must have rank ≥ 2, got [${x.dims}]`);
  const [N, C] = x.dims;
  if ([scale, bias, mean, variance].some((t) => t.length !== C)) fail(node, `scale, B, mean and var must each have ${C} entries`);
  const size = numel(x.dims.slice(2));
  const X = f64(node, x, 'X');
  const y = output(x.dtype, x.dims);
  const Y = y.data as Float64Array;
  for (let n = 0; n < N; n++) {
    for (let c = 0; c < C; c++) {
      const a = scale[c] / Math.sqrt(variance[c] + eps);
      const base = (n * C + c) * size;
      for (let i = base; i < base + size; i++) Y[i] = a * (X[i] - mean[c]) + bias[c];
    }
  }
  return [y];
};
