/**
 * Softmax / LogSoftmax along one axis (opset 13, default −1), with m = max_j x_j:
 *   softmax_i = e^(x_i − m) / Σ_j e^(x_j − m),  logsoftmax_i = x_i − m − log Σ_j e^(x_j − m).
 */
import { getInt } from '../../ir/graph.js';
import { numel } from '../../ir/tensor.js';
import { type Kernel, axisIn, f64, need, output } from './kernel.js';

const softmaxFamily = (log: boolean): Kernel => (node, inputs) => {
  const x = need(node, inputs, 0);
  const axis = axisIn(node, getInt(node, 'axis', -1), x.dims.length);
  const X = f64(node, x, 'X');
  const y = output(x.dtype, x.dims);
  const Y = y.data as Float64Array;
  const outer = numel(x.dims.slice(0, axis));
  const n = x.dims[axis];
  const inner = numel(x.dims.slice(axis + 1));
  for (let o = 0; o < outer; o++) {
    for (let r = 0; r < inner; r++) {
      const base = o * n * inner + r;
      let m = -Infinity;
      for (let i = 0; i < n; i++) m = Math.max(m, X[base + i * inner]);
      let sum = 0;
      for (let i = 0; i < n; i++) sum += Math.exp(X[base + i * inner] - m);
      const logSum = Math.log(sum);
      for (let i = 0; i < n; i++) {
        const at = base + i * inner;
        Y[at] = log ? X[at] - m - logSum : Math.exp(X[at] - m) / sum;
      }
    }
  }
  return [y];
};

export const Softmax = softmaxFamily(false);
export const LogSoftmax = softmaxFamily(true);
