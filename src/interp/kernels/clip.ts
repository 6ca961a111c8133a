/** Clip(x, min?, max?): y = min(max(x, lo), hi); omitted bounds are ∓∞, and lo > hi gives hi everywhere. */
import { type Kernel, need, output } from './kernel.js';

export const Clip: Kernel = (node, inputs) => {
  const x = need(node, inputs, 0);
  const lo = inputs[1] ? inputs[1].data[0] : -Infinity;
  const hi = inputs[2] ? inputs[2].data[0] : Infinity;
  const y = output(x.dtype, x.dims);
  const X = x.data;
  const Y = y.data;
  for (let i = 0; i < X.length; i++) {
    const v = X[i];
    Y[i] = lo > hi ? hi : v < lo ? lo : v > hi ? hi : v;
  }
  return [y];
};
